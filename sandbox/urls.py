from django.urls import path

from . import views

app_name = "sandbox"

# The editor's routes, each in both kinds of workspace (sandbox.workspaces): the sandbox,
# /try/…, and every lesson's Try mode, /lessons/<slug>/try/…, named "lesson-" and the
# sandbox's name, whose view gets the lesson's slug.
EDITOR_ROUTES = [
    ("", views.try_page, {}, "try"),
    ("save/", views.save, {}, "save"),
    ("run/", views.run, {}, "run"),
    ("start/", views.start, {}, "start"),
    ("undo/", views.undo, {}, "undo"),
    ("json/", views.json_box, {}, "json"),
    ("import/", views.paste, {}, "import"),
    ("share/", views.share, {}, "share"),
    ("download/scenario.json", views.download_draft, {"what": "scenario"}, "download-scenario"),
    ("download/security-groups.json", views.download_draft, {"what": "security-groups"}, "download-groups"),
]

urlpatterns = [
    *(path(f"try/{route}", view, kwargs, name=name) for route, view, kwargs, name in EDITOR_ROUTES),
    *(path(f"lessons/<slug:slug>/try/{route}", view, kwargs, name=f"lesson-{name}") for route, view, kwargs, name in EDITOR_ROUTES),
    path("s/<str:snapshot_id>/", views.snapshot, name="snapshot"),
    path("s/<str:snapshot_id>/embed/", views.embed, name="embed"),
    path("s/<str:snapshot_id>/copy/", views.copy_snapshot, name="copy"),
    path("s/<str:snapshot_id>/scenario.json", views.download_snapshot, {"what": "scenario"}, name="snapshot-scenario"),
    path("s/<str:snapshot_id>/security-groups.json", views.download_snapshot, {"what": "security-groups"}, name="snapshot-groups"),
]
