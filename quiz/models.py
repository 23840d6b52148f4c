"""Learners' quiz answers, one row per learner and question.

A row each, never a dictionary in the session: the session is saved whole at the end of a
request, so two answers in flight from one browser would each write back their own copy and
the last would erase the other. Rows with a unique constraint can only be inserted once and
then updated in place, whatever else runs at the same time.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from learners.identity import one_learner_constraint


class QuizAnswer(models.Model):
    """A learner's answer to one question: the first option chosen (the one the score counts,
    so trying again never raises it) and the latest (the one the feedback is about).

    The learner is a signed-in user or, for everyone else, a browser session: exactly one of
    ``user`` and ``session_key`` is set."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)
    session_key = models.CharField(max_length=40, blank=True)
    question = models.ForeignKey("lessons.QuizQuestion", on_delete=models.CASCADE, related_name="answers")
    first_option = models.ForeignKey("lessons.QuizOption", on_delete=models.CASCADE, related_name="+")
    latest_option = models.ForeignKey("lessons.QuizOption", on_delete=models.CASCADE, related_name="+")
    first_answered = models.DateTimeField(auto_now_add=True)
    latest_answered = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session_key", "question"],
                condition=Q(user__isnull=True),
                name="one_answer_per_session_and_question",
            ),
            models.UniqueConstraint(
                fields=["user", "question"],
                condition=Q(user__isnull=False),
                name="one_answer_per_user_and_question",
            ),
            one_learner_constraint("answer_of_a_user_or_a_session"),
        ]

    def __str__(self):
        learner = f"user {self.user_id}" if self.user_id else f"session {self.session_key[:8]}…"
        return f"{learner}: question {self.question_id}"
