"""Staff see per quiz question how many answered and the share right."""

import pytest
from django.test import Client

from conftest import SEED_SLUG
from tests.practice.support import page_text

pytestmark = pytest.mark.django_db


def test_question_results_count_first_answers(admin_client, seed_lesson):
    question = seed_lesson.quiz_questions.prefetch_related("options").first()
    for option in (question.correct_option, question.options.filter(is_correct=False).first()):
        Client().post(f"/lessons/{SEED_SLUG}/quiz/{question.pk}/", {"option": option.pk})
    text = page_text(admin_client.get("/admin/learners/questionresult/"))
    assert f"{question.prompt} {seed_lesson.title} 2 50%" in text
