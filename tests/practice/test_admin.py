import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from tests.grading.cases import SOLUTIONS
from tests.practice.support import page_text
from tests.practice.test_tasks import PUZZLE, send

pytestmark = pytest.mark.django_db


def test_staff_see_per_puzzle_tries_and_the_share_right(client, practice_lesson):
    send(client, PUZZLE, SOLUTIONS["answer-without-outbound"])
    send(client, PUZZLE, SOLUTIONS["ssh-from-office-only"])
    client.force_login(User.objects.create_superuser("staff", "staff@example.invalid", "x"))
    page = page_text(client.get(reverse("admin:practice_puzzle_changelist")))
    assert "Allow SSH from the office only Stateful behavior of security groups in AWS 1 2 50%" in page
    assert client.get(reverse("admin:practice_projecttask_changelist")).status_code == 200
