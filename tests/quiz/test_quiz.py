"""The visual quiz: feedback at once, a hint on request, a score that counts first answers."""

import re
from html import unescape

import pytest
from django.conf import settings
from django.test import Client

from conftest import SEED_SCENARIO, SEED_SLUG
from lessons.models import Lesson, QuizOption, QuizQuestion
from quiz.models import QuizAnswer

pytestmark = pytest.mark.django_db

PAGE = f"/lessons/{SEED_SLUG}/"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def question(seed_lesson):
    """Question 1: what happens at step 1 (the right answer is option C)."""
    return seed_lesson.quiz_questions.get(order=1)


def option(question, correct):
    return question.options.filter(is_correct=correct).first()


def answer(client, question, option_id, **headers):
    return client.post(f"{PAGE}quiz/{question.pk}/", {"option": option_id}, **headers)


def text(fragment):
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def score(html):
    return re.search(r"Score: <strong>(\d+ of \d+)</strong> <span class=\"quiz__score-note\">\((\d+) answered\)", html).groups()


def test_a_right_answer_gets_praise_the_explanation_and_a_point(client, question):
    response = answer(client, question, option(question, True).pk, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<article id="question-{question.pk}"' in html
    assert "✓</span> Right: The packet is allowed and connection state is recorded" in html
    assert "That record is what lets the reply out at step 2." in html
    assert score(html) == ("1 of 3", "1")
    assert 'hx-swap-oob="true"' in html
    assert "Question 1: right. Score 1 of 3." in html


def test_a_wrong_answer_says_why_that_answer_is_wrong_and_invites_another(client, question):
    wrong = option(question, False)
    html = answer(client, question, wrong.pk, **HTMX).content.decode()
    assert f"✗</span> Not quite: “{wrong.text}” is not the answer.</p>" in html
    assert text(html).count("Allowing a packet without remembering it is how a stateless filter") == 1
    assert "Try another answer." in html
    assert "is-chosen is-wrong" in html
    assert score(html) == ("0 of 3", "1")


def feedback(html):
    return text(re.search(r'<div id="question-\d+-feedback" class="feedback">(.*?)</div>', html, re.S).group(1))


def test_no_wrong_answer_of_the_seed_gives_the_right_one_away(client, seed_lesson):
    for question in seed_lesson.quiz_questions.prefetch_related("options"):
        right = question.correct_option
        for wrong in question.options.filter(is_correct=False):
            said = feedback(answer(client, question, wrong.pk, **HTMX).content.decode())
            assert wrong.why and text(wrong.why) in said, wrong.text
            assert right.text.lower() not in said.lower() and text(question.explanation) not in said, wrong.text
            assert f"step {question.step}" not in said.lower() or f"step {question.step}" in text(wrong.why).lower()


def test_a_wrong_option_without_its_why_still_invites_another_try(client, question):
    wrong = option(question, False)
    wrong.why = ""
    wrong.save()
    said = feedback(answer(client, question, wrong.pk, **HTMX).content.decode())
    assert said.endswith("is not the answer. Try another answer.")


def test_feedback_links_to_the_step_the_question_is_about(client, question):
    html = answer(client, question, option(question, True).pk, **HTMX).content.decode()
    assert f'href="{PAGE}?step=1#flow" data-goto="1">Show step 1 in the player</a>' in html


def test_a_hint_is_there_on_request(client, question):
    html = client.get(PAGE).content.decode()
    hint = re.search(r'<details class="hint">.*?</details>', html, re.S).group(0)
    assert text(hint) == "Hint Refer to execution_table row with Step 1 under 'Action'"
    # An icon every machine can draw (an emoji needs an emoji font), hidden from screen readers.
    assert '<svg class="hint__icon" aria-hidden="true" focusable="false"' in hint
    assert not re.search(r"[\U0001F000-\U0001FFFF]", hint)


def test_only_the_first_answer_to_a_question_is_scored(client, question):
    answer(client, question, option(question, False).pk, **HTMX)
    html = answer(client, question, option(question, True).pk, **HTMX).content.decode()
    assert "Right: The packet is allowed and connection state is recorded" in html  # feedback on the retry
    assert score(html) == ("0 of 3", "1")  # the score keeps the first, wrong answer


def test_a_right_answer_repeated_counts_once(client, question):
    answer(client, question, option(question, True).pk, **HTMX)
    html = answer(client, question, option(question, True).pk, **HTMX).content.decode()
    assert score(html) == ("1 of 3", "1")


def test_the_score_adds_up_over_questions(client, seed_lesson):
    for question in seed_lesson.quiz_questions.all():
        html = answer(client, question, option(question, True).pk, **HTMX).content.decode()
    assert score(html) == ("3 of 3", "3")


def test_answers_survive_a_reload(client, question):
    answer(client, question, option(question, False).pk, **HTMX)
    answer(client, question, option(question, True).pk, **HTMX)
    html = client.get(PAGE).content.decode()
    assert score(html) == ("0 of 3", "1")
    assert "Right: The packet is allowed and connection state is recorded" in html
    assert html.count("is-chosen") == 1


def test_a_plain_form_post_redirects_back_to_the_question(client, question):
    response = answer(client, question, option(question, True).pk)
    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}#question-{question.pk}"
    assert score(client.get(PAGE).content.decode()) == ("1 of 3", "1")


