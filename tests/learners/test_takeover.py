"""Signing up or in takes over the browser's progress, merging with the account's own."""

import pytest
from django.test import Client
from django.urls import reverse

from conftest import SEED_SLUG, form_values
from practice.models import Prediction
from quiz.models import QuizAnswer
from recall.models import RecallReview
from sandbox.models import Draft
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


LESSON_TRY = f"/lessons/{SEED_SLUG}/try/"


def groups_shown(client, address="/try/"):
    """The security group ids a page of the sandbox's editor shows."""
    values = form_values(client.get(address).content.decode())
    return [value for name, value in values.items() if name.endswith("-group_id")]


def test_a_signed_in_learners_drafts_are_their_accounts_on_every_device(client, account, seed_lesson):
    sign_in(client)
    client.post("/try/start/", {"start": "three-tier"})
    client.post(LESSON_TRY + "start/", {"start": "web-ssh"})
    assert set(Draft.objects.values_list("user", "session_key", "lesson")) == {(account.pk, "", None), (account.pk, "", seed_lesson.pk)}
    other = Client()
    sign_in(other)
    assert len(groups_shown(other)) == 3 and groups_shown(other, LESSON_TRY) == groups_shown(client, LESSON_TRY)
    assert groups_shown(Client()) == [], "not anyone else's"


def test_signing_in_brings_the_browsers_drafts_to_the_account(client, account, seed_lesson):
    client.post("/try/start/", {"start": "three-tier"})
    client.post(LESSON_TRY + "start/", {"start": "web-ssh"})
    assert sign_in(client).status_code == 302
    assert set(Draft.objects.values_list("user", "session_key", "lesson")) == {(account.pk, "", None), (account.pk, "", seed_lesson.pk)}
    assert len(groups_shown(client)) == 3


@pytest.mark.parametrize("changed_last", ["this browser", "the account"])
def test_signing_in_keeps_the_draft_changed_last_and_stores_no_older_page_over_it(client, account, seed_lesson, changed_last):
    other = Client()
    sign_in(other)
    first, then = (other, client) if changed_last == "this browser" else (client, other)
    first.post("/try/start/", {"start": "seed"})
    then.post("/try/start/", {"start": "three-tier"})
    pages = {"account": form_values(other.get("/try/").content.decode()), "browser": form_values(client.get("/try/").content.decode())}
    sign_in(client)
    assert Draft.objects.count() == 1 and Draft.objects.get().user == account and len(groups_shown(client)) == 3
    kept = Draft.objects.get().document
    # A page drawn from either draft before the sign-in is now stale: its save stores nothing and offers the choice.
    assert other.post("/try/save/", pages["account"] | {"sg0-name": "from the account's page"}).status_code == 409
    assert client.post("/try/save/", pages["browser"] | {"sg0-name": "from the browser's page"}).status_code == 409
    assert Draft.objects.get().document == kept


def test_signing_out_leaves_the_drafts_with_the_account(client, account, seed_lesson):
    sign_in(client)
    client.post("/try/start/", {"start": "three-tier"})
    client.post(reverse("learners:sign_out"))
    assert groups_shown(client) == [] and Draft.objects.get().user == account
    sign_in(client)
    assert len(groups_shown(client)) == 3


def test_the_account_forms_need_the_csrf_token(seed_lesson):
    assert Client(enforce_csrf_checks=True).post(reverse("learners:sign_in"), {"username": "x", "password": "y"}).status_code == 403
