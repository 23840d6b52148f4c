from django.urls import path

from . import views

app_name = "practice"

urlpatterns = [
    path("lessons/<slug:slug>/challenge/", views.challenge, name="challenge"),
    path("lessons/<slug:slug>/challenge/steps/<int:step>/", views.predict_step, name="predict"),
    path("lessons/<slug:slug>/challenge/puzzles/<slug:puzzle_slug>/", views.puzzle, name="puzzle"),
    path("lessons/<slug:slug>/project/", views.project_index, name="project_index"),
    path("lessons/<slug:slug>/project/<slug:task_slug>/", views.project, name="project"),
]
