"""Quiz answers as rows: one per learner and question, written without reading the session,
tried again while SQLite is locked, and reset on request."""

from html import unescape
from unittest import mock

import pytest
from django.db import IntegrityError, OperationalError, transaction
from django.test import Client

from conftest import SEED_SLUG
from learners import identity
from quiz import answers
from quiz.models import QuizAnswer

pytestmark = pytest.mark.django_db

PAGE = f"/lessons/{SEED_SLUG}/"
HTMX = {"HTTP_HX_REQUEST": "true"}
LOCKED = OperationalError("database is locked")


@pytest.fixture
def question(seed_lesson):
    return seed_lesson.quiz_questions.get(order=1)


def options(question):
    right = question.options.get(is_correct=True)
    wrong = question.options.filter(is_correct=False).first()
    return right, wrong


def answer(client, question, option, **extra):
    return client.post(f"{PAGE}quiz/{question.pk}/", {"option": option.pk, **extra}, **HTMX)


def test_an_answer_is_a_row_with_the_first_and_the_latest_option(client, question):
    right, wrong = options(question)
    answer(client, question, wrong)
    answer(client, question, right)
    [row] = QuizAnswer.objects.all()
    assert (row.session_key, row.user_id) == (client.session.session_key, None)
    assert (row.first_option, row.latest_option) == (wrong, right)
    assert row.latest_answered >= row.first_answered


def test_the_first_answer_starts_the_browsers_session(client, question):
    assert "sessionid" not in client.cookies
    response = answer(client, question, options(question)[0])
    assert response.cookies["sessionid"].value == QuizAnswer.objects.get().session_key


def test_reading_the_page_writes_nothing(client, question):
    client.get(PAGE)
    assert "sessionid" not in client.cookies
    assert not QuizAnswer.objects.exists()


def test_a_signed_in_learners_answers_are_theirs_in_any_browser(client, question, django_user_model):
    learner = django_user_model.objects.create_user("learner", password="a long passphrase")
    client.force_login(learner)
    answer(client, question, options(question)[0])
    assert QuizAnswer.objects.get().user == learner
    elsewhere = Client()
    elsewhere.force_login(learner)
    assert "Score: <strong>1 of 3</strong>" in elsewhere.get(PAGE).content.decode()


def test_a_cookie_naming_an_unknown_session_starts_a_new_one(client, question):
    client.cookies["sessionid"] = "x" * 32
    answer(client, question, options(question)[0])
    assert QuizAnswer.objects.get().session_key not in ("", "x" * 32)


def test_the_database_refuses_a_second_row_for_one_learner_and_question(client, question):
    right, wrong = options(question)
    answer(client, question, right)
    row = QuizAnswer.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        QuizAnswer.objects.create(session_key=row.session_key, question=question, first_option=wrong, latest_option=wrong)


def test_a_locked_database_is_tried_again_and_the_answer_kept(client, question, monkeypatch):
    monkeypatch.setattr(identity, "FIRST_PAUSE_SECONDS", 0)
    real = QuizAnswer.objects.get_or_create
    calls = []

    def locked_twice(**kwargs):
        calls.append(kwargs)
        if len(calls) <= 2:
            raise LOCKED
        return real(**kwargs)

    client.get(PAGE)
    with mock.patch.object(QuizAnswer.objects, "get_or_create", side_effect=locked_twice):
        response = answer(client, question, options(question)[0])
    assert response.status_code == 200
    assert len(calls) == 3
    assert QuizAnswer.objects.count() == 1


def test_a_database_locked_through_every_attempt_says_the_answer_was_not_recorded(client, question, monkeypatch):
    monkeypatch.setattr(identity, "FIRST_PAUSE_SECONDS", 0)
    client.get(PAGE)
    with mock.patch.object(QuizAnswer.objects, "get_or_create", side_effect=LOCKED) as attempts:
        response = answer(client, question, options(question)[0])
    assert attempts.call_count == identity.BUSY_ATTEMPTS
    assert response.status_code == 503
    html = response.content.decode()
    assert "That answer was not recorded." in html and "too busy to record that answer" in html
    assert not QuizAnswer.objects.exists()


