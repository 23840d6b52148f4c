from django.contrib import admin
from django.db.models import Count, F, Q

from .models import Prediction, ProjectSubmission, ProjectTask, Puzzle, PuzzleAttempt


class TaskAdmin(admin.ModelAdmin):
    """A task with how many learners' records it has and the share that succeeded."""

    records = ""  # the related name of the learners' records
    success = Q()  # which of them succeeded
    list_display = ["title", "lesson", "order", "tries", "success_share"]
    list_filter = ["lesson"]
    prepopulated_fields = {"slug": ["title"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(tries=Count(self.records), successes=Count(self.records, filter=self.success))

    @admin.display(description="tried", ordering="tries")
    def tries(self, task):
        return task.tries

    @admin.display(description="share right")
    def success_share(self, task):
        return f"{round(100 * task.successes / task.tries)}%" if task.tries else "—"


@admin.register(Puzzle)
class PuzzleAdmin(TaskAdmin):
    records, success = "attempts", Q(attempts__solved=True)
    fields = ["lesson", "title", "slug", "order", "brief", "scenario", "goals", "constraints", "hints"]


@admin.register(ProjectTask)
class ProjectTaskAdmin(TaskAdmin):
    records, success = "submissions", Q(submissions__flows_met=F("submissions__flows_total"))
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
