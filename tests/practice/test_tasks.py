import json

import pytest
from django.urls import reverse

from conftest import SEED_SLUG, form_values
from practice.models import ProjectSubmission, ProjectTask, Puzzle, PuzzleAttempt
from tests.grading.cases import PROJECT_SOLUTION, SOLUTIONS, tcp
from tests.practice.support import one_form, page_text

pytestmark = pytest.mark.django_db
PUZZLE = reverse("practice:puzzle", kwargs={"slug": SEED_SLUG, "puzzle_slug": "ssh-from-office-only"})
PROJECT = reverse("practice:project", kwargs={"slug": SEED_SLUG, "task_slug": "three-tier"})



def send(client, url, groups):
    """Post the page's JSON form (its idempotency key included) with ``groups``."""
    values = form_values(one_form(client.get(url).content.decode(), "groups-form"))
    values["groups"] = groups if isinstance(groups, str) else json.dumps(groups)
    return client.post(url, values), values


def test_solving_a_puzzle_after_a_failing_attempt_that_names_the_goal(client, practice_lesson):
    start = form_values(one_form(client.get(PUZZLE).content.decode(), "groups-form"))["groups"]
    failed, _ = send(client, PUZZLE, start)
    assert failed.status_code == 302
    page = page_text(client.get(failed.url))
    assert "✗ Not solved yet" in page
    assert "✗ Not met IP A cannot reach SSH: must be dropped ✓ Allowed: Allowed by inbound rule tcp port 22 from 0.0.0.0/0" in page
    assert "✗ Not met No inbound rule opens TCP port 22 to 0.0.0.0/0" in page
    solved, _ = send(client, PUZZLE, SOLUTIONS["ssh-from-office-only"])
    assert "✓ Solved" in page_text(client.get(solved.url))
    assert list(PuzzleAttempt.objects.order_by("pk").values_list("solved", flat=True)) == [False, True]


def test_the_same_form_posted_twice_is_one_attempt(client, practice_lesson):
    first, values = send(client, PUZZLE, SOLUTIONS["ssh-from-office-only"])
    again = client.post(PUZZLE, values)
    assert again.url == first.url
    assert PuzzleAttempt.objects.count() == 1


def test_the_same_form_sent_again_with_other_rules_is_a_new_attempt(client, practice_lesson):
    _, values = send(client, PUZZLE, SOLUTIONS["ssh-from-office-only"])
    client.post(PUZZLE, dict(values, groups=json.dumps(SOLUTIONS["answer-without-outbound"])))
    assert PuzzleAttempt.objects.count() == 2


def test_bad_json_is_an_error_at_the_field_and_keeps_the_page_text(client, practice_lesson):
    response, values = send(client, PUZZLE, '{"SecurityGroups": [')
    assert response.status_code == 400
    assert "Not valid JSON: line 1, column 21" in page_text(response)
    assert form_values(one_form(response.content.decode(), "groups-form"))["groups"] == '{"SecurityGroups": ['
    assert 'aria-invalid="true"' in response.content.decode()
    assert not PuzzleAttempt.objects.exists()


def test_groups_the_engine_refuses_are_listed_with_their_paths(client, practice_lesson):
    broken = SOLUTIONS["ssh-from-office-only"]
    broken = [dict(broken[0], IpPermissions=[tcp(22, cidr="203.0.113.7/33")])]
    response, _ = send(client, PUZZLE, broken)
    assert response.status_code == 400
    assert "security_groups[0].IpPermissions[0].IpRanges[0].CidrIp: '203.0.113.7/33' is not an IPv4 CIDR" in page_text(response)


def test_a_project_with_one_forbidden_flow_open_names_it_and_is_kept(client, practice_lesson):
    groups = json.loads(json.dumps(PROJECT_SOLUTION))
    groups[3]["IpPermissions"].append(tcp(5432, group="sg-web"))
    groups[1]["IpPermissionsEgress"].append(tcp(5432, group="sg-db"))
    response, _ = send(client, PROJECT, {"SecurityGroups": groups})
    page = page_text(client.get(response.url))
    assert "✗ 9 of 10 flows right" in page
    assert "✗ Not met The web tier skips the application and queries the database: must be dropped" in page
    assert "Review: 3 of 3 checks passed" in page
    history = client.get(PROJECT).content.decode()
    submission = ProjectSubmission.objects.get()
    assert f'?submission={submission.pk}#result' in history
    assert (submission.flows_met, submission.flows_total) == (9, 10)
    # Reopened, the form holds the rules as they were sent.
    assert json.loads(form_values(client.get(response.url).content.decode())["groups"]) == {"SecurityGroups": groups}


def test_another_learners_submission_is_not_found(client, practice_lesson):
    response, _ = send(client, PROJECT, PROJECT_SOLUTION)
    client.cookies.clear()
    assert client.get(response.url).status_code == 404


def test_project_index_opens_the_first_project(client, practice_lesson):
    assert client.get(reverse("practice:project_index", kwargs={"slug": SEED_SLUG})).url == PROJECT


def test_an_invalid_task_is_refused_at_its_field(practice_lesson):
    from django.core.exceptions import ValidationError

    puzzle = Puzzle.objects.get(slug="ssh-from-office-only")
    puzzle.goals[0]["expect"] = "maybe"
    with pytest.raises(ValidationError) as error:
        puzzle.save()
    assert error.value.message_dict == {"goals": ["goals[0].expect: expected one of passes, dropped, tracked, untracked, got 'maybe'"]}
    task = ProjectTask.objects.get()
    task.scenario["instances"][0]["security_groups"] = ["sg-nope"]
    with pytest.raises(ValidationError) as error:
        task.save()
    assert list(error.value.message_dict) == ["scenario"]


def test_loading_the_content_twice_changes_nothing(practice_lesson):
    from practice.content import load_practice_content

    before = list(Puzzle.objects.values_list("pk", "slug"))
    load_practice_content()
    assert list(Puzzle.objects.values_list("pk", "slug")) == before
