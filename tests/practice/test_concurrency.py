"""Counted once under concurrency: many requests at the same moment with one prediction or
one form, from one browser session, store one row (SQLite here; with DATABASE_URL the same
test runs on PostgreSQL)."""

import json
import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from conftest import SEED_SLUG, form_values, load_seed_lesson
from lessons.models import Lesson
from practice.content import load_practice_content
from practice.models import Prediction, ProjectSubmission
from tests.grading.cases import PROJECT_SOLUTION

REQUESTS = 12


def all_at_once(posts):
    """Run each of ``posts`` in a thread of its own, released together; their status codes."""
    barrier = threading.Barrier(len(posts))
    codes = []

    def run(post):
        barrier.wait()
        try:
            codes.append(post().status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(post,)) for post in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes


def at_once(post):
    """Run ``post()`` in REQUESTS threads released together; their status codes."""
    return all_at_once([post] * REQUESTS)


def report(what, sent, stored, expected):
    """The figures of a rush (seen with -s): what was sent, and the rows stored against the
    ones that should be: any missing are lost, any more are counted twice."""
    lost, extra = max(expected - stored, 0), max(stored - expected, 0)
    print(f"\n{connection.vendor}: {what}: {sent} sent, {stored} stored of {expected} expected, {lost} lost, {extra} extra")


def session_client():
    """A client with a session already started, whose cookie the threads share."""
    client = Client()
    client.get(reverse("practice:challenge", kwargs={"slug": SEED_SLUG}))
    session = client.session
    session.save()
    client.cookies["sessionid"] = session.session_key
    return client


@pytest.fixture
def seeded(transactional_db):
    """The seed lesson and its practice tasks (a transactional test empties the database after it)."""
    if not Lesson.objects.filter(slug=SEED_SLUG).exists():
        load_seed_lesson()
    load_practice_content()


def test_one_prediction_sent_at_once_many_times_is_one_row(seeded):
    client = session_client()
    url = reverse("practice:predict", kwargs={"slug": SEED_SLUG, "step": 1})
    codes = at_once(lambda: _with_cookie(client).post(url, {"verdict": "ALLOW", "basis": "rule"}))
    report("one prediction", REQUESTS, Prediction.objects.count(), 1)
    assert codes == [302] * REQUESTS
    assert Prediction.objects.count() == 1


def test_one_project_form_sent_at_once_many_times_is_one_submission(seeded):
    client = session_client()
    url = reverse("practice:project", kwargs={"slug": SEED_SLUG, "task_slug": "three-tier"})
    values = form_values(client.get(url).content.decode())
    values["groups"] = json.dumps(PROJECT_SOLUTION)
    codes = at_once(lambda: _with_cookie(client).post(url, values))
    report("one project form", REQUESTS, ProjectSubmission.objects.count(), 1)
    assert codes == [302] * REQUESTS
    assert ProjectSubmission.objects.count() == 1


def _with_cookie(client):
    """A fresh client (one per thread: a Client is not thread-safe) in ``client``'s session."""
    fresh = Client()
    fresh.cookies = client.cookies
    return fresh
