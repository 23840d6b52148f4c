"""A learner's draft scenario and the shared snapshots made from it.

The draft is the engine's scenario document as typed, valid or not (the page shows the
engine's faults at their fields), so nothing typed is lost to a fault, a reload or a dropped
connection. Every write names the version it was made from; a write from an older page
changes nothing and says so, so two tabs never overwrite each other silently.
"""

import secrets

from django.db import IntegrityError, models, transaction
from django.utils import timezone


def new_token():
    return secrets.token_urlsafe(24)


class Draft(models.Model):
    # The session holds this token, not the session key: the key changes on login
    # (cycle_key), the session's data and so the draft do not.
    token = models.CharField(max_length=64, unique=True, default=new_token)
    document = models.JSONField(help_text="The engine's scenario document, as the learner left it.")
    json_text = models.TextField(blank=True, help_text="JSON typed in the JSON box that did not parse, kept until it does.")
    paste_text = models.TextField(blank=True, help_text="A paste that could not be imported, kept for the learner to fix.")
    # 0 is also what a page shows before the learner has a draft, so the first write from a
    # fresh page matches the draft it creates.
    version = models.PositiveIntegerField(default=0)
    updated = models.DateTimeField(default=timezone.now)
    # sandbox/undo.py: {"document", "json_text", "paste_text", "by": what replaced them, "at": the version that did}
    replaced = models.JSONField(null=True, blank=True, help_text="The draft as it was before it was last replaced whole (a starting point, a copy, the JSON box, an import), for one Undo.")

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

    def replace(self, expected_version, by, **changes):
        """save_changes for a change that replaces the draft (``by``: what replaces it, see
        sandbox/undo.py), keeping the draft as it was for one Undo. Only from the version this
        row was read at: the draft kept must be the one replaced. A change that changes nothing
        keeps the Undo there was (pressing the same starting point twice loses nothing)."""
        if expected_version != self.version:
            return False
        if all(getattr(self, name) == value for name, value in changes.items()):
            return True
        kept = {"document": self.document, "json_text": self.json_text, "paste_text": self.paste_text, "by": by, "at": expected_version + 1}
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
