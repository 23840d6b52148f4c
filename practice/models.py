"""Practice tasks authored in the admin (puzzles and projects, as data graded by
sgviz.grading) and the learner's records of them: predictions, puzzle attempts and project
submissions, each a row that a double submit, a reload or a retry writes once."""

import uuid

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q

from learners.models import LearnerRecord
from sgviz.engine import ScenarioError
from sgviz.engine.results import Basis, Verdict
from sgviz.grading import read_project, read_puzzle


def refuse_faulty(read, fields, instance):
    """Run ``read`` over the document built from ``fields`` and raise every fault at its field
    (the first part of the fault's path), nothing saved."""
    document = {field: getattr(instance, field) for field in fields}
    try:
        return read(document)
    except ScenarioError as error:
        errors = {}
        for fault in error.faults:
            field = fault.path.split(".")[0].split("[")[0]
            errors.setdefault(field if field in fields else NON_FIELD_ERRORS, []).append(str(fault))
        raise ValidationError(errors) from None


class Task(models.Model):
    lesson = models.ForeignKey("lessons.Lesson", on_delete=models.CASCADE, related_name="+")
    slug = models.SlugField(help_text="Its address under the lesson.")
    title = models.CharField(max_length=200)
    brief = models.TextField(help_text="Markdown. What the learner is asked to do.")
    order = models.PositiveSmallIntegerField(default=0)
    scenario = models.JSONField(
        help_text="The network (docs/engine.md): instances, subnets and the starting security groups; no timeline needed."
    )

    class Meta:
        abstract = True
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["lesson", "slug"], name="%(class)s_slug_per_lesson")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.full_clean(exclude=["lesson"])  # graded as stored: an invalid task is never saved
        super().save(*args, **kwargs)


class Puzzle(Task):
    goals = models.JSONField(help_text='Flows: [{"name", "from", "to", "protocol", "port", "expect": "passes|dropped|tracked|untracked"}] (docs/grading.md).')
    constraints = models.JSONField(default=list, blank=True, help_text='[{"kind": "max-rule-changes", "limit": 1}, ...] (docs/grading.md).')
    hints = models.TextField(blank=True, help_text="One hint per line, shown one at a time on request.")

    class Meta(Task.Meta):
        pass

    def clean(self):
        refuse_faulty(read_puzzle, ("scenario", "goals", "constraints"), self)

    def task(self):
        return read_puzzle({"scenario": self.scenario, "goals": self.goals, "constraints": self.constraints})

    @property
    def hint_list(self):
        return [line.strip() for line in self.hints.splitlines() if line.strip()]


class ProjectTask(Task):
    required = models.JSONField(help_text='Flows that must pass: [{"name", "from", "to", "protocol", "port"}].')
    forbidden = models.JSONField(default=list, blank=True, help_text="Flows that must be dropped, as above.")
    review = models.JSONField(
        default=list,
        blank=True,
        help_text='Least-privilege checks: [{"kind": "group-references"}, {"kind": "world-only-on", "allow": '
        '[{"group": "sg-lb", "protocol": "tcp", "port": 443}]}, {"kind": "unused-rules"}].',
    )

    class Meta(Task.Meta):
        verbose_name = "project"

    def clean(self):
        refuse_faulty(read_project, ("scenario", "required", "forbidden", "review"), self)

    def task(self):
        return read_project({"scenario": self.scenario, "required": self.required, "forbidden": self.forbidden, "review": self.review})


class Prediction(LearnerRecord):
    """A learner's prediction of one step: the first one counts and is never changed (the
    step is revealed the moment it is made)."""

    lesson = models.ForeignKey("lessons.Lesson", on_delete=models.CASCADE, related_name="+")
    step = models.PositiveIntegerField()
    verdict = models.CharField(max_length=5, choices=[(v.value, v.value) for v in Verdict])
    basis = models.CharField(max_length=10, choices=[(b.value, b.value) for b in Basis])
    verdict_right = models.BooleanField()
    basis_right = models.BooleanField()

    class Meta:
        constraints = [
            *LearnerRecord.Meta.constraints,
            models.UniqueConstraint(fields=["session_key", "lesson", "step"], condition=Q(user__isnull=True), name="one_prediction_per_session_and_step"),
            models.UniqueConstraint(fields=["user", "lesson", "step"], condition=Q(user__isnull=False), name="one_prediction_per_user_and_step"),
        ]

    @property
    def right(self):
        return self.verdict_right and self.basis_right


class Submission(LearnerRecord):
    """Rules a learner sent to be graded. ``key`` is the form's idempotency key: a form is
    stored once however many times it is posted."""

    key = models.UUIDField(default=uuid.uuid4, unique=True)
    groups = models.TextField(help_text="The security groups as the learner wrote them (JSON).")

    class Meta:
        abstract = True
        ordering = ["-created", "-pk"]


class PuzzleAttempt(Submission):
    puzzle = models.ForeignKey(Puzzle, on_delete=models.CASCADE, related_name="attempts")
    solved = models.BooleanField()

    class Meta(Submission.Meta):
        constraints = LearnerRecord.Meta.constraints


class ProjectSubmission(Submission):
    task = models.ForeignKey(ProjectTask, on_delete=models.CASCADE, related_name="submissions")
    flows_met = models.PositiveIntegerField()
    flows_total = models.PositiveIntegerField()
    checks_passed = models.PositiveIntegerField()
    checks_total = models.PositiveIntegerField()

    class Meta(Submission.Meta):
        constraints = LearnerRecord.Meta.constraints
