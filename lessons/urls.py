from django.urls import path

from . import docs, views

app_name = "lessons"

urlpatterns = [
    path("", views.index, name="index"),
    path("lessons/<slug:slug>/", views.lesson, name="lesson"),
    path("docs/scenario/", docs.scenario, name="scenario_docs"),
]
