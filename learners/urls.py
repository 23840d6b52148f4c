from django.contrib.auth.views import LogoutView
from django.urls import path

from . import views

app_name = "learners"

urlpatterns = [
    path("accounts/sign-up/", views.sign_up, name="sign_up"),
    path("accounts/sign-in/", views.SignInView.as_view(), name="sign_in"),
    path("accounts/sign-out/", LogoutView.as_view(), name="sign_out"),  # POST only (Django 5)
    path("progress/", views.progress, name="progress"),
]
