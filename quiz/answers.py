"""Storing and reading quiz answers (see models.QuizAnswer for why they are rows)."""

import time
from dataclasses import dataclass

from django.db import OperationalError, transaction
from django.utils import timezone

from .models import QuizAnswer

# SQLite lets one writer in at a time; the others wait up to the connection's busy_timeout
# (config/settings.py) and then fail with "database is locked". A classroom answering at once
# can outlast that wait, so a write is tried again, a few times, with pauses that double,
# before the learner is told it was not recorded. PostgreSQL never raises this.
BUSY_ATTEMPTS = 4
FIRST_PAUSE_SECONDS = 0.1


class DatabaseBusy(Exception):
    """The database stayed locked through every attempt: nothing was written."""


def when_not_busy(write):
    """Run ``write()`` (a function that opens its own transaction), trying again while SQLite
    reports the database locked; raise DatabaseBusy once the attempts run out."""
    for attempt in range(BUSY_ATTEMPTS):
        try:
            return write()
        except OperationalError as error:
            if "database is locked" not in str(error):
                raise
            if attempt + 1 == BUSY_ATTEMPTS:
                raise DatabaseBusy from error
            time.sleep(FIRST_PAUSE_SECONDS * 2**attempt)


@dataclass(frozen=True)
class Learner:
    """Whose answers: a signed-in user's, or else a browser session's."""

    user_id: int | None
    session_key: str

    @classmethod
    def of(cls, request, create=False):
        """The request's learner; None for a browser without a session unless ``create``
        (answering starts one: reading a page never writes)."""
        if request.user.is_authenticated:
            return cls(request.user.pk, "")
        session = request.session
        session.keys()  # loads it: a cookie naming an expired or unknown session is dropped here
        if session.session_key is None:
            if not create:
                return None
            when_not_busy(session.save)  # a new, empty session: it gets a key and the response a cookie
        return cls(None, session.session_key)

    @property
    def answers(self):
        return QuizAnswer.objects.filter(user_id=self.user_id, session_key=self.session_key)


def record(learner, question, option):
    """Store ``option`` as the learner's latest answer to ``question`` and, if it is their
    first, as the one that is scored. Concurrent calls never overwrite one another: the
    unique constraint lets exactly one insert through, and every other call updates the row
    in place (get_or_create catches the losing insert's IntegrityError and reads the
    winner's row)."""

    def write():
        with transaction.atomic():
            answer, created = QuizAnswer.objects.get_or_create(
                user_id=learner.user_id,
                session_key=learner.session_key,
                question=question,
                defaults={"first_option": option, "latest_option": option},
            )
            if not created:
                # One UPDATE of the one column, not a save() of the row read above: a save
                # would write back the first option as read, racing whoever else updates it.
                QuizAnswer.objects.filter(pk=answer.pk).update(latest_option=option, latest_answered=timezone.now())

    when_not_busy(write)


def forget(learner, questions):
    """Delete the learner's answers to ``questions`` (the quiz's reset)."""
    when_not_busy(lambda: learner.answers.filter(question__in=questions).delete())


@dataclass(frozen=True)
class Score:
    right: int
    answered: int
    total: int


class Answers:
    """A learner's answers to one quiz's questions, read in one query."""

    def __init__(self, learner, questions):
        self.questions = questions
        rows = learner.answers.filter(question__in=questions) if learner else []
        self._rows = {row.question_id: row for row in rows}

    def first(self, question):
        return self._option(question, "first_option_id")

    def latest(self, question):
        return self._option(question, "latest_option_id")

    def _option(self, question, which):
        row = self._rows.get(question.pk)
        if row is None:
            return None
        # The question's options are prefetched with it: no query per answer.
        return next((option for option in question.options.all() if option.pk == getattr(row, which)), None)

    def score(self):
        firsts = [self.first(question) for question in self.questions]
        return Score(
            right=sum(1 for option in firsts if option is not None and option.is_correct),
            answered=sum(1 for option in firsts if option is not None),
            total=len(self.questions),
        )
