"""Storing and reading quiz answers (see models.QuizAnswer for why they are rows)."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from learners.identity import when_not_busy

from .models import QuizAnswer


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
    when_not_busy(lambda: learner.records(QuizAnswer).filter(question__in=questions).delete())


@dataclass(frozen=True)
class Score:
    right: int
    answered: int
    total: int


class Answers:
    """A learner's answers to one quiz's questions, read in one query."""

    def __init__(self, learner, questions):
        self.questions = questions
        rows = learner.records(QuizAnswer).filter(question__in=questions) if learner else []
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
