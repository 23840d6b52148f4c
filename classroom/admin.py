from django.contrib import admin
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html

from .models import ClassSession, Learner, Vote
from .views import results


class LearnerInline(admin.TabularInline):
    model = Learner
    fields = ["display_name", "joined"]
    readonly_fields = ["joined"]
    extra = 0


@admin.register(ClassSession)
class ClassSessionAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "owner", "started", "ended", "online", "download"]
    list_filter = ["ended"]
    search_fields = ["code", "lesson__title"]
    readonly_fields = ["code", "owner", "started", "step", "sequence", "question", "phase", "online", "results_table", "download"]
    fields = ["code", "owner", "lesson", "scenario", "started", "ended", "step", "question", "phase", "sequence", "online", "results_table", "download"]
    inlines = [LearnerInline]

    def has_add_permission(self, request):
        # A class is started from its lesson's page, which makes its code and owner; the
        # admin form has no way to, and its read-only fields assume a saved session.
        return False

    @admin.display(description="results")
    def results_table(self, class_session):
        return render_to_string("classroom/admin_results.html", {"results": results(class_session)})

    @admin.display(description="CSV")
    def download(self, class_session):
        return format_html('<a href="{}">results.csv</a>', reverse("classroom:results_csv", kwargs={"code": class_session.code}))


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["class_session", "question", "learner", "choice", "updated"]
    list_filter = ["class_session"]
    readonly_fields = ["class_session", "question", "learner", "choice", "updated"]
