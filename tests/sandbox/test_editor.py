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


def test_a_wait_refused_says_why_at_the_wait_field_and_keeps_the_typing():
    edit = read_post(Post(posted(SEED) | {"sg0-name": "mine"}, action="wait_before:1", version=1, wait="soon"), SEED, 1)
    assert edit.doc == edit.typed and edit.typed["security_groups"][0]["GroupName"] == "mine"
    assert edit.problem_field == "wait" and edit.problem.startswith("That did not work: the wait “soon” is not a positive number")


# ---------------------------------------------------------------- prefix lists

# The seed with two prefix lists, one (with a dot in its id) used by an inbound rule and by a
# rule a timeline change authorizes.
WITH_LISTS = copy.deepcopy(SEED) | {"prefix_lists": {"pl-office": ["203.0.113.0/24", "2001:db8::/32"], "pl-v.2": ["198.51.100.0/24"]}}
WITH_LISTS["security_groups"][0]["IpPermissions"].append({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "PrefixListIds": [{"PrefixListId": "pl-v.2"}]})
WITH_LISTS["timeline"].append(
    {"at": 9, "change": {"group": "sg-0a1b2c3d4e5f60001", "direction": "ingress", "action": "revoke", "permission": {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "PrefixListIds": [{"PrefixListId": "pl-v.2"}]}}}
)


def test_the_example_with_prefix_lists_is_a_valid_scenario():
    assert validate_scenario(WITH_LISTS).faults == ()


def test_prefix_lists_are_rows_in_the_objects_key_order():
    rows = editor_rows(WITH_LISTS).prefix_lists
    assert [(row.key, row.index, row.remove_action) for row in rows] == [("pl0", 0, "remove_prefix_list:0"), ("pl1", 1, "remove_prefix_list:1")]
    assert [[field.value for field in row.fields] for row in rows] == [["pl-office", "203.0.113.0/24, 2001:db8::/32"], ["pl-v.2", "198.51.100.0/24"]]
    reordered = WITH_LISTS | {"prefix_lists": dict(reversed(WITH_LISTS["prefix_lists"].items()))}
    assert [row.fields[0].value for row in editor_rows(reordered).prefix_lists] == ["pl-v.2", "pl-office"]


@pytest.mark.parametrize(
    "prefix_lists, where",
    [
        ({"pl-office": ["203.0.113.0/33"]}, {"pl0-cidrs": ["'203.0.113.0/33' is not a CIDR: write an address and a prefix length, e.g. 203.0.113.0/24 or 2001:db8::/32"]}),
        ({"pl-a": [], "pl-v.2": ["10.0.0.0/8", "nope"]}, {"pl1-cidrs": ["'nope' is not a CIDR: write an address and a prefix length, e.g. 203.0.113.0/24 or 2001:db8::/32"]}),
        ({"office": []}, {"pl0-id": ["'office' is not a prefix list id (they look like pl-0123abcd)"]}),
        ({"pl-a": [], "": []}, {"pl1-id": ["'' is not a prefix list id (they look like pl-0123abcd)"]}),
    ],
)
def test_the_engines_faults_about_a_prefix_list_are_placed_at_its_fields(prefix_lists, where):
    doc = copy.deepcopy(SEED) | {"prefix_lists": prefix_lists}
    faults = [(f.path, f.message) for f in validate_scenario(doc).faults]
    assert {path.split("[")[0].rstrip(".") for path, _ in faults} <= {f"prefix_lists.{list_id}" for list_id in prefix_lists} | {"prefix_lists"}
    editor = editor_rows(doc, faults)
    assert {field.name: list(field.errors) for row in editor.all_rows() for field in row.fields if field.errors} == where
    assert editor.general == []


def test_a_prefix_list_that_is_no_list_is_left_to_the_json_box_with_its_fault():
    doc = copy.deepcopy(SEED) | {"prefix_lists": {"pl-a": "10.0.0.0/8"}}
    editor = editor_rows(doc, [(f.path, f.message) for f in validate_scenario(doc).faults])
    assert editor.prefix_lists == [] and len(editor.general) == 1


def test_posting_a_page_with_prefix_lists_unchanged_gives_the_same_document():
    assert apply_form(WITH_LISTS, posted(WITH_LISTS)) == WITH_LISTS
    odd = WITH_LISTS | {"prefix_lists": {"pl-a": [7, " 10.0.0.0/8"]}}  # as typed in the JSON box
    assert apply_form(odd, posted(odd)) == odd


def test_a_prefix_lists_cidrs_are_written_as_typed_separated_by_commas():
    doc = apply_form(WITH_LISTS, posted(WITH_LISTS) | {"pl0-cidrs": "10.0.0.0/8 ,, 2001:db8::/33,"})
    assert doc["prefix_lists"] == {"pl-office": ["10.0.0.0/8", "2001:db8::/33"], "pl-v.2": ["198.51.100.0/24"]}


def test_renaming_a_prefix_list_renames_the_rules_that_use_it_in_place():
    doc = apply_form(WITH_LISTS, posted(WITH_LISTS) | {"pl1-id": "pl-admins"})
    assert list(doc["prefix_lists"]) == ["pl-office", "pl-admins"]
    assert doc["security_groups"][0]["IpPermissions"][1]["PrefixListIds"] == [{"PrefixListId": "pl-admins"}]
    assert doc["timeline"][-1]["change"]["permission"]["PrefixListIds"] == [{"PrefixListId": "pl-admins"}]
    assert validate_scenario(doc).faults == ()
    emptied = apply_form(WITH_LISTS, posted(WITH_LISTS) | {"pl1-id": " "})  # an id being retyped: the rules wait for it
    assert list(emptied["prefix_lists"]) == ["pl-office", ""] and emptied["security_groups"][0]["IpPermissions"][1]["PrefixListIds"] == [{"PrefixListId": "pl-v.2"}]


def test_two_prefix_lists_that_swap_ids_keep_their_rules():
    doc = apply_form(WITH_LISTS, posted(WITH_LISTS) | {"pl0-id": "pl-v.2", "pl1-id": "pl-office"})
    assert doc["prefix_lists"] == {"pl-v.2": ["203.0.113.0/24", "2001:db8::/32"], "pl-office": ["198.51.100.0/24"]}
    assert doc["security_groups"][0]["IpPermissions"][1]["PrefixListIds"] == [{"PrefixListId": "pl-office"}]


def test_two_prefix_lists_given_one_id_are_refused_and_keep_their_ids():
    post = Post(posted(WITH_LISTS) | {"pl0-id": "pl-v.2", "pl0-cidrs": "10.9.0.0/16", "sg0-name": "mine"}, action="add_packet", version=1)
    edit = read_post(post, WITH_LISTS, 1)
    assert edit.problem == "Not saved: two prefix lists cannot both have the id pl-v.2; give each its own id."
    assert edit.doc == edit.typed and list(edit.doc["prefix_lists"]) == ["pl-office", "pl-v.2"]
    assert edit.doc["prefix_lists"]["pl-office"] == ["10.9.0.0/16"] and edit.doc["security_groups"][0]["GroupName"] == "mine"
    assert len(edit.doc["timeline"]) == len(WITH_LISTS["timeline"])  # the button is not applied
