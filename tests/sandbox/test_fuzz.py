"""Hypothesis on everything the sandbox takes in: form posts, editor actions, pastes, fault
paths. Whatever comes, no exception escapes, nothing is lost, and every fault has a place."""

import json
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sandbox.compare import compare_stateless
from sandbox.document import ActionError, apply_action, normalize
from sandbox.editor import apply_form, editor_rows, form_applied, incomplete_rows, locate_fault, place_index, places
from sandbox.models import Draft
from sandbox.paste import import_paste
from sgviz.engine import validate_scenario
from sgviz.engine.errors import storage_faults
from tests.engine.hostile import hostile_files, hostile_texts
from tests.sandbox.test_paste_compare import judged_one_by_one  # imported here: a module with @given tests, imported inside one, is a nested @given

SEED = normalize(json.load(open("examples/seed-lesson.json")))
THREE_TIER_PATH = "/work/shared/fixtures/aws/three-tier-describe-security-groups.json"
NACL_TRAP = normalize(json.load(open("examples/sandbox/nacl-trap.json")))
WITH_LISTS = SEED | {"prefix_lists": {"pl-a": ["10.0.0.0/8"], "pl-b": [], "pl-c": ["2001:db8::/32", "192.0.2.0/24"]}}
DOCS = (SEED, NACL_TRAP, WITH_LISTS)
FIELD_KINDS = {field.name: field.spec.kind for doc in DOCS for row in editor_rows(doc).all_rows() for field in row.fields}
FIELD_NAMES = sorted(FIELD_KINDS)
ROW_MARKERS = sorted({f"{row.key}-present" for doc in DOCS for row in editor_rows(doc).all_rows()})

texts = st.text(max_size=40)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
form_data = st.dictionaries(st.sampled_from(FIELD_NAMES + ROW_MARKERS) | st.text(max_size=15), texts, max_size=25)


def placed_everywhere(doc):
    """Validate, place every fault, and check none is dropped on the way."""
    faults = [(f.path, f.message) for f in validate_scenario(doc).faults] + incomplete_rows(doc)
    editor = editor_rows(doc, faults)
    shown = sum(len(f.errors) for row in editor.all_rows() for f in row.fields) + sum(len(row.errors) for row in editor.all_rows())
    assert shown + len(editor.general) == len(faults)


@given(st.sampled_from(DOCS), form_data)
def test_any_form_post_gives_a_document_with_every_fault_placed(doc, data):
    updated, clashes = form_applied(doc, data)
    assume(not clashes)  # refused (read_post), every prefix list keeping its id
    json.dumps(updated)
    placed_everywhere(updated)
    # What was typed into a text field of a row on the page is what the page shows again
    # (selects and checkboxes post their own values, not typing).
    shown = {field.name: field.value for row in editor_rows(updated).all_rows() for field in row.fields}
    for name, value in data.items():
        row = name.rsplit("-", 1)[0]
        if FIELD_KINDS.get(name) == "text" and f"{row}-present" in data and value == value.strip() and value and shown.get(name, value) != value:
            # Only text the document normalises (a number's spelling, a list's separators)
            # may come back otherwise.
            assert name.endswith(("security_groups", "subnets", "flags", "cidrs")) or value.lstrip("-").isdigit() or "." in value, (name, value, shown.get(name))


@given(st.sampled_from(DOCS), st.text(max_size=30), json_values)
def test_any_action_is_applied_or_refused_with_a_reason(doc, action, wait):
    try:
        updated = apply_action(doc, action, wait)
    except ActionError as error:
        assert str(error)
    else:
        json.dumps(updated)
        placed_everywhere(updated)


@given(json_values)
def test_any_document_from_the_json_box_can_be_shown(doc):
    normalized = normalize(doc)
    if isinstance(normalized, dict):
        placed_everywhere(normalized)
    else:
        editor_rows(normalized, [("", "not an object")])


@given(st.text(max_size=200) | json_values.map(json.dumps))
def test_any_paste_is_imported_or_refused_with_a_reason(text):
    imported = import_paste(SEED, text)
    assert (imported.document is None) == bool(imported.faults)
    if imported.document is not None:
        placed_everywhere(imported.document)


@given(st.text(max_size=60))
def test_any_fault_path_has_a_place(path):
    key, field = locate_fault(path, place_index(places(SEED)))
    assert isinstance(key, str)