def test_a_plain_form_post_keeps_the_players_step(client, question):
    html = client.get(f"{PAGE}?step=2").content.decode()
    assert '<input type="hidden" name="step" value="2">' in html
    response = client.post(f"{PAGE}quiz/{question.pk}/", {"option": option(question, True).pk, "step": "2"})
    assert response["Location"] == f"{PAGE}?step=2#question-{question.pk}"
    response = client.post(f"{PAGE}quiz/{question.pk}/", {"option": option(question, True).pk, "step": "0"})
    assert response["Location"] == f"{PAGE}?step=0#question-{question.pk}"


@pytest.mark.parametrize("bad", ["5", "-1", "two", "²", "1#x", ""])
def test_a_bad_step_in_a_quiz_form_is_dropped_and_the_answer_kept(client, question, bad):
    response = client.post(f"{PAGE}quiz/{question.pk}/", {"option": option(question, True).pk, "step": bad})
    assert response["Location"] == f"{PAGE}#question-{question.pk}"
    assert score(client.get(PAGE).content.decode()) == ("1 of 3", "1")


def test_a_bad_option_without_htmx_keeps_the_players_step(client, question):
    response = client.post(f"{PAGE}quiz/{question.pk}/", {"option": "abc", "step": "1"})
    assert response.status_code == 400
    assert '<output id="step-status" class="player__status" for="player-scrubber" aria-live="off">Step 1 of 4</output>' in response.content.decode()


def test_answers_are_kept_per_browser_session(client, question):
    answer(client, question, option(question, True).pk, **HTMX)
    assert score(Client().get(PAGE).content.decode()) == ("0 of 3", "0")


@pytest.mark.parametrize("bad", ["abc", "", "999999", "1.5", "-1"])
def test_a_bad_option_id_is_refused_clearly_and_nothing_is_stored(client, question, bad):
    response = answer(client, question, bad, **HTMX)
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert "That answer was not recorded." in html
    assert f"“{bad}” is not one of this question's options. Pick one of the lettered answers." in html
    assert not QuizAnswer.objects.exists()


def test_an_option_of_another_question_is_refused(client, seed_lesson, question):
    other = seed_lesson.quiz_questions.get(order=2).options.first()
    assert answer(client, question, other.pk, **HTMX).status_code == 400
    assert score(client.get(PAGE).content.decode()) == ("0 of 3", "0")


def test_a_bad_option_without_htmx_shows_the_page_with_the_error(client, question):
    response = answer(client, question, "abc")
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert "<h1 id=\"lesson-title\">" in html
    assert "“abc” is not one of this question's options." in html


def test_a_question_of_another_lesson_is_not_found(client, question):
    other = Lesson.objects.create(slug="other", title="Other", scenario=SEED_SCENARIO, published=True)
    foreign = QuizQuestion.objects.create(lesson=other, prompt="?", step=1)
    choice = QuizOption.objects.create(question=foreign, text="yes", is_correct=True)
    assert client.post(f"{PAGE}quiz/{foreign.pk}/", {"option": choice.pk}).status_code == 404


def test_a_quiz_of_an_unpublished_lesson_is_not_found(client, seed_lesson, question):
    seed_lesson.published = False
    seed_lesson.save()
    assert answer(client, question, option(question, True).pk).status_code == 404


def test_answers_must_be_posted(client, question):
    assert client.get(f"{PAGE}quiz/{question.pk}/").status_code == 405


def test_csrf_is_enforced(question):
    browser = Client(enforce_csrf_checks=True)
    right = option(question, True).pk
    assert answer(browser, question, right, **HTMX).status_code == 403
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', browser.get(PAGE).content.decode()).group(1)
    response = browser.post(f"{PAGE}quiz/{question.pk}/", {"option": right, "csrfmiddlewaretoken": token}, **HTMX)
    assert response.status_code == 200


def test_the_page_loads_the_quizs_own_script(client, seed_lesson):
    html = client.get(PAGE).content.decode()
    assert '<script src="/static/js/quiz.js" defer></script>' in html
    player_scripts = ("player.js", "flowchart.js")
    assert all("htmx:beforeSwap" not in (settings.BASE_DIR / "static" / "js" / name).read_text() for name in player_scripts)


def test_a_page_without_a_quiz_loads_no_quiz_script(client, seed_lesson):
    seed_lesson.quiz_questions.all().delete()
    assert "quiz.js" not in client.get(PAGE).content.decode()
