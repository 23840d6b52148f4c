"""Spaced repetition for the Recall mode: when a card comes back, worked out from its reviews.

Pure (no Django). A card's schedule is never stored: it is replayed from the learner's review
rows every time, so the rows are the one truth (a review counted once is scheduled once) and
merging two learners' histories is merging their rows.

The scheduler is FSRS (the ``fsrs`` package): a new card and a card answered "Again" come
back within minutes (learning steps of 1 and 10 minutes, relearning 10 minutes), a card
answered "Good" after those steps comes back in days, growing with each success.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from enum import IntEnum

import fsrs


class Rating(IntEnum):
    """How well the learner recalled a card (FSRS's four grades)."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4

    @property
    def label(self):
        return self.name.capitalize()


@dataclass(frozen=True)
class Review:
    rating: Rating
    at: datetime  # timezone-aware


# No fuzz: the same reviews give the same due date on every device, every visit and in tests.
# FSRS fuzzes intervals to spread a large deck's reviews over days; a lesson has a dozen cards.
_SCHEDULER = fsrs.Scheduler(enable_fuzzing=False)


def due(reviews: Iterable[Review]) -> datetime | None:
    """When the card is next due; None for a card never reviewed (it is due at once)."""
    ordered = sorted(reviews, key=lambda review: review.at)
    if not ordered:
        return None
    card = fsrs.Card(card_id=0, due=ordered[0].at)  # a fixed id: fsrs otherwise reads the clock
    for review in ordered:
        card, _ = _SCHEDULER.review_card(card, fsrs.Rating(review.rating), review_datetime=review.at)
    return card.due


def is_due(reviews: Iterable[Review], now: datetime) -> bool:
    """Whether the card should be shown now."""
    when = due(reviews)
    return when is None or when <= now


def end_of_day(now: datetime) -> datetime:
    """The last moment of ``now``'s day, in ``now``'s time zone: "due today" counts up to it."""
    return datetime.combine(now.date(), time.max, tzinfo=now.tzinfo)


def due_today(histories: Iterable[Iterable[Review]], now: datetime) -> int:
    """How many of the cards (each given by its reviews) fall due by the end of today."""
    return sum(1 for reviews in histories if is_due(reviews, end_of_day(now)))


__all__ = ["Rating", "Review", "due", "due_today", "end_of_day", "is_due"]
