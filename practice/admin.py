from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q
from django.template.response import TemplateResponse
from django.urls import path

from learners.admin import TriedAndShareRight, share

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


# What a challenge step's results count, each a share of the learners who tried it.
STEP_RESULTS = {
    "verdict right": Q(verdict_right=True),
    "reason right": Q(basis_right=True),
    "both right": Q(verdict_right=True, basis_right=True),
}


def challenge_step_results(predictions):
    """Per lesson and challenge step, in one aggregate query: how many learners tried it (a
    learner has one prediction a step: the first, however often they retried) and the share
    of them with each of STEP_RESULTS right."""
    rows = (
        predictions.values("lesson_id", "lesson__title", "step")
        .annotate(tried=Count("pk"), **{f"right_{n}": Count("pk", filter=q) for n, q in enumerate(STEP_RESULTS.values())})
        .order_by("lesson__title", "lesson_id", "step")
    )
    return [
        {
            "lesson_id": row["lesson_id"],
            "lesson": row["lesson__title"],
            "step": row["step"],
            "tried": row["tried"],
            "shares": [share(row[f"right_{n}"], row["tried"]) for n in range(len(STEP_RESULTS))],
        }
        for row in rows
    ]


@admin.register(Prediction)
class PredictionAdmin(ReadOnly):
    list_display = ["lesson", "step", "verdict", "basis", "verdict_right", "basis_right", "created"]
    list_filter = ["lesson", "step", "verdict_right", "basis_right"]
    change_list_template = "admin/practice/prediction/change_list.html"  # links the results per step

    def get_urls(self):
        results = path("steps/", self.admin_site.admin_view(self.step_results), name="practice_prediction_steps")
        return [results, *super().get_urls()]

    def step_results(self, request):
        """Results per lesson and challenge step; ``?lesson=<id>`` keeps one lesson's."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        predictions = Prediction.objects.all()
        lesson = request.GET.get("lesson", "")
        if lesson.isdigit():
            predictions = predictions.filter(lesson_id=lesson)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Challenge results per step",
            "columns": list(STEP_RESULTS),
            "rows": challenge_step_results(predictions),
            "one_lesson": lesson.isdigit(),
        }
        return TemplateResponse(request, "admin/practice/prediction/step_results.html", context)


@admin.register(PuzzleAttempt)
class PuzzleAttemptAdmin(ReadOnly):
    list_display = ["puzzle", "solved", "created"]
    list_filter = ["puzzle", "solved"]


@admin.register(ProjectSubmission)
class ProjectSubmissionAdmin(ReadOnly):
    list_display = ["task", "flows_met", "flows_total", "checks_passed", "checks_total", "created"]
    list_filter = ["task"]
