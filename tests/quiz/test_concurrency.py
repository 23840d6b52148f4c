"""Many answers at the same time, through a real daphne and real HTTP requests in threads:
every answer is stored once and none is lost, on whichever database the suite runs (SQLite
by default; PostgreSQL with DATABASE_URL). Each test prints its figures (run with -s)."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import requests
from channels.testing import ChannelsLiveServerTestCase
from django.db import connection

from conftest import SEED_SLUG, load_seed_lesson
from lessons.models import Lesson, QuizOption, QuizQuestion
from quiz.models import QuizAnswer

PAGE = f"/lessons/{SEED_SLUG}/"
EXTRA_QUESTIONS = 21  # with the seed's 3: one learner answers 24 questions at once
REPEATS = 3  # ... and each of them 3 times, with different options
SESSIONS = 40  # many learners, each answering the seed's 3 questions at once
TIMEOUT = 60


class Browser:
    """One learner's browser: its cookies, and a CSRF token from the page."""

    def __init__(self, base_url):
        self.base_url = base_url
        page = requests.get(base_url + PAGE, timeout=TIMEOUT)
        page.raise_for_status()
        self.cookies = dict(page.cookies)
        self.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)

    def answer(self, question_id, option_id):
        response = requests.post(
            f"{self.base_url}{PAGE}quiz/{question_id}/",
            data={"option": option_id, "csrfmiddlewaretoken": self.token},
            cookies=self.cookies,
            headers={"HX-Request": "true"},
            timeout=TIMEOUT,
        )
        return response

    def start_session(self, question_id, option_id):
        """Answer once, alone, so that the browser holds its session cookie before the rush
        (a browser's very first answers create its session)."""
        response = self.answer(question_id, option_id)
        response.raise_for_status()
        self.cookies.update(response.cookies)
        return response.cookies["sessionid"]


def all_at_once(calls):
    """Run the calls in threads of their own, released together; their responses' status codes."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait(timeout=TIMEOUT)
        return call().status_code

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


class ConcurrentAnswersTests(ChannelsLiveServerTestCase):
    serve_static = False

    def setUp(self):
        super().setUp()
        load_seed_lesson()
        self.lesson = Lesson.objects.get(slug=SEED_SLUG)

    def report(self, what, sent, expected_rows, rows):
        print(f"\n{connection.vendor}: {what}: {sent} answers sent, {rows} of {expected_rows} stored, {expected_rows - rows} lost")

    def test_one_session_answering_many_questions_at_once_loses_none(self):
        for number in range(EXTRA_QUESTIONS):
            question = QuizQuestion.objects.create(lesson=self.lesson, order=10 + number, step=1, prompt=f"Extra {number}?")
            QuizOption.objects.bulk_create(
                QuizOption(question=question, order=order, text=text, is_correct=order == 1)
                for order, text in enumerate(["right", "wrong", "also wrong"], 1)
            )
        questions = list(self.lesson.quiz_questions.prefetch_related("options"))
        options = {question.pk: [option.pk for option in question.options.all()] for question in questions}
        browser = Browser(self.live_server_url)
        session_key = browser.start_session(questions[0].pk, options[questions[0].pk][0])

        calls = [
            (lambda q=question.pk, o=options[question.pk][repeat]: browser.answer(q, o))
            for repeat in range(REPEATS)
            for question in questions
        ]
        statuses = all_at_once(calls)

        self.assertEqual(statuses, [200] * len(calls))
        rows = QuizAnswer.objects.filter(session_key=session_key)
        answered = {row.question_id: row for row in rows}
        self.report(f"one session, {len(questions)} questions x {REPEATS} answers", len(calls), len(questions), len(answered))
        self.assertEqual(rows.count(), len(questions))  # one row a question: none lost, none twice
        for question in questions:
            row = answered[question.pk]
            self.assertIn(row.first_option_id, options[question.pk][:REPEATS])
            self.assertIn(row.latest_option_id, options[question.pk][:REPEATS])
        # The question answered before the rush keeps its first answer: the one that is scored.
        self.assertEqual(answered[questions[0].pk].first_option_id, options[questions[0].pk][0])

    def test_many_sessions_answering_at_once_lose_none(self):
        questions = list(self.lesson.quiz_questions.prefetch_related("options"))
        browsers = [Browser(self.live_server_url) for _ in range(SESSIONS)]
        keys = [browser.start_session(questions[0].pk, questions[0].options.all()[0].pk) for browser in browsers]
        QuizAnswer.objects.all().delete()  # the sessions stay; the rush gives every answer
        sent = {}  # (session key, question id) -> option id

        def choose(index, question):
            option = question.options.all()[index % question.options.count()].pk
            sent[keys[index], question.pk] = option
            return option

        calls = [
            (lambda b=browser, q=question.pk, o=choose(index, question): b.answer(q, o))
            for index, browser in enumerate(browsers)
            for question in questions
        ]
        statuses = all_at_once(calls)

        self.assertEqual(statuses, [200] * len(calls))
        stored = {(row.session_key, row.question_id): row.first_option_id for row in QuizAnswer.objects.all()}
        self.report(f"{SESSIONS} sessions x {len(questions)} questions", len(calls), len(sent), len(stored.keys() & sent.keys()))
        self.assertEqual(stored, sent)  # every answer counted once, as it was given
