"""What every learner's record has: whose it is."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from lessons.models import QuizQuestion


class LearnerRecord(models.Model):
    """Exactly one of ``user`` and ``session_key`` says whose it is."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=True) & ~Q(session_key="")) | (Q(user__isnull=False) & Q(session_key="")),
                name="%(class)s_of_a_user_or_a_session",
            ),
        ]


class QuestionResult(QuizQuestion):
    """A quiz question as staff see its results in the admin (learners/admin.py)."""

    class Meta:
        proxy = True
        verbose_name = "quiz question result"
