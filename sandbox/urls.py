from django.urls import path

from . import views

app_name = "sandbox"

urlpatterns = [
    path("try/", views.try_page, name="try"),
    path("try/save/", views.save, name="save"),
    path("try/run/", views.run, name="run"),
    path("try/start/", views.start, name="start"),
    path("try/undo/", views.undo, name="undo"),
    path("try/json/", views.edit_json, name="json"),
    path("try/import/", views.paste, name="import"),
    path("try/share/", views.share, name="share"),
    path("try/download/scenario.json", views.download_draft, {"what": "scenario"}, name="download-scenario"),
    path("try/download/security-groups.json", views.download_draft, {"what": "security-groups"}, name="download-groups"),
    path("lessons/<slug:slug>/try/", views.lesson_try, name="lesson-try"),
    path("s/<str:snapshot_id>/", views.snapshot, name="snapshot"),
    path("s/<str:snapshot_id>/embed/", views.embed, name="embed"),
    path("s/<str:snapshot_id>/copy/", views.copy_snapshot, name="copy"),
    path("s/<str:snapshot_id>/scenario.json", views.download_snapshot, {"what": "scenario"}, name="snapshot-scenario"),
    path("s/<str:snapshot_id>/security-groups.json", views.download_snapshot, {"what": "security-groups"}, name="snapshot-groups"),
]
