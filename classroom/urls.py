from django.urls import path

from . import views

app_name = "classroom"

urlpatterns = [
    path("join/", views.join, name="join"),
    path("join/<str:code>/", views.join, name="join_code"),
    path("class/start/<slug:slug>/", views.start, name="start"),
    path("class/start/s/<str:snapshot_id>/", views.start_from_snapshot, name="start_from_snapshot"),
    path("class/<str:code>/", views.follow, name="follow"),
    path("class/<str:code>/explore/", views.explore, name="explore"),
    path("class/<str:code>/projector/", views.projector, name="projector"),
    path("class/<str:code>/remote/<str:secret>/", views.remote, name="remote"),
    path("class/<str:code>/end/", views.end, name="end"),
    path("class/<str:code>/results.csv", views.results_csv, name="results_csv"),
]
