"""The editor's forms over the scenario document: plain pytest, no database, no Django."""

import copy
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sandbox.document import apply_action, normalize
from sandbox.editor import Post, apply_form, editor_rows, incomplete_rows, locate_fault, place_index, places, read_post, row_differences, typed
from sgviz.engine import validate_scenario
from tests.support.editor import posted

SEED = normalize(json.load(open("examples/seed-lesson.json")))
NACL_TRAP = normalize(json.load(open("examples/sandbox/nacl-trap.json")))


@pytest.mark.parametrize(
    "path, where",
    [
        ("security_groups[0].IpPermissions[0].IpRanges[0].CidrIp", ("sg0-in0", "peer")),
        ("security_groups[0].IpPermissions[0].IpRanges[0].Description", ("sg0-in0", "description")),
        ("security_groups[0].IpPermissions[0].FromPort", ("sg0-in0", "from_port")),
        ("security_groups[0].IpPermissions[0]", ("sg0-in0", None)),
        ("security_groups[0].IpPermissions", ("sg0", None)),
        ("security_groups[0].GroupId", ("sg0", "group_id")),
        ("instances[0].security_groups[0]", ("inst0", "security_groups")),
        ("instances[0].connection_tracking.UdpTimeout", ("inst0", "UdpTimeout")),
        ("timeline[3].at", ("t3", "at")),
        ("timeline[0].packet.src", ("t0", "src")),
        ("timeline[0].packet.embedded.src", ("t0", None)),
        ("labels.10.0.1.10", ("scenario", None)),
        ("", ("scenario", None)),
        ("instances[7].name", ("scenario", None)),  # no such row: shown with the general faults
    ],
)
def test_fault_paths_map_to_the_field_that_shows_the_value(path, where):
    assert locate_fault(path, place_index(places(SEED))) == where


@pytest.mark.parametrize(
    "path, where",
    [
        ("network_acls[0].Entries[1].PortRange.To", ("acl0-e1", "to_port")),
        ("network_acls[0].Entries[1].CidrBlock", ("acl0-e1", "cidr")),
        ("network_acls[0].Associations[0].SubnetId", ("acl0", "subnets")),
        ("subnets[0].cidr", ("sn0", "cidr")),
        ("timeline[2].change.entry.RuleNumber", ("t2", "rule_number")),
        ("timeline[2].change.network_acl", ("t2", "network_acl")),
        ("timeline[2].change.action", ("t2", "change_action")),
    ],
)
def test_network_acl_fault_paths_map_to_their_fields(path, where):
    assert locate_fault(path, place_index(places(NACL_TRAP))) == where


def test_every_engine_fault_of_a_broken_document_lands_at_a_field():
    doc = copy.deepcopy(SEED)
    doc["security_groups"][0]["IpPermissions"][0]["IpRanges"][0]["CidrIp"] = "10.0.0.0/33"
    doc["instances"][0]["private_ip"] = "10.0.1.300"
    doc["timeline"][2]["at"] = 0.5
    faults = [(f.path, f.message) for f in validate_scenario(doc).faults]
    editor = editor_rows(doc, faults)
    placed = {field.name: field.errors for row in editor.all_rows() for field in row.fields if field.errors}
    assert set(placed) == {"sg0-in0-peer", "inst0-private_ip", "t2-at"}
    assert "not an IPv4 CIDR" in placed["sg0-in0-peer"][0]
    assert editor.general == []


def test_posting_the_page_unchanged_gives_the_same_document():
    for doc in (SEED, NACL_TRAP, normalize(json.load(open("examples/sandbox/three-tier.json")))):
        assert apply_form(doc, posted(doc)) == doc


