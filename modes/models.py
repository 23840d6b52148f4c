"""What the explanation modes need beyond a LessonMode's Markdown body: Learn's build-up
steps, the engine demos of Why and Deep, and Perf's many-flow load. All authored as data
(content/modes/, loaded by `manage.py load_modes`) and editable in the admin."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from lessons.models import LessonMode, Ordered, refuse_faulty_scenario

DEMO_MODES = (LessonMode.Mode.WHY, LessonMode.Mode.DEEP)
MAX_PERF_FLOWS = 200_000  # the Perf page must answer within 1 s of server time


class LearnStep(Ordered):
    """One step of Learn's build-up: the learner commits to an answer before the next opens."""

    lesson_mode = models.ForeignKey(
        LessonMode, on_delete=models.CASCADE, related_name="learn_steps", limit_choices_to={"mode": LessonMode.Mode.LEARN}
    )
    prompt = models.CharField(max_length=300)
    options = models.JSONField(help_text='The answers to choose from, as a JSON list of strings: ["…", "…"].')
    answer = models.PositiveSmallIntegerField(help_text="Which option is right, counting from 1.")
    explanation = models.TextField(help_text="Markdown. Shown once the learner has answered.")

    def __str__(self):
        return self.prompt

    def clean(self):
        if self.lesson_mode_id and self.lesson_mode.mode != LessonMode.Mode.LEARN:
            raise ValidationError({"lesson_mode": "Build-up steps belong to a lesson's Learn mode."})
        if not (isinstance(self.options, list) and len(self.options) >= 2 and all(isinstance(o, str) and o for o in self.options)):
            raise ValidationError({"options": "Give at least two answers, as a JSON list of non-empty strings."})
        if not 1 <= (self.answer or 0) <= len(self.options):
            raise ValidationError({"answer": f"Choose the right answer's number, from 1 to {len(self.options)}."})


class Demo(Ordered):
    """A claim of the Why or Deep mode with a small scenario of its own that shows it."""

    lesson_mode = models.ForeignKey(
        LessonMode, on_delete=models.CASCADE, related_name="demos", limit_choices_to={"mode__in": DEMO_MODES}
    )
    title = models.CharField(max_length=200)
    claim = models.TextField(help_text="Markdown: what the demo shows, in plain words.")
    scenario = models.JSONField(help_text="The engine's scenario document this demo replays (docs/engine.md).")
    source = models.CharField(max_length=200, help_text="Title of the AWS documentation page the claim comes from.")
    source_url = models.URLField(blank=True)

    def __str__(self):
        return self.title

    def clean(self):
        if self.lesson_mode_id and self.lesson_mode.mode not in DEMO_MODES:
            raise ValidationError({"lesson_mode": "Demos belong to a lesson's Why or Deep mode."})
        refuse_faulty_scenario(self.scenario)

    def save(self, *args, **kwargs):
        self.clean()  # the page replays the scenario on every visit: never store a broken one
        super().save(*args, **kwargs)


class PerfLoad(models.Model):
    """Perf's run: the mode's scenario timeline gives the template flows; the load repeats
    them, round-robin, each time from a new client, at a steady rate."""

    lesson_mode = models.OneToOneField(
        LessonMode, on_delete=models.CASCADE, related_name="perf_load", limit_choices_to={"mode": LessonMode.Mode.PERF}
    )
    flows = models.PositiveIntegerField(default=100_000, validators=[MinValueValidator(1), MaxValueValidator(MAX_PERF_FLOWS)])
    flows_per_second = models.PositiveIntegerField(default=1000, validators=[MinValueValidator(1)])

    def __str__(self):
        return f"{self.lesson_mode}: {self.flows:,} flows"
