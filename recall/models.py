"""A learner's reviews of Recall cards: the rows a card's schedule is replayed from
(sgviz.recall), never a schedule stored beside them."""

from django.db import models
from django.db.models import Q

from learners.models import LearnerRecord
from sgviz.recall import Rating, Review


class RecallReview(LearnerRecord):
    """The learner's ``number``-th review (from 0) of one card. The page's form carries the
    number of reviews it was shown after, so a double submit, a reload or a second tab posts
    the same number, and the unique constraint lets it in once."""

    lesson = models.ForeignKey("lessons.Lesson", on_delete=models.CASCADE, related_name="+")
    card = models.CharField(max_length=100, help_text="The card's key in the lesson's deck, e.g. quiz:12 or step:3.")
    number = models.PositiveIntegerField()
    rating = models.PositiveSmallIntegerField(choices=[(rating.value, rating.label) for rating in Rating])

    class Meta:
        ordering = ["created", "pk"]
        constraints = [
            *LearnerRecord.Meta.constraints,
            models.UniqueConstraint(fields=["session_key", "lesson", "card", "number"], condition=Q(user__isnull=True), name="one_review_per_session_card_and_number"),
            models.UniqueConstraint(fields=["user", "lesson", "card", "number"], condition=Q(user__isnull=False), name="one_review_per_user_card_and_number"),
        ]

    def __str__(self):
        return f"{self.card} #{self.number}: {Rating(self.rating).label}"

    @property
    def review(self):
        return Review(Rating(self.rating), self.created)
