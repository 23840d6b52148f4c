from django.urls import path

from . import views

app_name = "quiz"

urlpatterns = [
    path("lessons/<slug:slug>/quiz/<int:question_id>/", views.answer, name="answer"),
    path("lessons/<slug:slug>/quiz/reset/", views.reset, name="reset"),
]
