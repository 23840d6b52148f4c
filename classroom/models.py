"""A class: one presenter drives a lesson, every learner's device follows, and votes.

The class's shared state (step, autoplay, the question on screen, its sequence number) lives
in the ``ClassSession`` row, not in any one process: every daphne process reads and changes
it in a transaction (``classroom.consumers``), so the presenter and the learners may each be
served by a different process. ``classroom.state`` holds the rules that change it.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from lessons.models import Lesson

from . import codes
from .state import ClassState, Phase

DISPLAY_NAME_LENGTH = 40
CODE_ATTEMPTS = 10  # 31^6 ≈ 887 million codes: ten collisions in a row mean something is broken
# A learner's connection renews its Presence row every PRESENCE_HEARTBEAT_SECONDS
# (classroom.consumers); a row not renewed for PRESENCE_EXPIRY_SECONDS, three missed
# heartbeats, belongs to a process that died without running disconnect and is not counted.
PRESENCE_HEARTBEAT_SECONDS = 20
PRESENCE_EXPIRY_SECONDS = 3 * PRESENCE_HEARTBEAT_SECONDS


def now():
    """The presence clock: what "fresh" is measured against (a test moves it)."""
    return timezone.now()


def new_presenter_secret():
    return secrets.token_urlsafe(32)


def new_learner_key():
    return secrets.token_urlsafe(24)


class ClassSessionQuerySet(models.QuerySet):
    def start(self, owner, lesson=None, scenario=None, new_code=codes.new_code):
        """A new class with a fresh join code, drawn again while the code is taken."""
        for _ in range(CODE_ATTEMPTS):
            try:
                with transaction.atomic():
                    return self.create(owner=owner, lesson=lesson, scenario=scenario, code=new_code())
            except IntegrityError:
                continue
        raise RuntimeError(f"no free join code after {CODE_ATTEMPTS} attempts")

    def live(self):
        return self.filter(ended__isnull=True)


class ClassSession(models.Model):
    code = models.CharField(max_length=codes.LENGTH, unique=True, help_text="What learners type to join.")
    presenter_secret = models.CharField(
        max_length=64, default=new_presenter_secret, editable=False,
        help_text="The presenter link's secret: whoever holds the link can drive the class.",
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="classes")
    lesson = models.ForeignKey(Lesson, null=True, blank=True, on_delete=models.PROTECT, related_name="classes")
    scenario = models.JSONField(
        null=True, blank=True, help_text="A scenario played instead of a lesson's (e.g. from a sandbox share link)."
    )
    step = models.PositiveIntegerField(default=0)
    playing = models.BooleanField(default=False)
    clock = models.CharField(max_length=200, blank=True, help_text="The connection whose timer runs autoplay.")
    question = models.CharField(max_length=40, blank=True, help_text="The question on screen, e.g. packet-2 or quiz-7.")
    phase = models.CharField(max_length=10, choices=[(p.value, p.name.title()) for p in Phase], default=Phase.NONE.value)
    sequence = models.PositiveBigIntegerField(default=0, help_text="Raised by every change of the class's state.")
    started = models.DateTimeField(auto_now_add=True)
    ended = models.DateTimeField(null=True, blank=True)

    objects = ClassSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-started"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lesson__isnull=False, scenario__isnull=True) | Q(lesson__isnull=True, scenario__isnull=False),
                name="class_plays_a_lesson_or_a_scenario",
            )
        ]

    def __str__(self):
        return f"{self.code}: {self.title}"

    @property
    def title(self):
        return self.lesson.title if self.lesson else "Shared scenario"

    @property
    def document(self):
        """The scenario the class plays."""
        return self.lesson.scenario if self.lesson else self.scenario

    def get_absolute_url(self):
        return reverse("classroom:follow", kwargs={"code": self.code})

    def state(self, total):
        return ClassState(self.step, total, self.playing, self.clock, self.question, Phase(self.phase), self.sequence)

    def store(self, state):
        """Copy a state into the row (the caller saves it, in the transaction it read it in)."""
        self.step, self.playing, self.clock = state.step, state.playing, state.clock
        self.question, self.phase, self.sequence = state.question, state.phase.value, state.sequence

    def online_at(self, moment):
        """Learners with a fresh connection at ``moment``. One connected twice (two tabs, or a
        reconnection while the dead connection's row has not expired yet) counts once."""
        return self.presences.fresh(moment).values("learner").distinct().count()

    @property
    def online(self):
        """Learners connected now."""
        return self.online_at(now())


class Learner(models.Model):
    """Someone who joined a class from a device: their session holds ``key``."""

    class_session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="learners")
    key = models.CharField(max_length=64, unique=True, default=new_learner_key, editable=False)
    display_name = models.CharField(max_length=DISPLAY_NAME_LENGTH, blank=True)
    joined = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.display_name or f"Learner {self.pk}"


class PresenceQuerySet(models.QuerySet):
    def fresh(self, moment):
        return self.filter(seen__gte=moment - timedelta(seconds=PRESENCE_EXPIRY_SECONDS))

    def expired(self, moment):
        return self.filter(seen__lt=moment - timedelta(seconds=PRESENCE_EXPIRY_SECONDS))

    def mark(self, class_session, learner, channel, moment):
        """The connection ``channel`` is open at ``moment``: renew its row, or make it (at
        connect, or after another arrival removed it as expired while its process stalled)."""
        if not self.filter(channel=channel).update(seen=moment):
            self.create(class_session=class_session, learner=learner, channel=channel, seen=moment)

    def arrive(self, class_session, learner, channel, moment):
        """A learner's connection opens: remove the class's expired rows (left by dead
        processes), then mark this one."""
        self.filter(class_session=class_session).expired(moment).delete()
        self.mark(class_session, learner, channel, moment)


class Presence(models.Model):
    """One open learner connection, renewed by its consumer's heartbeat and deleted by its
    disconnect. A process killed without running disconnect leaves its rows behind; they stop
    being renewed, so they stop counting after PRESENCE_EXPIRY_SECONDS, and the class's next
    arrival deletes them."""

    class_session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="presences")
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="presences")
    channel = models.CharField(max_length=200, unique=True, help_text="The connection's channel name.")
    seen = models.DateTimeField(help_text="When the connection last said it was open.")

    objects = PresenceQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["class_session", "seen"], name="presence_class_seen")]

    def __str__(self):
        return f"{self.learner} on {self.channel}"


class Vote(models.Model):
    """A learner's one answer to one question of a class: changed in place until the vote closes."""

    class_session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="votes")
    question = models.CharField(max_length=40)
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="votes")
    choice = models.CharField(max_length=40)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["class_session", "question", "learner"], name="one_vote_per_learner_per_question")
        ]

    def __str__(self):
        return f"{self.learner}: {self.choice}"
