import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from practice.admin import challenge_step_results
from practice.models import Prediction
from tests.grading.cases import SOLUTIONS
from tests.practice.support import page_text
from tests.practice.test_challenge import predict
from tests.practice.test_tasks import PUZZLE, send

pytestmark = pytest.mark.django_db


def test_staff_see_per_puzzle_tries_and_the_share_right(client, practice_lesson):
    send(client, PUZZLE, SOLUTIONS["answer-without-outbound"])
    send(client, PUZZLE, SOLUTIONS["ssh-from-office-only"])
    client.force_login(User.objects.create_superuser("staff", "staff@example.invalid", "x"))
    page = page_text(client.get(reverse("admin:practice_puzzle_changelist")))
    assert "Allow SSH from the office only Stateful behavior of security groups in AWS 1 2 50%" in page
    assert client.get(reverse("admin:practice_projecttask_changelist")).status_code == 200


def test_staff_see_per_challenge_step_who_tried_and_the_shares_right(practice_lesson):
    """Four learners (one signed in) predict the seed lesson's steps; the right answers are
    1: allowed by a rule, 2: allowed by connection state."""
    both_right, verdict_wrong, reason_wrong, signed_in = Client(), Client(), Client(), Client()
    signed_in.force_login(User.objects.create_user("learner", password="x"))
    predict(both_right, 1, "ALLOW", "rule")
    predict(both_right, 2, "ALLOW", "state")
    predict(verdict_wrong, 1, "DROP", "rule")
    predict(verdict_wrong, 1, "ALLOW", "rule")  # a retry of a revealed step: the first one counts
    predict(verdict_wrong, 2, "DROP", "no-match")
    predict(reason_wrong, 1, "ALLOW", "nacl")
    predict(signed_in, 1, "ALLOW", "rule")

    staff = Client()
    staff.force_login(User.objects.create_superuser("staff", "staff@example.invalid", "x"))
    changelist = staff.get(reverse("admin:practice_prediction_changelist")).content.decode()
    steps = reverse("admin:practice_prediction_steps")
    assert f'href="{steps}"' in changelist
    page = page_text(staff.get(steps))
    assert "Lesson Step Tried Share verdict right Share reason right Share both right" in page
    title = practice_lesson.title
    assert f"{title} 1 4 75% 75% 50% {title} 2 2 50% 50% 50%" in page


def test_the_step_results_keep_one_lesson_and_say_when_nobody_tried(admin_client, practice_lesson):
    steps = reverse("admin:practice_prediction_steps")
    assert "No learner has predicted a challenge step of this lesson yet." in page_text(admin_client.get(f"{steps}?lesson={practice_lesson.pk}"))
    predict(Client(), 1, "ALLOW", "rule")
    assert f"{practice_lesson.title} 1 1 100% 100% 100%" in page_text(admin_client.get(f"{steps}?lesson={practice_lesson.pk}"))
    assert "No learner has predicted" in page_text(admin_client.get(f"{steps}?lesson={practice_lesson.pk + 1}"))


def test_the_step_results_are_one_query(practice_lesson, django_assert_num_queries):
    for verdict in ("ALLOW", "DROP"):
        predict(Client(), 1, verdict, "rule")
    with django_assert_num_queries(1):
        rows = challenge_step_results(Prediction.objects.all())
    assert [(row["step"], row["tried"], row["shares"]) for row in rows] == [(1, 2, ["50%", "100%", "50%"])]


def test_the_step_results_are_for_staff_only(client, practice_lesson):
    steps = reverse("admin:practice_prediction_steps")
    assert client.get(steps)["Location"].startswith(reverse("admin:login"))
    client.force_login(User.objects.create_user("learner", password="x", is_staff=True))  # staff without the view permission
    assert client.get(steps).status_code == 403
