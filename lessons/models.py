"""Lessons as authored in the admin.

A lesson is a scenario for the engine plus the words around it. Everything the engine can
compute from the scenario (the flowchart, the process table rows, the tracker cells) is NOT
stored here: the lesson page asks the engine. Text fields marked Markdown are rendered on
the site with the `markdown` template filter, which keeps no raw HTML from authors.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse

from sgviz.engine.errors import describe
from sgviz.engine.results import Basis, Verdict
from sgviz.engine.scenario import LESSON_LIMITS, validate_scenario
from sgviz.grading.predictions import packet_results


def scenario_findings(document):
    """What the engine's validator says about a scenario document: (faults, notices), each
    a list of "path: message". Faults make it unusable; notices are warnings for the author.
    A lesson's scenarios are held to LESSON_LIMITS, so that each plays in the live player
    and the admin can always send its change form back."""
    if not isinstance(document, dict):
        # The validator would read a string as JSON text; a stored scenario is always parsed.
        return [f"the scenario must be a JSON object {{...}}, not {describe(document)}"], []
    _, faults, notices = validate_scenario(document, limits=LESSON_LIMITS)
    return [str(fault) for fault in faults], [str(notice) for notice in notices]


def refuse_faulty_scenario(document):
    """Raise a ValidationError on the scenario field listing every fault the engine finds."""
    faults, _ = scenario_findings(document)
    if faults:
        raise ValidationError({"scenario": faults})


def packet_count(document):
    """How many packets the scenario's timeline sends: the steps the player walks through."""
    timeline = document.get("timeline") if isinstance(document, dict) else None
    if not isinstance(timeline, list):
        return 0
    return sum(1 for entry in timeline if isinstance(entry, dict) and "packet" in entry)


_NOT_CHECKED = object()

# What a quiz question may say the engine decides at its step (QuizQuestion.expect): the
# typed parts of a PacketResult, never its English, so rewording the engine breaks nothing.
EXPECT_KEYS = {
    "verdict": {verdict.value for verdict in Verdict},
    "basis": {basis.value for basis in Basis},
    "tracked": {True, False, None},
}


def expect_disagreements(document, step, expect):
    """Where the engine's result for packet ``step`` (from 1) of a valid scenario differs from
    ``expect`` ({"verdict", "basis", "tracked"}, any of them): a list of "key: ..." sentences,
    empty when the engine agrees. A malformed ``expect`` is reported the same way."""
    if not isinstance(expect, dict) or not expect:
        return [f'write it as an object with any of {", ".join(EXPECT_KEYS)}, e.g. {{"verdict": "DROP", "basis": "nacl"}}']
    problems = [
        f"{key}: {value!r} is not one of {sorted(map(str, EXPECT_KEYS[key]))}" if key in EXPECT_KEYS else f"{key}: not one of {', '.join(EXPECT_KEYS)}"
        for key, value in expect.items()
        if key not in EXPECT_KEYS or value not in EXPECT_KEYS[key]
    ]
    if problems:
        return problems
    results = packet_results(validate_scenario(document).scenario)
    if not 1 <= step <= len(results):
        return []  # the step's own check says so
    result = results[step - 1]
    decided = {"verdict": result.verdict.value, "basis": result.basis.value, "tracked": result.tracked}
    return [
        f"{key}: the engine decides {decided[key]!r} at step {step}, not {value!r} ({result.explanation})"
        for key, value in expect.items()
        if decided[key] != value
    ]


def quiz_question_problem(option_count, correct_count):
    """Why a question with these options cannot be put before learners, or "" when it can: a
    learner needs at least two options to choose from, and exactly one right answer."""
    if option_count < 2:
        return f"it has {option_count} option{'' if option_count == 1 else 's'}: give it at least two, one marked correct."
    if correct_count != 1:
        return f"Mark exactly one option as correct ({correct_count} are marked now)."
    return ""


class LessonQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)


