"""A learner's draft scenarios and the shared snapshots made from them.

A draft is the engine's scenario document as typed, valid or not (the page shows the
engine's faults at their fields), so nothing typed is lost to a fault, a reload or a dropped
connection. A learner has one draft per workspace: the sandbox (``/try/``) and each lesson's
Try mode (``/lessons/<slug>/try/``), so working in one never changes another. Every write
names the version it was made from; a write from an older page changes nothing and says so,
so two tabs never overwrite each other silently.
"""

import secrets

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from learners.identity import one_learner_constraint


def new_token():
    """A draft's token as a session held it before drafts were the learner's rows: the
    migrations' (0001's default, 0002's way back)."""
    return secrets.token_urlsafe(24)


class Draft(models.Model):
    """One learner's draft in one workspace. The learner is a signed-in user or, for everyone
    else, a browser session (learners.identity): exactly one of ``user`` and ``session_key``
    is set, and signing in hands the session's drafts to the user (learners.takeover)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)
    session_key = models.CharField(max_length=40, blank=True)
    lesson = models.ForeignKey(
        "lessons.Lesson", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        help_text="The lesson whose Try mode this draft is in; empty: the sandbox (/try/).",
    )
    document = models.JSONField(help_text="The engine's scenario document, as the learner left it.")
    json_text = models.TextField(blank=True, help_text="JSON typed in the JSON box that did not parse, kept until it does.")
    paste_text = models.TextField(blank=True, help_text="A paste that could not be imported, kept for the learner to fix.")
    # 0 is also what a page shows before the learner has a draft, so the first write from a
    # fresh page matches the draft it creates.
    version = models.PositiveIntegerField(default=0)
    updated = models.DateTimeField(default=timezone.now)
    # sandbox/undo.py: {"document", "json_text", "paste_text", "by": what replaced them, "at": the version that did}
    replaced = models.JSONField(null=True, blank=True, help_text="The draft as it was before it was last replaced whole (a starting point, a copy, the JSON box, an import), for one Undo.")

    class Meta:
        # One draft per learner and workspace. A NULL lesson (the sandbox) is distinct from
        # every other in a unique index, so the sandbox's drafts have constraints of their own.
        constraints = [
            models.UniqueConstraint(fields=["session_key"], condition=Q(user__isnull=True, lesson__isnull=True), name="one_sandbox_draft_per_session"),
            models.UniqueConstraint(fields=["session_key", "lesson"], condition=Q(user__isnull=True, lesson__isnull=False), name="one_lesson_draft_per_session"),
            models.UniqueConstraint(fields=["user"], condition=Q(user__isnull=False, lesson__isnull=True), name="one_sandbox_draft_per_user"),
            models.UniqueConstraint(fields=["user", "lesson"], condition=Q(user__isnull=False, lesson__isnull=False), name="one_lesson_draft_per_user"),
            one_learner_constraint("draft_of_a_user_or_a_session"),
        ]

    def __str__(self):
        learner = f"user {self.user_id}" if self.user_id else f"session {self.session_key[:8]}…"
        return f"{learner}: {f'lesson {self.lesson_id}' if self.lesson_id else 'the sandbox'}"

    @classmethod
    def of(cls, learner, lesson):
        """The learner's draft in the workspace of ``lesson`` (None: the sandbox), or None."""
        return cls.objects.filter(**learner.fields, lesson=lesson).first()

    @classmethod
    def start(cls, learner, lesson, document):
        """The learner's draft in that workspace, made now from ``document`` unless it exists
        (two first posts at once, from two tabs, get the same row: the unique constraints)."""
        return cls.objects.get_or_create(**learner.fields, lesson=lesson, defaults={"document": document})[0]

    def save_changes(self, expected_version, **changes):
        """Store ``changes`` if the draft is still at ``expected_version``; True if stored.
        One UPDATE with the version in its WHERE clause: of two concurrent writes from the
        same version exactly one wins. Changes that change nothing (Run after every field was
        saved on change) write nothing: a write is most of such a request's time."""
        if expected_version == self.version and all(getattr(self, name) == value for name, value in changes.items()):
            return True
        stored = Draft.objects.filter(pk=self.pk, version=expected_version).update(
            version=expected_version + 1, updated=timezone.now(), **changes
        )
        if stored:
            for name, value in changes.items():
                setattr(self, name, value)
            self.version = expected_version + 1
        return bool(stored)

    def replace(self, expected_version, by, before=None, **changes):
        """save_changes for a change that replaces the draft (``by``: what replaces it, see
        sandbox/undo.py), keeping the draft as it was for one Undo (``before``: its document
        as the learner had it, when the same post also carried their typing). Only from the
        version this row was read at: the draft kept must be the one replaced. A change that
        changes nothing keeps the Undo there was (pressing the same starting point twice loses nothing)."""
        if expected_version != self.version:
            return False
        if all(getattr(self, name) == value for name, value in changes.items()):
            return True
        document = self.document if before is None else before
        kept = {"document": document, "json_text": self.json_text, "paste_text": self.paste_text, "by": by, "at": expected_version + 1}
        return self.save_changes(expected_version, replaced=kept, **changes)


class SnapshotError(Exception):
    pass


class Snapshot(models.Model):
    """A shared scenario: the engine's canonical document, keyed by its content id, never
    changed once stored."""

    id = models.CharField(primary_key=True, max_length=32)
    document = models.JSONField()
    created = models.DateTimeField(default=timezone.now)

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise SnapshotError("a shared snapshot never changes; share the edited scenario as a new one")
        super().save(*args, **kwargs)

    @classmethod
    def store(cls, snapshot_id, document):
        """The snapshot with this id, stored now unless it already was (two learners sharing
        the same scenario at once get the same row)."""
        try:
            with transaction.atomic():
                return cls.objects.create(id=snapshot_id, document=document)
        except IntegrityError:
            return cls.objects.get(id=snapshot_id)