def test_other_database_errors_are_not_retried(question):
    with mock.patch.object(QuizAnswer.objects, "get_or_create", side_effect=OperationalError("no such table")) as attempt:
        with pytest.raises(OperationalError):
            answers.record(identity.Learner(None, "k" * 32), question, question.options.first())
    assert attempt.call_count == 1


class TestReset:
    def test_reset_forgets_this_lessons_answers_and_the_score_starts_again(self, client, seed_lesson, question):
        for each in seed_lesson.quiz_questions.all():
            answer(client, each, each.options.get(is_correct=True))
        response = client.post(f"{PAGE}quiz/reset/", **HTMX)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Score: <strong>0 of 3</strong>" in html
        assert html.count('class="quiz-question" hx-swap-oob="true"') == 3 and "is-chosen" not in html
        assert "Quiz reset: no answers recorded. Score 0 of 3." in html
        assert not QuizAnswer.objects.exists()

    def test_reset_leaves_other_learners_alone(self, client, question):
        other = Client()
        answer(other, question, options(question)[0])
        answer(client, question, options(question)[0])
        client.post(f"{PAGE}quiz/reset/", **HTMX)
        assert QuizAnswer.objects.get().session_key == other.session.session_key

    def test_a_plain_reset_returns_to_the_quiz_at_the_players_step(self, client, question):
        answer(client, question, options(question)[0])
        response = client.post(f"{PAGE}quiz/reset/", {"step": "2"})
        assert response["Location"] == f"{PAGE}?step=2#quiz-heading"
        assert "Score: <strong>0 of 3</strong>" in client.get(PAGE).content.decode()

    def test_reset_without_any_answer_is_harmless(self, client):
        assert client.post(f"{PAGE}quiz/reset/", **HTMX).status_code == 200
        assert "sessionid" not in client.cookies

    def test_reset_must_be_posted_with_a_csrf_token(self, question):
        browser = Client(enforce_csrf_checks=True)
        assert browser.get(f"{PAGE}quiz/reset/").status_code == 405
        assert browser.post(f"{PAGE}quiz/reset/", **HTMX).status_code == 403

    def test_the_page_has_a_reset_form_for_keyboard_and_no_javascript(self, client):
        html = client.get(f"{PAGE}?step=1").content.decode()
        form = html[html.index('<form class="quiz__reset"'):]
        form = form[: form.index("</form>")]
        assert f'method="post" action="{PAGE}quiz/reset/"' in form and 'name="csrfmiddlewaretoken"' in form
        assert '<input type="hidden" name="step" value="1">' in form
        assert '<button type="submit"><span aria-hidden="true">↺</span> Reset the quiz</button>' in form


class TestStepOfAPlainForm:
    HUGE = "9" * 4301  # past Python's 4,300-digit limit on int()

    @pytest.mark.parametrize("bad", [HUGE, "5", "-1", "two", "²", "1#x"])
    def test_a_bad_step_keeps_the_answer_and_the_page_says_why(self, client, question, bad):
        response = client.post(f"{PAGE}quiz/{question.pk}/", {"option": options(question)[0].pk, "step": bad})
        assert response.status_code == 302
        assert response["Location"] == f"{PAGE}#question-{question.pk}"
        assert QuizAnswer.objects.count() == 1
        html = client.get(response["Location"]).content.decode()
        shown = bad if len(bad) <= 40 else f"{bad[:40]}…"
        assert f"“{shown}” is not a step of this lesson: its steps run from 0 to 4. The page opened at its default step." in html
        assert "9" * 41 not in html

    def test_a_huge_step_with_a_bad_option_is_refused_without_a_traceback(self, client, question):
        response = client.post(f"{PAGE}quiz/{question.pk}/", {"option": self.HUGE, "step": self.HUGE})
        assert response.status_code == 400
        assert f"“{'9' * 40}…” is not one of this question's options." in unescape(response.content.decode())
