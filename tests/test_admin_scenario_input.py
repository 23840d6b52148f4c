"""The admin's scenario field against input the database or the lesson page would refuse
(issue 7, items 4-6): each is a form error at the field naming the place, nothing is saved,
and a lesson at the size limits can always be edited and saved again."""

import copy
import json
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.db import connection
from hypothesis import HealthCheck, given, settings

from conftest import SEED_SCENARIO
from lessons.models import Lesson, LessonMode
from sgviz.engine import LESSON_LIMITS, validate_scenario
from sgviz.engine.errors import parse_json
from tests.engine.hostile import hostile_texts
from tests.test_admin import change_url, form_from

pytestmark = pytest.mark.django_db

ENGINE_MODES = sorted(LessonMode.ENGINE_MODES)


def seed_text(old, new):
    """The seed scenario as JSON text with one piece of text replaced (raw JSON allowed)."""
    text = json.dumps(SEED_SCENARIO)
    assert old in text
    return text.replace(old, new, 1)


TAGGED = '"GroupName": "web-server", "Tags": [{"Key": "note", "Value": 1}]'
BAD_INPUT = {
    "a number of 4,301 digits": (seed_text('"at": 0', '"at": ' + "9" * 4301), "timeline[0].at: a whole number of 4,301 digits"),
    "NaN under an ignored key": (
        seed_text('"GroupName": "web-server"', TAGGED.replace("1", "NaN")),
        "security_groups[0].Tags[0].Value: NaN is not a number JSON allows",
    ),
    "Infinity": (seed_text('"at": 1', '"at": Infinity'), "timeline[1].at: Infinity is not a number JSON allows"),
    "JSON nested 100,000 deep": (
        seed_text('"GroupName": "web-server"', TAGGED.replace("1", "[" * 100_000 + "]" * 100_000)),
        "invalid JSON at line 1, column ",
    ),
    "a lone surrogate in a label": (seed_text('"IP A"', '"IP \\ud800"'), "labels.198.51.100.10: contains a lone surrogate (\\ud800)"),
    "a NUL character in a label": (seed_text('"IP A"', '"IP \\u0000"'), "labels.198.51.100.10: contains the NUL character (\\u0000)"),
}


def errors_at_the_scenario_field(response):
    return response.context["adminform"].form.errors.get("scenario", [])


@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_input_is_a_form_error_naming_the_place_and_nothing_is_saved(admin_client, seed_lesson, case):
    text, expected = BAD_INPUT[case]
    before = (seed_lesson.scenario, seed_lesson.updated)
    values = form_from(admin_client, change_url(seed_lesson), title="Changed", scenario=text)
    response = admin_client.post(change_url(seed_lesson), values)
    assert response.status_code == 200
    [error] = errors_at_the_scenario_field(response)
    assert error.startswith(expected), error
    page = response.content.decode()  # the page goes back to the browser, encodable
    assert "errornote" in page
    seed_lesson.refresh_from_db()
    assert (seed_lesson.scenario, seed_lesson.updated, seed_lesson.title) == (*before, "Stateful behavior of security groups in AWS")


def test_the_form_shown_again_keeps_the_text_as_typed(admin_client, seed_lesson):
    text, _ = BAD_INPUT["a number of 4,301 digits"]
    values = form_from(admin_client, change_url(seed_lesson), scenario=text)
    response = admin_client.post(change_url(seed_lesson), values)
    assert "9" * 4301 in response.content.decode()  # not Infinity


@pytest.mark.usefixtures("without_seed_modes")
def test_an_engine_modes_scenario_is_checked_alike(admin_client, seed_lesson):
    values = form_from(admin_client, change_url(seed_lesson))
    values.update({"modes-TOTAL_FORMS": "1", "modes-0-mode": "try", "modes-0-order": "0", "modes-0-body": "Sandbox",
                   "modes-0-scenario": BAD_INPUT["NaN under an ignored key"][0]})
    response = admin_client.post(change_url(seed_lesson), values)
    assert response.status_code == 200
    [modes] = [inline.formset for inline in response.context["inline_admin_formsets"] if inline.formset.prefix == "modes"]
    [error] = modes.errors[0]["scenario"]
    assert error.startswith("security_groups[0].Tags[0].Value: NaN")
    assert not seed_lesson.modes.exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL refuses to store a lone surrogate at all")
def test_a_lesson_stored_with_a_lone_surrogate_before_the_check_can_still_be_opened_and_fixed(admin_client, seed_lesson):
    broken = copy.deepcopy(SEED_SCENARIO)
    broken["labels"]["198.51.100.10"] = "IP \ud800"
    Lesson.objects.filter(pk=seed_lesson.pk).update(scenario=broken)  # as SQLite once accepted it
    values = form_from(admin_client, change_url(seed_lesson))  # the change form opened: 200, encodable
    assert '"IP \\ud800"' in values["scenario"]
    [error] = errors_at_the_scenario_field(admin_client.post(change_url(seed_lesson), values))
    assert error.startswith("labels.198.51.100.10: contains a lone surrogate")
    values["scenario"] = values["scenario"].replace("IP \\ud800", "IP A")
    assert admin_client.post(change_url(seed_lesson), values).status_code == 302
    seed_lesson.refresh_from_db()
    assert seed_lesson.scenario == SEED_SCENARIO


