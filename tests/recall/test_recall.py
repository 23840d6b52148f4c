"""The Recall page: the lesson's cards, the learner's misses joining them, reviews counted once."""

import pytest
from django.test import Client
from django.urls import reverse

from conftest import SEED_SLUG
from practice.models import Prediction
from recall.models import RecallReview
from tests.practice.support import page_text

RECALL = reverse("recall:recall", kwargs={"slug": SEED_SLUG})
REVIEW = reverse("recall:review", kwargs={"slug": SEED_SLUG})


def lesson_card_count(lesson):
    return lesson.key_moments.count() + lesson.snapshot_bullets.count()


def miss_first_question(client, lesson):
    question = lesson.quiz_questions.first()
    wrong = question.options.filter(is_correct=False).first()
    client.post(f"{lesson.get_absolute_url()}quiz/{question.pk}/", {"option": wrong.pk})
    return question


def shown_card(client):
    response = client.get(RECALL)
    return response.context["card"], response


@pytest.mark.django_db
class TestDeck:
    def test_a_new_browser_gets_the_lessons_own_cards_all_due(self, client, seed_lesson):
        card, response = shown_card(client)
        assert response.status_code == 200
        assert len(response.context["cards"]) == response.context["due_count"] == lesson_card_count(seed_lesson)
        assert card.prompt == seed_lesson.key_moments.first().question

    def test_a_missed_quiz_question_comes_first(self, client, seed_lesson):
        question = miss_first_question(client, seed_lesson)
        card, response = shown_card(client)
        assert (card.key, card.prompt, card.missed) == (f"quiz:{question.pk}", question.prompt, True)
        assert question.correct_option.text in card.answer
        assert "Quiz question you missed" in page_text(response)

    def test_a_question_answered_right_first_is_no_card(self, client, seed_lesson):
        question = seed_lesson.quiz_questions.first()
        client.post(f"{seed_lesson.get_absolute_url()}quiz/{question.pk}/", {"option": question.correct_option.pk})
        assert len(shown_card(client)[1].context["cards"]) == lesson_card_count(seed_lesson)

    def test_a_wrong_prediction_becomes_a_card_answered_by_the_engine(self, client, seed_lesson):
        client.post(reverse("practice:predict", kwargs={"slug": SEED_SLUG, "step": 1}), {"verdict": "DROP", "basis": "no-match"})
        assert Prediction.objects.count() == 1
        card, _ = shown_card(client)
        assert card.key == "step:1" and card.answer.startswith("✓ Allowed, because of a security group rule.")

    def test_the_lesson_page_says_how_many_are_due_today(self, client, seed_lesson):
        miss_first_question(client, seed_lesson)
        html = page_text(client.get(seed_lesson.get_absolute_url()))
        assert f"Recall: {lesson_card_count(seed_lesson) + 1} cards due today" in html


@pytest.mark.django_db
class TestReviews:
    def review(self, client, card, rating=3, number=None):
        return client.post(REVIEW, {"card": card.key, "number": len(card.reviews) if number is None else number, "rating": rating})

    def test_a_card_rated_good_leaves_the_queue_until_later(self, client, seed_lesson):
        card, _ = shown_card(client)
        response = self.review(client, card)
        assert response.status_code == 302 and response["Location"] == f"{RECALL}#card"
        after = shown_card(client)[1].context
        assert card.key not in [due.key for due in after["cards"] if due.due_at is None]
        assert after["due_count"] == lesson_card_count(seed_lesson) - 1

    def test_the_same_review_sent_twice_is_stored_once(self, client, seed_lesson):
        card, _ = shown_card(client)
        self.review(client, card)
        self.review(client, card, rating=1)  # a double submit of the page as it was
        assert list(RecallReview.objects.values_list("card", "number", "rating")) == [(card.key, 0, 3)]

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"card": "quiz:999999"}, "That card is not in this lesson's deck"),
            ({"rating": "9"}, "Choose how well you recalled it"),
            ({"number": "five"}, "must be a whole number"),
            ({"number": "7"}, "ahead of the card's history"),
        ],
    )
    def test_bad_input_says_why_and_stores_nothing(self, client, seed_lesson, fields, message):
        card, _ = shown_card(client)
        response = client.post(REVIEW, {"card": card.key, "number": 0, "rating": 3, **fields})
        assert response.status_code == 400
        assert message in page_text(response)
        assert not RecallReview.objects.exists()

    def test_it_needs_the_csrf_token(self, seed_lesson):
        strict = Client(enforce_csrf_checks=True)
        assert strict.post(REVIEW, {"card": "moment:1", "number": 0, "rating": 3}).status_code == 403

