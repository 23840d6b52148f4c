from django.contrib import admin
from django.db.models import F, Q

from learners.admin import TriedAndShareRight

from .models import Prediction, ProjectSubmission, ProjectTask, Puzzle, PuzzleAttempt


class TaskAdmin(TriedAndShareRight):
    """A task with how many learners' records it has and the share that succeeded."""

    list_display = ["title", "lesson", "order", "tried", "share_right"]
    list_filter = ["lesson"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Puzzle)
class PuzzleAdmin(TaskAdmin):
    records, right = "attempts", Q(attempts__solved=True)
    fields = ["lesson", "title", "slug", "order", "brief", "scenario", "goals", "constraints", "hints"]


@admin.register(ProjectTask)
class ProjectTaskAdmin(TaskAdmin):
    records, right = "submissions", Q(submissions__flows_met=F("submissions__flows_total"))
    fields = ["lesson", "title", "slug", "order", "brief", "scenario", "required", "forbidden", "review"]


class ReadOnly(admin.ModelAdmin):
    """Learners' records: staff read them; nobody edits a learner's work by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Prediction)
class PredictionAdmin(ReadOnly):
    list_display = ["lesson", "step", "verdict", "basis", "verdict_right", "basis_right", "created"]
    list_filter = ["lesson", "step", "verdict_right", "basis_right"]


@admin.register(PuzzleAttempt)
class PuzzleAttemptAdmin(ReadOnly):
    list_display = ["puzzle", "solved", "created"]
    list_filter = ["puzzle", "solved"]


@admin.register(ProjectSubmission)
class ProjectSubmissionAdmin(ReadOnly):
    list_display = ["task", "flows_met", "flows_total", "checks_passed", "checks_total", "created"]
    list_filter = ["task"]
