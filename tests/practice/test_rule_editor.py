"""The puzzle page's rule editor: the sandbox's group rows, "Check" grades and stores once,
every other button only redraws the editor; faults come back at their fields."""

import json
import re

import pytest
from django.urls import reverse

from conftest import SEED_SLUG, form_values
from practice import editing
from practice.models import PuzzleAttempt
from tests.grading.cases import starting_groups
from tests.practice.support import one_form, page_text

pytestmark = pytest.mark.django_db


def puzzle_url(slug):
    return reverse("practice:puzzle", kwargs={"slug": SEED_SLUG, "puzzle_slug": slug})


def editor_values(response):
    """What a browser would post from the page's rule editor."""
    return form_values(one_form(response.content.decode(), 'id="rule-editor"'))


def press(client, url, response, action, **typed):
    """Post the editor of ``response`` as shown, with ``typed`` laid over its fields."""
    return client.post(url, {**editor_values(response), **typed, "action": action})


def test_adding_a_rule_then_checking_solves_the_puzzle_and_stores_one_attempt(client, practice_lesson):
    url = puzzle_url("answer-without-outbound")
    page = client.get(url)
    added = press(client, url, page, "add_rule:0:in")
    assert added.status_code == 200
    assert not PuzzleAttempt.objects.exists()  # a button other than Check stores nothing
    assert 'id="f-sg0-in0-protocol"' in added.content.decode()
    checked = press(client, url, added, "check", **{"sg0-in0-from_port": "80", "sg0-in0-to_port": "80", "sg0-in0-peer": "0.0.0.0/0"})
    assert checked.status_code == 302
    assert "✓ Solved" in page_text(client.get(checked.url))
    (attempt,) = PuzzleAttempt.objects.all()
    assert attempt.solved
    stored = json.loads(attempt.groups)["SecurityGroups"][0]["IpPermissions"]
    assert stored == [{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]


def test_checking_the_same_editor_twice_is_one_attempt(client, practice_lesson):
    url = puzzle_url("ssh-from-office-only")
    page = client.get(url)
    values = {**editor_values(page), "sg0-in1-peer": "203.0.113.7/32", "action": "check"}
    first = client.post(url, values)
    again = client.post(url, values)
    assert first.status_code == again.status_code == 302
    assert again.url == first.url
    assert list(PuzzleAttempt.objects.values_list("solved", flat=True)) == [True]


def test_a_bad_port_is_shown_at_its_field_with_what_was_typed_and_nothing_is_stored(client, practice_lesson):
    url = puzzle_url("ssh-from-office-only")
    response = press(client, url, client.get(url), "check", **{"sg0-in1-from_port": "twenty-two", "sg0-in1-peer": "203.0.113.7/32"})
    assert response.status_code == 400
    html = response.content.decode()
    shown = editor_values(response)
    assert shown["sg0-in1-from_port"] == "twenty-two"
    assert shown["sg0-in1-peer"] == "203.0.113.7/32"  # the other typing is kept too
    field_input = re.search(r'<input[^>]*id="f-sg0-in1-from_port"[^>]*>', html).group()
    assert 'aria-invalid="true"' in field_input
    errors = re.search(r'<div class="field__errors" id="f-sg0-in1-from_port-errors">(.*?)</div>', html).group(1)
    assert "Error:" in errors and "twenty-two" in errors
    assert not PuzzleAttempt.objects.exists()


def test_a_rule_left_without_a_source_is_refused_at_its_field(client, practice_lesson):
    url = puzzle_url("answer-without-outbound")
    added = press(client, url, client.get(url), "add_rule:0:in")
    response = press(client, url, added, "check", **{"sg0-in0-from_port": "80", "sg0-in0-to_port": "80"})
    assert response.status_code == 400
    assert "give a source" in page_text(response)
    assert 'id="f-sg0-in0-peer" name="sg0-in0-peer" value=""' in response.content.decode()
    assert not PuzzleAttempt.objects.exists()


@pytest.mark.parametrize(
    "base",
    ["{not json", json.dumps([]), json.dumps({"security_groups": "sg-1"}), json.dumps({"security_groups": [], "instances": []})],
    ids=["not-json", "a-list", "groups-not-a-list", "more-than-groups"],
)
def test_a_garbled_base_gets_a_clear_message_and_nothing_is_stored(client, practice_lesson, base):
    url = puzzle_url("ssh-from-office-only")
    page = client.get(url)
    response = press(client, url, page, "check", base=base)
    assert response.status_code == 400
    assert editing.STALE in page_text(response)
    assert 'role="alert"' in response.content.decode()
    assert editor_values(response)["base"] == editor_values(page)["base"]  # the editor starts again from the puzzle's groups
    assert not PuzzleAttempt.objects.exists()


def test_rows_of_other_groups_than_base_are_refused_as_stale(client, practice_lesson):
    """A page drawn before a rule was removed (another tab): its rows are not base's rows."""
    url = puzzle_url("ssh-from-office-only")
    page = client.get(url)
    fewer = editing.groups_document(starting_groups("ssh-from-office-only"))
    del fewer["security_groups"][0]["IpPermissions"][1]
    response = press(client, url, page, "check", base=editing.base_text(fewer))
    assert response.status_code == 400
    assert editing.STALE in page_text(response)
    assert not PuzzleAttempt.objects.exists()


def test_a_button_that_is_not_a_group_action_is_refused(client, practice_lesson):
    url = puzzle_url("ssh-from-office-only")
    response = press(client, url, client.get(url), "add_instance")
    assert response.status_code == 400
    assert "The editor has no button 'add_instance'" in page_text(response)
    assert not PuzzleAttempt.objects.exists()


def test_removing_a_rule_redraws_the_editor_without_it(client, practice_lesson):
    url = puzzle_url("ssh-from-office-only")
    response = press(client, url, client.get(url), "remove_rule:0:in:1")
    assert response.status_code == 200
    doc = json.loads(editor_values(response)["base"])
    assert [rule["FromPort"] for rule in doc["security_groups"][0]["IpPermissions"]] == [80]
    assert not PuzzleAttempt.objects.exists()


def test_a_stored_attempt_reopens_in_the_editor(client, practice_lesson):
    url = puzzle_url("ssh-from-office-only")
    checked = press(client, url, client.get(url), "check", **{"sg0-in1-peer": "203.0.113.7/32"})
    reopened = editor_values(client.get(checked.url))
    assert reopened["sg0-in1-peer"] == "203.0.113.7/32"
