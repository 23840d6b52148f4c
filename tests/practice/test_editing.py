"""practice.editing, the puzzle editor's pure core: base in, the posted typing laid over it,
then Check or one group action; anything else refused with a reason."""

import json

import pytest

from practice import editing
from sandbox.editor import editor_rows
from tests.grading.cases import starting_groups

START = editing.groups_document(starting_groups("ssh-from-office-only"))


def shown_fields(doc):
    """The form a browser would post from the editor drawn for ``doc``."""
    return {
        **{f"{row.key}-present": "1" for row in editor_rows(doc).all_rows()},
        **{field.name: field.value for row in editor_rows(doc).all_rows() for field in row.fields},
    }


def test_base_text_reads_back_as_the_same_document():
    assert editing.read_base(editing.base_text(START), 10_000) == START


@pytest.mark.parametrize("text", ["", "{", "[]", '{"security_groups": {}}', '{"security_groups": [], "timeline": []}', "[" * 5000])
def test_a_garbled_base_is_refused(text):
    with pytest.raises(editing.EditError, match="out of date"):
        editing.read_base(text, 100_000)


def test_a_base_over_the_size_limit_is_refused():
    with pytest.raises(editing.EditError):
        editing.read_base(editing.base_text(START), 10)


def test_check_keeps_the_typing_as_typed():
    posted = {**shown_fields(START), "sg0-in1-peer": "203.0.113.7/32", "sg0-in1-from_port": "twenty-two"}
    edited = editing.edit(START, posted, editing.CHECK)
    assert edited.check
    rule = edited.doc["security_groups"][0]["IpPermissions"][1]
    assert rule["FromPort"] == "twenty-two" and rule["IpRanges"][0]["CidrIp"] == "203.0.113.7/32"
    assert START["security_groups"][0]["IpPermissions"][1]["FromPort"] == 22  # base itself untouched


def test_a_group_action_applies_after_the_typing():
    posted = {**shown_fields(START), "sg0-in0-description": "web"}
    edited = editing.edit(START, posted, "add_rule:0:out")
    assert not edited.check
    group = edited.doc["security_groups"][0]
    assert group["IpPermissions"][0]["IpRanges"][0]["Description"] == "web"
    assert group["IpPermissionsEgress"] == [{"IpProtocol": "tcp"}]


@pytest.mark.parametrize("action", ["add_instance", "reply:0", "run", ""])
def test_buttons_of_the_sandbox_that_are_not_group_actions_are_refused(action):
    with pytest.raises(editing.EditError, match="no button"):
        editing.edit(START, shown_fields(START), action)


def test_a_group_action_naming_a_missing_row_is_stale():
    with pytest.raises(editing.EditError, match="out of date"):
        editing.edit(START, shown_fields(START), "remove_rule:0:in:7")


def test_rows_that_are_not_base_rows_are_stale():
    posted = {**shown_fields(START), "sg0-in2-present": "1"}
    with pytest.raises(editing.EditError, match="out of date"):
        editing.edit(START, posted, editing.CHECK)


def test_the_document_is_one_rule_per_peer_and_json():
    two_peers = [{"GroupId": "sg-1", "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8"}, {"CidrIp": "192.0.2.0/24"}]}]}]
    doc = editing.groups_document({"SecurityGroups": two_peers})
    assert [rule["IpRanges"] for rule in doc["security_groups"][0]["IpPermissions"]] == [[{"CidrIp": "10.0.0.0/8"}], [{"CidrIp": "192.0.2.0/24"}]]
    assert json.loads(editing.base_text(doc)) == doc