def padded_to_the_limit(scenario):
    """``scenario`` with a Tags value that brings it to LESSON_LIMITS.document_bytes exactly,
    of the character that URL-encoding expands most (é: 2 bytes in UTF-8, 6 as %C3%A9)."""
    padded = copy.deepcopy(scenario)
    padded["security_groups"][0]["Tags"] = [{"Key": "padding", "Value": ""}]
    size = len(json.dumps(padded, ensure_ascii=False, indent=2).encode())
    room = LESSON_LIMITS.document_bytes - size
    padded["security_groups"][0]["Tags"][0]["Value"] = "é" * (room // 2) + "x" * (room % 2)
    assert len(json.dumps(padded, ensure_ascii=False, indent=2).encode()) == LESSON_LIMITS.document_bytes
    return padded


def as_a_browser_posts_it(values):
    """The form body a browser sends: URL-encoded, with CRLF line ends in text areas."""
    return urlencode({name: value.replace("\n", "\r\n") for name, value in values.items()})


class TestSizeLimits:
    @pytest.mark.usefixtures("without_seed_modes")
    def test_a_lesson_with_every_scenario_at_the_limit_can_be_edited_and_saved_again(self, admin_client, seed_lesson):
        Lesson.objects.filter(pk=seed_lesson.pk).update(scenario=padded_to_the_limit(SEED_SCENARIO))
        for order, mode in enumerate(ENGINE_MODES):
            LessonMode.objects.create(lesson=seed_lesson, mode=mode, order=order, scenario=padded_to_the_limit(SEED_SCENARIO))
        values = form_from(admin_client, change_url(seed_lesson), title="Edited at the limit")
        body = as_a_browser_posts_it(values)
        assert len(body) < django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE, f"{len(body):,} bytes"
        response = admin_client.post(change_url(seed_lesson), body, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 302
        seed_lesson.refresh_from_db()
        assert seed_lesson.title == "Edited at the limit" and seed_lesson.modes.count() == len(ENGINE_MODES)

    def test_a_scenario_one_byte_over_the_limit_is_refused_with_the_limit_named(self, admin_client, seed_lesson):
        over = padded_to_the_limit(SEED_SCENARIO)
        over["security_groups"][0]["Tags"][0]["Value"] += "x"
        values = form_from(admin_client, change_url(seed_lesson), scenario=json.dumps(over))
        [error] = errors_at_the_scenario_field(admin_client.post(change_url(seed_lesson), values))
        assert error == ("the scenario is 131,073 bytes as indented JSON, more than the 131,072 (128 KiB) a lesson can hold and "
                         "still be edited; leave out what the lesson does not use (groups, rules, instances, AWS keys such as Tags)")
        seed_lesson.refresh_from_db()
        assert seed_lesson.scenario == SEED_SCENARIO

    def test_a_timeline_over_the_limit_is_refused(self, admin_client, seed_lesson):
        long = copy.deepcopy(SEED_SCENARIO)
        long["timeline"] = [dict(long["timeline"][0], at=index) for index in range(LESSON_LIMITS.timeline_entries + 1)]
        values = form_from(admin_client, change_url(seed_lesson), scenario=json.dumps(long))
        [error] = errors_at_the_scenario_field(admin_client.post(change_url(seed_lesson), values))
        assert error.startswith("timeline: 501 entries are more than the 500 a lesson can play")


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=hostile_texts())
def test_fuzz_the_scenario_field_through_the_admin_never_a_server_error(admin_client, seed_lesson, text):
    """Hostile scenario text (tests/engine/hostile.py) posted as a logged-in author would:
    refused with the faults at the field and nothing saved, or saved and then valid, with its
    change form and lesson page still opening. A server error raises out of the client."""
    seed_lesson.refresh_from_db()
    before = (seed_lesson.scenario, seed_lesson.updated)
    # As a browser posts it: a lone surrogate cannot be encoded in UTF-8 and is sent as U+FFFD
    # (the test client cannot encode it at all).
    text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    values = form_from(admin_client, change_url(seed_lesson), scenario=text)
    response = admin_client.post(change_url(seed_lesson), values)
    seed_lesson.refresh_from_db()
    if response.status_code == 200:
        response.content.decode()  # encodable
        at_the_field = errors_at_the_scenario_field(response)
        # A valid scenario can still be refused elsewhere: a key moment past its last step.
        assert at_the_field or validate_scenario(parse_json(text), limits=LESSON_LIMITS).faults == ()
        assert (seed_lesson.scenario, seed_lesson.updated) == before
        return
    assert response.status_code == 302
    assert validate_scenario(seed_lesson.scenario, limits=LESSON_LIMITS).faults == ()
    assert admin_client.get(change_url(seed_lesson)).status_code == 200
    assert admin_client.get(seed_lesson.get_absolute_url()).status_code == 200
