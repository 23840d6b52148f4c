from django.urls import path

from . import views

app_name = "modes"

urlpatterns = [
    path("lessons/<slug:slug>/learn/", views.learn, name="learn"),
    path("lessons/<slug:slug>/why/", views.why, name="why"),
    path("lessons/<slug:slug>/deep/", views.deep, name="deep"),
    path("lessons/<slug:slug>/perf/", views.perf_page, name="perf"),
]
