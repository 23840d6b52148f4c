"""Signing up or in takes over the browser's progress, merging with the account's own."""

import pytest
from django.test import Client
from django.urls import reverse

from conftest import SEED_SLUG
from practice.models import Prediction
from quiz.models import QuizAnswer
from recall.models import RecallReview
from tests.practice.support import page_text

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough passphrase 42"
PREDICT = reverse("practice:predict", kwargs={"slug": SEED_SLUG, "step": 1})
REVIEW = reverse("recall:review", kwargs={"slug": SEED_SLUG})


def answer(client, question, option):
    client.post(f"/lessons/{SEED_SLUG}/quiz/{question.pk}/", {"option": option.pk})


def sign_in(client, username="ada"):
    return client.post(reverse("learners:sign_in"), {"username": username, "password": PASSWORD})


@pytest.fixture
def account(django_user_model):
    return django_user_model.objects.create_user("ada", password=PASSWORD)


@pytest.fixture
def question(seed_lesson):
    return seed_lesson.quiz_questions.prefetch_related("options").first()


def test_signing_up_keeps_what_the_browser_did(client, question):
    answer(client, question, question.correct_option)
    client.post(PREDICT, {"verdict": "ALLOW", "basis": "rule"})
    response = client.post(reverse("learners:sign_up"), {"username": "grace", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("learners:progress")
    assert QuizAnswer.objects.get().user.username == "grace" and Prediction.objects.get().session_key == ""
    assert "1 of 1 right (100%)" in page_text(client.get(reverse("learners:progress")))


def test_a_bad_sign_up_says_why_and_keeps_the_browsers_progress(client, question):
    answer(client, question, question.correct_option)
    response = client.post(reverse("learners:sign_up"), {"username": "grace", "password1": PASSWORD, "password2": "other"})
    assert response.status_code == 400 and "The two password fields didn’t match." in page_text(response)
    assert QuizAnswer.objects.get().user is None


def test_signing_in_merges_a_question_both_answered(client, account, question):
    wrong, right = question.options.filter(is_correct=False).first(), question.correct_option
    other = Client()
    sign_in(other)
    answer(other, question, wrong)  # the account, on another device, first
    answer(client, question, right)  # then this browser, anonymous
    assert sign_in(client).status_code == 302
    row = QuizAnswer.objects.get()  # one row: never counted twice
    assert (row.user, row.first_option, row.latest_option) == (account, wrong, right)


def test_signing_in_keeps_the_earlier_prediction(client, account):
    client.post(PREDICT, {"verdict": "DROP", "basis": "nacl"})  # this browser first
    other = Client()
    sign_in(other)
    other.post(PREDICT, {"verdict": "ALLOW", "basis": "rule"})
    sign_in(client)
    assert list(Prediction.objects.values_list("user", "verdict")) == [(account.pk, "DROP")]


def test_signing_in_joins_a_cards_reviews_into_one_history(client, account):
    card = client.get(reverse("recall:recall", kwargs={"slug": SEED_SLUG})).context["card"]
    client.post(REVIEW, {"card": card.key, "number": 0, "rating": 1})
    other = Client()
    sign_in(other)
    other.post(REVIEW, {"card": card.key, "number": 0, "rating": 3})
    sign_in(client)
    rows = RecallReview.objects.order_by("number")
    assert [(row.user_id, row.number, row.rating) for row in rows] == [(account.pk, 0, 1), (account.pk, 1, 3)]


def test_signing_out_leaves_the_progress_with_the_account(client, account, question):
    sign_in(client)
    answer(client, question, question.correct_option)
    assert client.post(reverse("learners:sign_out")).status_code == 302
    assert "0 of 3 questions answered" in page_text(client.get(reverse("learners:progress")))
    sign_in(client)
    assert "1 of 3 questions answered" in page_text(client.get(reverse("learners:progress")))


def test_the_account_forms_need_the_csrf_token(seed_lesson):
    assert Client(enforce_csrf_checks=True).post(reverse("learners:sign_in"), {"username": "x", "password": "y"}).status_code == 403