class Lesson(models.Model):
    slug = models.SlugField(unique=True, help_text="The lesson's address: /lessons/this-slug/")
    title = models.CharField(max_length=200)
    topic = models.CharField(max_length=100, default="AWS cloud")
    minutes = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1)], help_text='Shown as "~10 mins".'
    )
    summary = models.TextField(blank=True, help_text="Markdown. Shown in the list of lessons.")
    published = models.BooleanField(default=False, help_text="Only published lessons are listed.")
    order = models.IntegerField(default=0, help_text="Lessons are listed by this number, then by title.")
    scenario = models.JSONField(
        help_text="The engine's scenario document (see docs/engine.md): security groups, instances "
        "and a timeline of packets. Every packet is one step of the lesson."
    )
    flow_summary = models.TextField(blank=True, help_text="Markdown. The sentence under the process flow.")
    sample_language = models.CharField(max_length=50, default="AWS", help_text="The execution sample's label.")
    sample_summary = models.TextField(blank=True, help_text="Markdown. The sentence after the execution sample.")
    table_note = models.CharField(max_length=300, blank=True, help_text="The 💡 line under the process table.")
    transcript = models.TextField(blank=True, help_text='Markdown. The "Full Transcript".')
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    # Set by `manage.py load_lessons` (lessons/content.py): the digest of the content files it
    # loaded the lesson from, and the lesson's `updated` at that moment. A later save (an
    # author's edit in the admin) moves `updated` past it, and the loader then leaves it alone.
    content_digest = models.CharField(max_length=64, blank=True, editable=False)
    content_loaded = models.DateTimeField(null=True, blank=True, editable=False)

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["order", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("lessons:lesson", kwargs={"slug": self.slug})

    @property
    def step_count(self):
        return packet_count(self.scenario)

    def scenario_is_refused(self):
        """Whether the scenario as it stands has faults, computed once per scenario document
        (the key moments and questions of one form each ask)."""
        if getattr(self, "_faults_checked_for", _NOT_CHECKED) is not self.scenario:
            self._faults_checked_for = self.scenario
            self._scenario_refused = bool(scenario_findings(self.scenario)[0])
        return self._scenario_refused

    def clean(self):
        refuse_faulty_scenario(self.scenario)

    def save(self, *args, **kwargs):
        # The lesson page runs the scenario on every visit, so an invalid one must never be
        # stored, whichever way it arrives (admin, shell, fixtures).
        self.clean()
        super().save(*args, **kwargs)

    def mode_bar(self):
        """The learning modes this lesson offers, as (mode, label) in display order.

        Visual is always offered: it is the scenario player. Other modes appear only when the
        lesson has text for them. Authors order them with LessonMode.order; ties keep the
        order of learning-modes.md.
        """
        authored = {mode.mode: mode.order for mode in self.modes.all()}
        authored.setdefault(LessonMode.Mode.VISUAL, 0)
        spec_order = list(LessonMode.Mode)
        offered = sorted(authored, key=lambda mode: (authored[mode], spec_order.index(mode)))
        return [(mode, LessonMode.Mode(mode).label) for mode in offered]


class Ordered(models.Model):
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["order", "pk"]


class PointsAtStep(models.Model):
    """Something that sends the learner to one step of the lesson's scenario."""

    step = models.PositiveSmallIntegerField(help_text="The execution step it points at, from 1.")

    class Meta:
        abstract = True

    def clean(self):
        # A step cannot be judged against a scenario that is itself refused (a JSON mistake,
        # a fault): the scenario's own error says what to fix, once.
        if self.step is None or self.lesson.scenario_is_refused():
            return
        steps = self.lesson.step_count
        if not 1 <= self.step <= steps:
            raise ValidationError({"step": f"Choose a step from 1 to {steps}: the scenario sends {steps} packets."})


class SampleLine(Ordered):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="sample_lines")
    text = models.CharField(max_length=300)
    step = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="The step (packet, from 1) this line narrates: the player marks it at that step. "
        "Empty: a line of no one step.",
    )

    def __str__(self):
        return self.text


class KeyMoment(Ordered, PointsAtStep):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="key_moments")
    question = models.CharField(max_length=300)
    answer = models.TextField(help_text="Markdown.")

    def __str__(self):
        return self.question


