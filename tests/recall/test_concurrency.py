"""Recall reviews counted once under concurrency: many posts of the same reviews at the same
moment, from real threads each with its own database connection, store each review once and
lose none (SQLite here; with DATABASE_URL the same tests run on PostgreSQL, as in .ci/run).
Each test prints its figures (run with -s)."""


from recall.models import RecallReview
from sgviz.recall import Rating
from tests.practice.test_concurrency import REQUESTS, _with_cookie, all_at_once, at_once, report, seeded, session_client  # noqa: F401 (seeded: a fixture)
from tests.recall.test_recall import RECALL, REVIEW

REPEATS = 3  # each review posted this many times at once, with different ratings
SESSIONS = 12  # learners reviewing their first card at the same moment


def test_one_review_sent_at_once_many_times_is_one_row(seeded):
    client = session_client()
    card = client.get(RECALL).context["card"]
    codes = at_once(lambda: _with_cookie(client).post(REVIEW, {"card": card.key, "number": 0, "rating": 3}))
    report("one review", REQUESTS, RecallReview.objects.count(), 1)
    assert codes == [302] * REQUESTS
    assert RecallReview.objects.count() == 1


def test_one_session_reviewing_every_card_at_once_keeps_one_review_a_card(seeded):
    client = session_client()
    cards = client.get(RECALL).context["cards"]
    ratings = list(Rating)[:REPEATS]
    posts = [
        (lambda key=card.key, rating=rating: _with_cookie(client).post(REVIEW, {"card": key, "number": 0, "rating": rating.value}))
        for rating in ratings
        for card in cards
    ]
    codes = all_at_once(posts)
    stored = dict(RecallReview.objects.values_list("card", "rating"))
    report(f"one session, {len(cards)} cards x {REPEATS} ratings", len(posts), RecallReview.objects.count(), len(cards))
    assert codes == [302] * len(posts)
    assert RecallReview.objects.count() == len(cards)  # one row a card: none lost, none twice
    assert stored.keys() == {card.key for card in cards}
    assert set(stored.values()) <= {rating.value for rating in ratings}


def test_many_sessions_reviewing_at_once_lose_none(seeded):
    clients = [session_client() for _ in range(SESSIONS)]
    card = clients[0].get(RECALL).context["card"]  # every new learner is shown the same first card
    sent = {client.cookies["sessionid"].value: list(Rating)[index % len(Rating)].value for index, client in enumerate(clients)}
    posts = [
        (lambda client=client, rating=sent[client.cookies["sessionid"].value]: _with_cookie(client).post(REVIEW, {"card": card.key, "number": 0, "rating": rating}))
        for client in clients
    ]
    codes = all_at_once(posts)
    stored = dict(RecallReview.objects.filter(card=card.key, number=0).values_list("session_key", "rating"))
    report(f"{SESSIONS} sessions x 1 review", len(posts), RecallReview.objects.count(), len(sent))
    assert codes == [302] * len(posts)
    assert stored == sent  # every learner's review counted once, with the rating they gave
