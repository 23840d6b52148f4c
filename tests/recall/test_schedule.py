"""The scheduler's due dates (sgviz.recall, pure): plain pytest, no database."""

from datetime import UTC, datetime, timedelta

import pytest

from sgviz.recall import Rating, Review, due, due_today, end_of_day, is_due

START = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
MINUTE, DAY = timedelta(minutes=1), timedelta(days=1)


def history(*ratings, start=START):
    """Reviews made the moment each one fell due, as a diligent learner would."""
    reviews = []
    for rating in ratings:
        at = due(reviews) or start
        reviews.append(Review(rating, at))
    return reviews


def test_a_card_never_reviewed_is_due_at_once():
    assert due([]) is None
    assert is_due([], START)


@pytest.mark.parametrize(
    ("ratings", "after_last"),
    [
        ((Rating.AGAIN,), 1 * MINUTE),  # missed: back within the same visit
        ((Rating.GOOD,), 10 * MINUTE),  # the second learning step
        ((Rating.GOOD, Rating.GOOD), 2 * DAY),  # learnt: a later visit
        ((Rating.GOOD, Rating.GOOD, Rating.AGAIN), 10 * MINUTE),  # forgotten: relearnt today
    ],
)
def test_when_a_card_comes_back(ratings, after_last):
    reviews = history(*ratings)
    assert due(reviews) - reviews[-1].at == after_last


def test_each_success_pushes_the_card_further_out():
    gaps = []
    for count in range(2, 6):
        reviews = history(*[Rating.GOOD] * count)
        gaps.append(due(reviews) - reviews[-1].at)
    assert gaps == sorted(gaps) and len(set(gaps)) == len(gaps)
    assert gaps[-1] > 7 * DAY


def test_easy_waits_longer_than_hard():
    hard, easy = history(Rating.HARD, Rating.HARD), history(Rating.EASY)
    assert due(easy) - easy[-1].at > due(hard) - hard[-1].at


def test_reviews_are_replayed_in_time_order_whatever_order_they_arrive_in():
    reviews = history(Rating.GOOD, Rating.GOOD, Rating.HARD)
    assert due(reversed(reviews)) == due(reviews)


def test_the_same_reviews_always_give_the_same_due_date():
    assert due(history(Rating.GOOD, Rating.EASY)) == due(history(Rating.GOOD, Rating.EASY))


def test_due_today_counts_cards_due_before_midnight():
    missed_this_morning = history(Rating.AGAIN)
    learnt = history(Rating.GOOD, Rating.GOOD)
    assert end_of_day(START) == datetime(2025, 3, 10, 23, 59, 59, 999999, tzinfo=UTC)
    assert due_today([[], missed_this_morning, learnt], START) == 2
    assert due_today([learnt], START + 2 * DAY) == 1
