from django.urls import path

from . import views

app_name = "recall"

urlpatterns = [
    path("lessons/<slug:slug>/recall/", views.recall, name="recall"),
    path("lessons/<slug:slug>/recall/review/", views.review, name="review"),
]
