"""Every change to a class, each in one database transaction on the class's row.

The row is locked (``select_for_update`` on PostgreSQL; SQLite takes its write lock when the
transaction begins, settings' ``transaction_mode``), so two presenters on two processes, or a
vote and the presenter closing it, are applied one after the other, never over each other.
While SQLite stays locked past its busy timeout (a room voting at once), each change is tried
again (``learners.identity.when_not_busy``) before it is refused with DatabaseBusy.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from learners.identity import when_not_busy

from . import frames, state
from .models import ClassSession, Vote

VOTE_KEY = ["class_session", "question", "learner"]
STATE_FIELDS = ["step", "playing", "clock", "question", "phase", "sequence"]


@dataclass(frozen=True)
class Applied:
    class_session: ClassSession
    state: state.ClassState
    before: state.ClassState

    @property
    def changed(self):
        return self.state is not self.before


def _locked(class_pk):
    # of=("self",): PostgreSQL cannot lock the nullable side of the outer join to the lesson
    # (a class may play a scenario instead); the class's own row is the lock that matters.
    return ClassSession.objects.select_for_update(of=("self",)).select_related("lesson").get(pk=class_pk)


def current(class_pk) -> Applied:
    row = ClassSession.objects.select_related("lesson").get(pk=class_pk)
    now = row.state(frames.walkthrough_for(row).total)
    return Applied(row, now, now)


def apply(class_pk, action) -> Applied:
    return when_not_busy(lambda: _apply(class_pk, action))


def _apply(class_pk, action) -> Applied:
    with transaction.atomic():
        row = _locked(class_pk)
        before = row.state(frames.walkthrough_for(row).total)
        after = before if row.ended else state.apply(before, action)
        if after is not before:
            row.store(after)
            row.save(update_fields=STATE_FIELDS)
    return Applied(row, after, before)


class VoteRefused(Exception):
    pass


def vote(class_pk, learner, choice) -> Vote:
    """Store the learner's choice for the open question: one row per learner and question,
    changed in place, so a repeated or concurrent vote is never counted twice nor lost."""
    (outcome,) = vote_many(class_pk, [(learner, choice)])
    if isinstance(outcome, VoteRefused):
        raise outcome
    return outcome


def vote_many(class_pk, ballots) -> list:
    """Store a batch of (learner, choice) votes for the open question in one transaction, so
    that a room voting at once pays for one commit, not one per vote. Returns, per ballot in
    order, the learner's stored Vote or the VoteRefused saying why that one was not kept. A
    learner who voted twice in the batch keeps the later choice (as two votes in turn would)."""
    return when_not_busy(lambda: _vote_many(class_pk, ballots))


def _vote_many(class_pk, ballots) -> list:
    with transaction.atomic():
        row = _locked(class_pk)
        if row.ended or row.phase != state.Phase.OPEN.value:
            return [VoteRefused("Voting is closed for this question.")] * len(ballots)
        question = frames.question_for(row, row.question)
        outcomes, latest = [], {}
        for learner, choice in ballots:
            if question is None or question.option(choice) is None:
                outcomes.append(VoteRefused("That is not one of this question's answers."))
            else:
                outcomes.append(learner.pk)  # becomes the learner's stored vote, below
                latest[learner.pk] = Vote(class_session=row, question=row.question, learner=learner, choice=choice)
        # One INSERT ... ON CONFLICT DO UPDATE: the unique constraint keeps one row per learner
        # and question, and a changed vote replaces the old in the same statement.
        Vote.objects.bulk_create(
            list(latest.values()), update_conflicts=True, unique_fields=VOTE_KEY, update_fields=["choice", "updated"],
        )
    return [latest[outcome] if isinstance(outcome, int) else outcome for outcome in outcomes]


def end(class_pk) -> ClassSession:
    return when_not_busy(lambda: _end(class_pk))


def _end(class_pk) -> ClassSession:
    with transaction.atomic():
        row = _locked(class_pk)
        if row.ended is None:
            row.ended = timezone.now()
            row.playing, row.clock = False, ""
            row.save(update_fields=["ended", "playing", "clock"])
    return row
