"""The lesson page's authored content is read and rendered once per lesson version
(lessons/authored.py): the page stays the same byte for byte, and an edit shows at once."""

import re

import pytest

from conftest import SEED_SLUG
from lessons import authored
from lessons.models import Lesson, QuizOption, SnapshotBullet
from tests.test_admin import change_url, form_from

pytestmark = pytest.mark.django_db

URL = f"/lessons/{SEED_SLUG}/"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')  # a fresh mask on every response


def page(client, query=""):
    response = client.get(URL + query)
    assert response.status_code == 200
    return CSRF.sub('name="csrfmiddlewaretoken" value="…"', response.content.decode())


def every_address(lesson):
    return ["", "?projector=1", *(f"?step={step}" for step in range(lesson.step_count + 1)), "?step=99"]


def test_a_cached_page_is_the_page_built_from_the_database_at_every_step(client, seed_lesson):
    for query in every_address(seed_lesson):
        authored.forget_all()
        from_database = page(client, query)
        assert page(client, query) == from_database, query


def test_a_warm_page_asks_the_database_for_the_lesson_only(client, seed_lesson, django_assert_num_queries):
    page(client)
    with django_assert_num_queries(1):  # an anonymous learner has no answers to read
        page(client)


def test_an_edit_in_the_lesson_admin_shows_at_once(client, admin_client, seed_lesson):
    assert "Why bother" not in page(client)
    changes = {"key_moments-0-question": "Why bother with state?", "snapshot_bullets-0-text": "State is kept per flow."}
    values = form_from(admin_client, change_url(seed_lesson), **changes, **{"quiz_questions-0-options-0-text": "Option, edited"})
    assert admin_client.post(change_url(seed_lesson), values).status_code == 302
    html = page(client)
    assert "<h3>Why bother with state?</h3>" in html
    assert "<li>State is kept per flow.</li>" in html
    assert "Option, edited" in html


def test_an_edit_outside_the_lessons_form_shows_at_once(client, seed_lesson):
    """The quiz question admin, the content loader or the shell save rows one by one."""
    page(client)
    option = QuizOption.objects.filter(question__lesson=seed_lesson).first()
    option.text = "Saved on its own"
    option.save()
    assert "Saved on its own" in page(client)
    SnapshotBullet.objects.filter(lesson=seed_lesson).first().delete()
    bullets = [bullet.text for bullet in SnapshotBullet.objects.filter(lesson=seed_lesson)]
    snapshot = page(client).split('id="snapshot-heading"')[1].split("</section>")[0]
    assert snapshot.count("<li>") == len(bullets)


def test_a_saved_row_moves_its_lessons_version_on(seed_lesson):
    before = Lesson.objects.get(pk=seed_lesson.pk).updated
    SnapshotBullet.objects.create(lesson=seed_lesson, order=99, text="One more")
    assert Lesson.objects.get(pk=seed_lesson.pk).updated > before
