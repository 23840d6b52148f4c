"""What the editor's page shows after a post that redraws nothing (the fields the server
rewrote) and where it lands after a button (sandbox.editor.rewritten_fields and landing):
plain pytest and Hypothesis, no Django."""

import copy
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sandbox.document import apply_action, normalize
from sandbox.editor import apply_form, editor_rows, field_id, landing, rewritten_fields
from tests.support.editor import posted, shown

SEED = normalize(json.load(open("examples/seed-lesson.json")))
NACL_TRAP = normalize(json.load(open("examples/sandbox/nacl-trap.json")))
OLD = SEED["security_groups"][0]["GroupId"]


def with_references():
    """The seed lesson's scenario, and a second group whose rule names the first, and a
    timeline change authorizing a rule of the first group from the second."""
    doc = copy.deepcopy(SEED)
    doc["security_groups"].append(
        {"GroupId": "sg-db", "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": OLD}]}], "IpPermissionsEgress": []}
    )
    doc["timeline"].append({"at": 9, "change": {"group": OLD, "direction": "ingress", "action": "authorize", "permission": {"IpProtocol": "tcp", "UserIdGroupPairs": [{"GroupId": "sg-db"}]}}})
    return doc


def carrying(doc, rows, typed=()):
    """A save on change's post: only ``rows`` (their fields as shown), with ``typed`` over them."""
    return {name: value for name, value in posted(doc).items() if name.rsplit("-", 1)[0] in rows} | dict(typed)


# ---------------------------------------------------------------- the fields the server rewrote


def test_a_renamed_group_rewrites_its_references_in_the_rows_the_post_did_not_carry():
    base = with_references()
    data = carrying(base, {"sg0"}, {"sg0-group_id": "sg-web"})
    after = apply_form(base, data)
    assert rewritten_fields(base, after, data) == {
        "f-inst0-security_groups": "sg-web",
        "f-sg1-in0-peer": "sg-web",
        "f-t4-group": "sg-web",
    }


def test_a_renamed_prefix_list_rewrites_the_rules_that_use_it():
    base = with_references()
    base["prefix_lists"] = {"pl-office": ["203.0.113.0/24"]}
    base["security_groups"][1]["IpPermissions"][0] = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "PrefixListIds": [{"PrefixListId": "pl-office"}]}
    data = carrying(base, {"pl0"}, {"pl0-id": "pl-home"})
    assert rewritten_fields(base, apply_form(base, data), data) == {"f-sg1-in0-peer": "pl-home"}


def test_a_row_the_post_carried_keeps_the_learners_typing():
    base = with_references()
    data = carrying(base, {"sg0", "inst0"}, {"sg0-group_id": "sg-web", "inst0-name": "web"})
    after = apply_form(base, data)
    assert set(rewritten_fields(base, after, data)) == {"f-sg1-in0-peer", "f-t4-group"}


def test_nothing_is_rewritten_when_the_post_changes_only_its_own_rows():
    base = with_references()
    data = carrying(base, {"sg0", "sg0-in0"}, {"sg0-name": "web", "sg0-in0-from_port": "8080"})
    assert rewritten_fields(base, apply_form(base, data), data) == {}


def test_a_group_whose_carried_rule_changed_is_read_for_its_own_fields_only():
    base = with_references()
    data = carrying(base, {"sg1-in0"}, {"sg1-in0-to_port": "5433"})
    assert rewritten_fields(base, apply_form(base, data), data) == {}


ROWS = sorted({row.key for doc in (with_references(), NACL_TRAP) for row in editor_rows(doc).all_rows()})


@given(st.sampled_from([with_references(), NACL_TRAP, SEED]), st.sets(st.sampled_from(ROWS), max_size=4), st.sampled_from(["sg-web", "", "sg-db", OLD, "x"]))
def test_the_page_with_what_was_rewritten_written_in_shows_what_a_reload_shows(doc, carried, group_id):
    """Whatever rows a save on change carries, and whatever group id it types: the fields the
    page leaves as they were, with the rewritten ones written in, are what the stored draft's
    page shows in those rows (a carried row shows the typing, which may be spelt otherwise)."""
    data = carrying(doc, carried, {"sg0-group_id": group_id} if "sg0" in carried else {})
    after = apply_form(doc, data)
    page = {field_id(name): value for name, value in shown(doc).items()}
    page.update(rewritten_fields(doc, after, data))
    reloaded = {field.id: field.value for row in editor_rows(after).all_rows() if row.key not in carried for field in row.fields}
    assert {key: page[key] for key in reloaded} == reloaded


# ---------------------------------------------------------------- where a button lands


def everything():
    """A document with every kind of list: groups and rules, instances, subnets, ACLs and
    their entries, and a timeline of each kind of entry."""
    doc = with_references()
    for action in ("add_subnet", "add_subnet", "add_acl", "add_acl_entry:0", "add_acl_entry:0", "add_nacl_change", "add_prefix_list"):
        doc = apply_action(doc, action)
    return doc


@pytest.mark.parametrize(
    "action, lands",
    [
        # An add: the new row's first field.
        ("add_group", "f-sg2-group_id"),
        ("add_rule:1:in", "f-sg1-in1-protocol"),
        ("add_rule:0:out", "f-sg0-out0-protocol"),
        ("add_instance", "f-inst1-name"),
        ("add_subnet", "f-sn2-id"),
        ("add_acl", "f-acl1-acl_id"),
        ("add_acl_entry:0", "f-acl0-e2-rule_number"),
        ("add_packet", "f-t6-at"),
        ("reply:0", "f-t1-at"),  # right after its packet
        ("add_prefix_list", "f-pl1-id"),
        ("add_rule_change", "f-t6-at"),
        ("add_nacl_change", "f-t6-at"),
        # A removal: the row after it, now in its place; the last one's list's add button.
        ("remove_group:0", "f-sg0-group_id"),
        ("remove_group:1", "b-add-group"),
        ("remove_rule:0:in:0", "b-add-in-sg0"),
        ("remove_instance:0", "b-add-instance"),
        ("remove_subnet:0", "f-sn0-id"),
        ("remove_subnet:1", "b-add-subnet"),
        ("remove_acl:0", "b-add-acl"),
        ("remove_acl_entry:0:0", "f-acl0-e0-rule_number"),
        ("remove_acl_entry:0:1", "b-add-entry-acl0"),
        ("remove_entry:2", "f-t2-at"),
        ("remove_entry:5", "b-add-packet"),
        ("remove_prefix_list:0", "b-add-prefix-list"),
        # A wait before an entry: its button again, to wait longer.
        ("wait_before:2", "b-wait-t2"),
        # A move: the moved entry's button pressed, at its new place.
        ("move_down:1", "b-down-t2"),
        ("move_up:3", "b-up-t2"),
        ("move_up:1", "b-down-t0"),  # at the top its Move up is disabled
        ("move_down:4", "b-up-t5"),  # at the bottom its Move down is
    ],
)
def test_after_a_button_the_page_lands_where_the_learner_goes_on(action, lands):
    assert landing(action, apply_action(everything(), action)) == lands


def test_a_removal_lands_on_the_next_row_the_page_shows():
    doc = everything()
    doc["timeline"][3] = "not an entry"  # no row: the JSON box shows it
    assert landing("remove_entry:2", apply_action(doc, "remove_entry:2")) == "f-t3-at"


@pytest.mark.parametrize("action", ["save", "autosave", "run", "nonsense", "remove_rule:x:in:0", "move_up:99"])
def test_a_save_or_what_landing_cannot_place_lands_nowhere(action):
    assert landing(action, everything()) == ""