def test_what_is_typed_is_kept_as_typed_and_faulted_by_the_engine():
    data = posted(SEED) | {"sg0-in0-from_port": "eighty", "sg0-in0-peer": "2001:db8::/200"}
    doc = apply_form(SEED, data)
    rule = doc["security_groups"][0]["IpPermissions"][0]
    assert rule["FromPort"] == "eighty"
    assert rule["Ipv6Ranges"] == [{"CidrIpv6": "2001:db8::/200", "Description": "HTTP from anywhere"}]
    assert "IpRanges" not in rule
    paths = {f.path for f in validate_scenario(doc).faults}
    assert paths == {"security_groups[0].IpPermissions[0].FromPort", "security_groups[0].IpPermissions[0].Ipv6Ranges[0].CidrIpv6"}
    shown = {f.name: f.value for row in editor_rows(doc).all_rows() for f in row.fields}
    assert shown["sg0-in0-from_port"] == "eighty" and shown["sg0-in0-peer"] == "2001:db8::/200"


def test_peers_are_read_by_their_form():
    base = posted(SEED)
    for text, key in (("sg-other", "UserIdGroupPairs"), ("pl-0123", "PrefixListIds"), ("::/0", "Ipv6Ranges"), ("10.0.0.0/8", "IpRanges")):
        rule = apply_form(SEED, base | {"sg0-in0-peer": text})["security_groups"][0]["IpPermissions"][0]
        assert list(k for k in rule if k.endswith(("Ranges", "Ids", "Pairs"))) == [key]


def test_rows_not_on_the_posted_page_are_left_alone():
    assert apply_form(SEED, {"sg0-in0-peer": "1.2.3.0/24"}) == SEED  # no "present" marker
    assert apply_form(SEED, {"sg0-in0-present": "1"}) == SEED  # present, no fields: kept


def test_renaming_a_group_renames_its_references():
    doc = normalize(json.load(open("examples/sandbox/three-tier.json")))
    renamed = apply_form(doc, posted(doc) | {"sg1-group_id": "sg-application"})
    assert renamed["instances"][1]["security_groups"] == ["sg-application"]
    assert renamed["security_groups"][0]["IpPermissionsEgress"][0]["UserIdGroupPairs"][0]["GroupId"] == "sg-application"
    assert validate_scenario(renamed).faults == ()


def test_a_rule_without_a_peer_is_reported_at_its_peer_field():
    doc = copy.deepcopy(SEED)
    doc["security_groups"][0]["IpPermissionsEgress"].append({"IpProtocol": "tcp", "FromPort": 1, "ToPort": 2})
    found = incomplete_rows(doc)
    assert [path for path, _ in found] == ["security_groups[0].IpPermissionsEgress[0].IpRanges"]
    assert locate_fault(found[0][0], place_index(places(doc))) == ("sg0-out0", "peer")
    assert "destination" in found[0][1]


def test_a_description_typed_before_the_source_is_kept_and_the_source_asked_for():
    doc = apply_form(SEED, posted(SEED) | {"sg0-in0-peer": "", "sg0-in0-description": "web"})
    assert doc["security_groups"][0]["IpPermissions"][0]["IpRanges"] == [{"Description": "web"}]
    shown = {f.name: f for row in editor_rows(doc, [(f.path, f.message) for f in validate_scenario(doc).faults] + incomplete_rows(doc)).all_rows() for f in row.fields}
    assert shown["sg0-in0-description"].value == "web"
    assert shown["sg0-in0-peer"].errors, "the missing source is reported at its field, once"
    assert len(shown["sg0-in0-peer"].errors) == 1


def test_ports_typed_on_an_all_traffic_network_acl_entry_are_kept_and_questioned():
    doc = apply_form(NACL_TRAP, posted(NACL_TRAP) | {"acl0-e0-protocol": "-1", "acl0-e0-from_port": "22", "acl0-e0-to_port": "x"})
    assert doc["network_acls"][0]["Entries"][0]["PortRange"] == {"From": 22, "To": "x"}
    found = incomplete_rows(doc)
    assert [locate_fault(path, place_index(places(doc))) for path, _ in found] == [("acl0-e0", "from_port")]
    assert "clear the two port fields" in found[0][1]
    shown = {f.name: f.value for row in editor_rows(doc).all_rows() for f in row.fields}
    assert (shown["acl0-e0-from_port"], shown["acl0-e0-to_port"]) == ("22", "x")


