from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("modes.urls")),  # /lessons/<slug>/<mode>/, before the lesson pages
    path("", include("practice.urls")),  # /lessons/<slug>/challenge/ and /project/, beside the lessons' own routes
    path("", include("recall.urls")),  # /lessons/<slug>/recall/
    path("", include("learners.urls")),  # /accounts/… and /progress/
    path("", include("sandbox.urls")),  # /try/, /s/<id>/ and /lessons/<slug>/try/
    path("", include("lessons.urls")),
    path("", include("quiz.urls")),
    path("", include("classroom.urls")),
]

handler400 = "config.errors.bad_request"
handler404 = "config.errors.not_found"