class QuizQuestion(Ordered, PointsAtStep):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="quiz_questions")
    prompt = models.CharField(max_length=500)
    hint = models.CharField(max_length=300, blank=True, help_text="Shown on request, before answering.")
    explanation = models.TextField(blank=True, help_text="Markdown. Shown after an answer, right or wrong.")
    expect = models.JSONField(
        null=True,
        blank=True,
        help_text='Optional: what the engine decides at this step, when the question asks about it, e.g. '
        '{"verdict": "DROP", "basis": "nacl", "tracked": null}. Checked against the engine on save, so '
        "a later change to the scenario cannot leave the quiz's answer wrong unnoticed.",
    )

    def __str__(self):
        return self.prompt

    def clean(self):
        super().clean()
        if self.expect is None or self.step is None or self.lesson.scenario_is_refused():
            return
        problems = expect_disagreements(self.lesson.scenario, self.step, self.expect)
        if problems:
            raise ValidationError({"expect": problems})

    @property
    def correct_option(self):
        return next((option for option in self.options.all() if option.is_correct), None)


class QuizOption(Ordered):
    question = models.ForeignKey(QuizQuestion, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(max_length=300)
    is_correct = models.BooleanField(default=False)
    why = models.TextField(
        blank=True,
        help_text="Markdown. Wrong options: shown to a learner who picks this one, instead of the question's "
        "explanation. Say why this answer is wrong without naming the right one, so they can try again.",
    )

    def __str__(self):
        return self.text


class SnapshotBullet(Ordered):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="snapshot_bullets")
    text = models.CharField(max_length=300)

    def __str__(self):
        return self.text


class LessonMode(Ordered):
    """One learning mode of a lesson (learning-modes.md), authored in the admin.

    Every mode has its text (``body``). The engine modes also run a scenario: Deep's demos,
    Try's starting sandbox, Challenge's predict-then-reveal run, Project's starting rules and
    Perf's many-flow run start from ``scenario`` when it is set, else from the lesson's.
    Recall draws on the lesson's key moments, snapshot and quiz. Visual needs no row: it is
    the lesson's own scenario player.
    """

    class Mode(models.TextChoices):
        LEARN = "learn", "Learn"
        WHY = "why", "Why"
        DEEP = "deep", "Deep"
        VISUAL = "visual", "Visual"
        TRY = "try", "Try"
        CHALLENGE = "challenge", "Challenge"
        PROJECT = "project", "Project"
        RECALL = "recall", "Recall"
        PERF = "perf", "Perf"

    ENGINE_MODES = frozenset({Mode.DEEP, Mode.TRY, Mode.CHALLENGE, Mode.PROJECT, Mode.PERF})

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="modes")
    mode = models.CharField(max_length=20, choices=Mode.choices)
    body = models.TextField(blank=True, help_text="Markdown.")
    scenario = models.JSONField(
        null=True,
        blank=True,
        help_text="Engine modes only (Deep, Try, Challenge, Project, Perf): the scenario this mode "
        "starts from, if not the lesson's.",
    )

    class Meta(Ordered.Meta):
        constraints = [models.UniqueConstraint(fields=["lesson", "mode"], name="one_text_per_mode")]

    def __str__(self):
        return f"{self.lesson}: {self.get_mode_display()}"

    def clean(self):
        if self.scenario is None:
            return
        if self.mode not in self.ENGINE_MODES:
            engine_modes = ", ".join(self.Mode(mode).label for mode in self.Mode if mode in self.ENGINE_MODES)
            raise ValidationError(
                {"scenario": f"{self.get_mode_display()} runs no scenario; only {engine_modes} do. Leave it empty."}
            )
        refuse_faulty_scenario(self.scenario)

    def save(self, *args, **kwargs):
        self.clean()  # as Lesson.save: a mode's scenario is run as stored
        super().save(*args, **kwargs)

    @property
    def engine_scenario(self):
        """The scenario the engine runs for this mode."""
        return self.scenario if self.scenario is not None else self.lesson.scenario