def test_typed_numbers():
    assert typed("80") == 80 and typed(" -1 ") == -1 and typed("2.5") == 2.5
    assert typed("80a") == "80a" and typed("") == ""


def test_an_unreadable_document_gives_no_rows_and_no_crash():
    for doc in (None, [], "text", {"security_groups": "x", "instances": {"a": 1}, "timeline": [1, None]}):
        editor = editor_rows(doc, [("", "broken")])
        assert list(editor.all_rows()) == [] and editor.general == ["broken"]


# ---------------------------------------------------------------- a post from a page another tab overtook

# The other tab removed the seed's inbound rule and added a group: the page's "sg0-in0" names
# a rule the latest draft no longer has.
OVERTAKEN = apply_action(apply_action(SEED, "remove_rule:0:in:0"), "add_group")


def test_a_page_without_its_document_is_read_over_the_stored_one_while_it_is_at_the_stored_version():
    edit = read_post(Post(posted(SEED) | {"sg0-name": "mine"}, version=7), SEED, 7)
    assert edit.doc == apply_form(SEED, posted(SEED) | {"sg0-name": "mine"})
    assert edit.expected_version == 7 and edit.problem == ""


def test_a_page_showing_a_refused_version_is_read_over_it_even_at_the_stored_version():
    refused = apply_action(SEED, "add_group")  # say, over a cap: shown, not stored
    edit = read_post(Post(posted(refused) | {"sg1-name": "typed"}, action="remove_group:0", version=7, base=refused), SEED, 7)
    assert [group.get("GroupName") for group in edit.doc["security_groups"]] == ["typed"]


def test_a_stale_page_is_read_over_the_document_it_was_drawn_from_not_the_latest():
    post = Post(posted(SEED) | {"sg0-in0-from_port": "8080"}, action="add_rule:0:out", version=3, base=SEED)
    edit = read_post(post, OVERTAKEN, 5)
    assert edit.typed == apply_form(SEED, post.data)
    assert edit.typed["security_groups"][0]["IpPermissions"][0]["FromPort"] == 8080
    assert edit.doc == apply_action(edit.typed, "add_rule:0:out") and len(edit.doc["security_groups"]) == 1
    assert edit.expected_version == 3, "a stale page's write must find its own version, so it is refused"


def test_keep_mine_writes_the_pages_version_over_the_latest_version_it_was_shown():
    mine = apply_form(SEED, posted(SEED) | {"sg0-name": "mine"})
    edit = read_post(Post(posted(mine), version=3, base=mine, keep=5), OVERTAKEN, 5)
    assert edit.doc == mine and edit.expected_version == 5


def test_a_stale_post_without_the_pages_document_cannot_be_placed():
    for post in (Post(posted(SEED) | {"sg0-name": "mine"}, version=3), Post(posted(SEED) | {"sg0-name": "mine"}, version=3, keep=5)):
        edit = read_post(post, OVERTAKEN, 5)
        assert (edit.typed, edit.doc) == (None, None)


def test_a_button_that_fails_keeps_the_typing_and_says_why():
    edit = read_post(Post(posted(SEED) | {"sg0-name": "mine"}, action="remove_rule:0:in:4", version=1), SEED, 1)
    assert edit.doc == edit.typed and edit.typed["security_groups"][0]["GroupName"] == "mine"
    assert edit.problem.startswith("That did not work: ") and "reload the page" in edit.problem


@pytest.mark.parametrize(
    "page, latest, sentence",
    [
        (SEED, SEED, ""),
        (SEED, OVERTAKEN, "The latest draft has 2 security groups and no rules; this page has 1 security group and 1 rule."),
        (apply_action(SEED, "add_packet"), SEED, "The latest draft has 4 timeline entries; this page has 5 timeline entries."),
        (NACL_TRAP, apply_action(NACL_TRAP, "remove_acl_entry:0:0"), "The latest draft has 1 network ACL entry; this page has 2 network ACL entries."),
    ],
)
def test_the_rows_the_latest_draft_has_more_or_fewer_of_are_named(page, latest, sentence):
    assert row_differences(page, latest) == sentence