@pytest.mark.django_db
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=form_data,
    action=st.sampled_from(["save", "autosave", "add_rule:0:in", "reply:0", "move_up:1", "remove_entry:0", "bogus:9"]),
    stale=st.booleans(),
    forged=st.fixed_dictionaries({}, optional={"base": st.text(max_size=30), "keep": st.text(max_size=4)}),
)
def test_the_editor_view_answers_any_post_without_a_server_error(client, data, action, stale, forged):
    client.post("/try/start/", {"start": "nacl-trap"})
    page = client.get("/try/").content.decode()
    version = int(page.split('name="version" value="')[1].split('"')[0])
    response = client.post("/try/save/", {**data, "version": str(version - stale), "action": action, **forged})
    assert response.status_code in (200, 302, 400, 409)
    assert client.get("/try/").status_code == 200



def expected_answers(response):
    """What a post of hostile text may be answered with: stored (302) or refused at its box
    (400); a body over DATA_UPLOAD_MAX_MEMORY_SIZE is refused before the view (413)."""
    too_large = int(response.request["CONTENT_LENGTH"]) > django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return (413,) if too_large else (302, 400)


def post_raw(client, path, field, data):
    """Post ``data`` (bytes: broken UTF-8, a raw surrogate, NUL, whatever a client sends) in
    ``field``, with the draft's version, as a browser's form body."""
    version = Draft.objects.get().version
    return client.post(path, urlencode({field: data, "version": version}), content_type="application/x-www-form-urlencoded")


@pytest.mark.django_db
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=hostile_files() | hostile_texts().map(str.encode))
def test_hostile_json_in_the_json_box_is_never_a_server_error_nor_stored_unreadable(client, data):
    """Hostile scenario text (tests/engine/hostile.py) saved from the JSON box: refused at the
    box (400), stored (302) or, a post over what the site reads, refused in words before the
    view (413, config/errors.py); what is stored is always storable: the page opens after."""
    client.post("/try/start/", {"start": "seed"})
    response = post_raw(client, "/try/json/", "json", data)
    assert response.status_code in expected_answers(response)
    draft = Draft.objects.get()
    assert storage_faults(draft.document) == [] and storage_faults(draft.json_text) == []
    assert client.get("/try/").status_code == 200 and client.get("/try/json/").status_code == 200


@pytest.mark.django_db
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=hostile_texts(lambda: json.load(open(THREE_TIER_PATH))))
def test_a_hostile_paste_is_never_a_server_error_nor_stored_unreadable(client, text):
    client.post("/try/start/", {"start": "seed"})
    response = post_raw(client, "/try/import/", "paste", text.encode("utf-8", "surrogatepass"))
    assert response.status_code in expected_answers(response)
    draft = Draft.objects.get()
    assert storage_faults(draft.document) == [] and storage_faults(draft.paste_text) == []
    assert client.get("/try/").status_code == 200


@st.composite
def seed_timelines(draw):
    """The seed's group (or the web-ssh one) with any packets between its server and two clients."""
    base = json.load(open(draw(st.sampled_from(["examples/seed-lesson.json", "examples/sandbox/web-ssh.json"]))))
    server = base["instances"][0]["private_ip"]
    timeline = []
    for at in range(draw(st.integers(1, 8))):
        client = draw(st.sampled_from(["198.51.100.10", "203.0.113.7"]))
        ends = [f"{client}:{draw(st.sampled_from([22, 80, 443, 50000]))}", f"{server}:{draw(st.sampled_from([22, 80, 443, 50000]))}"]
        if draw(st.booleans()):
            ends.reverse()
        packet = {"src": ends[0], "dst": ends[1], "protocol": draw(st.sampled_from(["tcp", "udp"]))}
        if packet["protocol"] == "tcp":
            packet["flags"] = draw(st.sampled_from(["SYN", "SYN,ACK", "ACK", "FIN"]))
        timeline.append({"at": at * draw(st.sampled_from([1, 100])), "packet": packet})
    return {**base, "timeline": timeline}


@given(seed_timelines())
def test_the_stateless_run_matches_a_run_per_packet(doc):
    scenario = validate_scenario(doc).scenario
    assume(scenario is not None)  # e.g. flags on a udp packet the draw made tcp-less
    assert [c.stateless.verdict for c in compare_stateless(scenario)] == judged_one_by_one(scenario)
