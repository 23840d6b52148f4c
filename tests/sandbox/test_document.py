"""The sandbox's document helpers: plain pytest, no database, no Django."""

import copy
import ipaddress
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.engine.hostile import hostile_texts

from sandbox.document import (
    DEFAULT_WAIT,
    MAX_DOCUMENT_BYTES,
    MAX_NETWORK_ACLS,
    MAX_PREFIX_LISTS,
    MAX_SUBNETS,
    MAX_TIMELINE_ENTRIES,
    ActionError,
    apply_action,
    blank,
    cap_problems,
    content_id,
    counted,
    encoded_size,
    free_private_ip,
    new_packet,
    normalize,
    read_json,
    reply_to,
    storage_problems,
)
from sgviz.engine import Verdict, dump_scenario, load_scenario, simulate, validate_scenario

SEED = json.load(open("examples/seed-lesson.json"))
HYBRID = json.load(open("/work/shared/fixtures/aws/hybrid-cloud-describe-security-groups.json"))


def test_normalize_gives_one_rule_per_permission_and_the_same_scenario():
    doc = {"security_groups": HYBRID, "instances": []}
    normalized = normalize(doc)
    assert isinstance(normalized["security_groups"], list)
    for group in normalized["security_groups"]:
        for permission in group.get("IpPermissions", []) + group.get("IpPermissionsEgress", []):
            assert sum(len(permission.get(k, [])) for k in ("IpRanges", "Ipv6Ranges", "PrefixListIds", "UserIdGroupPairs")) <= 1
    assert load_scenario(normalized) == load_scenario(doc)


def test_actions_build_a_scenario_that_runs():
    doc = blank()
    for action in ("add_group", "add_rule:0:in", "add_instance", "add_packet"):
        doc = apply_action(doc, action)
    doc["security_groups"][0]["IpPermissions"][0].update({"FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]})
    doc["instances"][0]["private_ip"] = "10.0.0.5"
    doc["timeline"][0]["packet"].update({"src": "198.51.100.1:40000", "dst": "10.0.0.5:22"})
    doc = apply_action(doc, "reply:0", wait=5)
    assert doc["timeline"][1] == {"at": 5, "packet": {"src": "10.0.0.5:22", "dst": "198.51.100.1:40000", "protocol": "tcp", "flags": "SYN,ACK"}}
    assert validate_scenario(doc).faults == ()


def test_new_rows_start_as_a_scenario_that_runs():
    """+ Add instance and + Add packet give rows with no empty field in error: an instance with a
    free address beside the others, a packet between instances on an unused client port."""
    doc = blank()
    for action in ("add_group", "add_instance", "add_packet", "add_instance", "add_packet", "add_packet"):
        doc = apply_action(doc, action)
    assert [i["private_ip"] for i in doc["instances"]] == ["10.0.1.10", "10.0.1.11"]
    packets = [e["packet"] for e in doc["timeline"]]
    assert [(p["src"], p["dst"]) for p in packets] == [
        ("198.51.100.10:50000", "10.0.1.10:80"),  # one instance: a client from outside to it
        ("10.0.1.10:50000", "10.0.1.11:80"),  # two: the one before the last to the last
        ("10.0.1.10:50001", "10.0.1.11:80"),  # a new connection, not the same one again
    ]
    assert validate_scenario(doc).faults == ()


def test_a_new_packet_is_one_the_servers_first_tcp_rule_lets_in():
    """The learner who wrote "SSH from 203.0.113.5" and added a packet sends that one."""
    doc = blank()
    for action in ("add_group", "add_rule:0:in", "add_instance"):
        doc = apply_action(doc, action)
    doc["security_groups"][0]["IpPermissions"][0].update({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "203.0.113.5/32"}]})
    assert doc["instances"][0]["security_groups"] == ["sg-1"]
    doc = apply_action(doc, "add_packet")
    packet = doc["timeline"][0]["packet"]
    assert (packet["src"], packet["dst"]) == ("203.0.113.5:50000", "10.0.1.10:22")
    assert [result.verdict for result in simulate(load_scenario(doc)).results] == [Verdict.ALLOW]
    doc["security_groups"][0]["IpPermissions"][0]["IpRanges"] = [{"CidrIp": "0.0.0.0/0"}]  # no one address: the client outside
    assert (new_packet(doc)["src"], new_packet(doc)["dst"]) == ("198.51.100.10:50000", "10.0.1.10:22")


def test_a_new_packet_without_an_instance_address_leaves_its_addresses_to_write():
    assert new_packet(blank())["src"] == new_packet({"instances": [{"private_ip": "nope"}]})["dst"] == ""


@pytest.mark.parametrize(
    ("ips", "free"),
    [
        ([], "10.0.1.10"),
        (["10.0.0.5"], "10.0.0.6"),
        (["10.0.0.254", "10.0.0.4"], "10.0.0.5"),  # after the last one, then from .4 up
        (["10.0.0.5", "10.0.0.6", "10.0.0.5"], "10.0.0.7"),  # the next free one, not the next one
        (["172.16.0.0"], "172.16.0.4"),  # never one AWS keeps in a subnet
        (["", "x", "10.0.1.10"], "10.0.1.11"),
    ],
)
def test_the_free_private_ip(ips, free):
    assert free_private_ip([{"private_ip": ip} for ip in ips]) == free


addresses = st.one_of(st.ip_addresses(v=4).map(str), st.sampled_from(["", "nope", "10.0.1.10", "10.0.1.11", "10.0.0.255"]))


@given(st.lists(st.one_of(st.fixed_dictionaries({"private_ip": addresses}), st.just("not an instance")), max_size=30))
def test_a_new_instances_address_is_never_one_already_used(instances):
    free = free_private_ip(instances)
    assert ipaddress.IPv4Address(free) not in {ipaddress.IPv4Address(i["private_ip"]) for i in instances if isinstance(i, dict) and i["private_ip"][:1].isdigit()}
    doc = apply_action({"instances": instances}, "add_instance")
    assert doc["instances"][-1]["private_ip"] == free


def test_moving_an_entry_keeps_the_times_in_order():
    doc = apply_action(normalize(SEED), "move_up:2")
    assert [e["at"] for e in doc["timeline"]] == [0, 1, 2, 3]
    assert doc["timeline"][1]["packet"]["dst"] == "10.0.1.10:22"
    assert apply_action(doc, "move_down:1") == normalize(SEED)


@pytest.mark.parametrize("action", ["move_up:0", "move_down:3", "remove_entry:9", "remove_rule:0:in:5", "nonsense", "add_rule:0:sideways", "reply:x"])
def test_an_action_on_a_row_that_is_not_there_is_refused(action):
    with pytest.raises(ActionError):
        apply_action(normalize(SEED), action)


def test_replies():
    assert reply_to({"src": "a:1", "dst": "b:2", "protocol": "tcp", "flags": "SYN,ACK"})["flags"] == "ACK"
    assert reply_to({"src": "a", "dst": "b", "protocol": "icmp", "icmp_type": 8, "icmp_id": 7}) == {"src": "b", "dst": "a", "protocol": "icmp", "icmp_type": 0, "icmp_id": 7}


def test_caps():
    doc = normalize(SEED)
    assert cap_problems(doc, encoded_size(doc)) == []
    doc["timeline"] = doc["timeline"] * 51
    assert len(doc["timeline"]) > MAX_TIMELINE_ENTRIES
    assert any("at most 200" in p for p in cap_problems(doc, encoded_size(doc)))
    assert any("256 KB" in p for p in cap_problems(blank(), MAX_DOCUMENT_BYTES + 1))
    for key, cap in (("subnets", MAX_SUBNETS), ("network_acls", MAX_NETWORK_ACLS)):
        assert cap_problems({key: [{}] * cap}, 0) == []
        assert any(f"at most {cap}" in p for p in cap_problems({key: [{}] * (cap + 1)}, 0))


def test_identical_scenarios_share_one_content_id():
    canonical = dump_scenario(load_scenario(SEED))
    reordered = json.loads(json.dumps(canonical, sort_keys=True))
    assert content_id(canonical) == content_id(reordered) == content_id(dump_scenario(load_scenario(normalize(SEED))))
    changed = copy.deepcopy(canonical)
    changed["timeline"][0]["at"] = 0.5
    assert content_id(changed) != content_id(canonical)
    assert len(content_id(canonical)) == 20 and content_id(canonical).isalnum()


# JSON the box may be given whose value no draft can keep: what the page says of it, naming
# the place and the fix (the engine's storage check, sgviz/engine/errors.py).
UNSTORABLE_JSON = {
    "NaN": ('{"x": NaN}', "x: NaN is not a number JSON allows, and the database refuses it: write a number"),
    "Infinity": ('{"timeline": [{"at": Infinity}]}', "timeline[0].at: Infinity is not a number JSON allows"),
    "-Infinity": ('{"x": [-1e400]}', "x[0]: -Infinity is not a number JSON allows"),
    "a lone surrogate": ('{"labels": {"10.0.0.1": "lone \\ud800"}}', "labels.10.0.0.1: contains a lone surrogate (\\ud800) at position 5"),
    "a surrogate key": ('{"x\\udfff": 1}', "x\\udfff: this key contains a lone surrogate (\\udfff)"),
    "NUL": ('{"x": "a\\u0000"}', "x: contains the NUL character (\\u0000) at position 1, which PostgreSQL cannot store: remove it"),
    "a number beyond 64 bits": ('{"x": 18446744073709551616}', "x: a whole number of 20 digits is too large"),
    "a number of 5,000 digits": ('{"x": ' + "9" * 5000 + "}", "x: a whole number of 5,000 digits is too large"),
    "nesting 40 deep": ('{"x": ' + "[" * 40 + "]" * 40 + "}", "x" + "[0]" * 31 + ": nested more than 32 levels deep"),
}


@pytest.mark.parametrize("case", UNSTORABLE_JSON)
def test_json_whose_value_no_draft_can_keep_reads_as_a_document_the_storage_check_names(case):
    text, problem = UNSTORABLE_JSON[case]
    read = read_json(text)
    assert read.document is None and read.not_yet == ""
    assert len(read.unstorable) == 1 and read.unstorable[0].startswith(problem), read.unstorable


@pytest.mark.parametrize("text, why", [
    ('{"security_groups": [', "This is not JSON yet: invalid JSON at line 1, column 22: Expecting value. Your text is kept as typed."),
    ("[" * 100_000, "This is not JSON yet: invalid JSON at line 1, column 33: nested more than 32 levels deep"),
    ("null", "This is JSON's null, not a scenario"),
    ("", "This is not JSON yet: invalid JSON at line 1, column 1: Expecting value."),
])
def test_text_that_is_no_document_yet_says_why(text, why):
    read = read_json(text)
    assert read.document is None and read.not_yet.startswith(why) and read.unstorable == ()


def test_a_text_kept_as_typed_is_checked_as_text():
    assert storage_problems('{"x": "a\x00"}') == ["The text contains the NUL character (\\u0000) at position 8, which PostgreSQL cannot store: remove it"]
    assert storage_problems('{"x": "\\ud800"}') == []  # the escape is six characters of text; the value it names is the document's to check


def test_the_json_box_reads_a_document_in_the_editors_shape():
    assert read_json(json.dumps({**SEED, "security_groups": {"SecurityGroups": SEED["security_groups"]}})).document == normalize(SEED)


@given(hostile_texts())
def test_any_text_is_one_of_a_storable_document_not_yet_a_document_or_unstorable(text):
    read = read_json(text)
    assert [read.document is not None, bool(read.not_yet), bool(read.unstorable)].count(True) == 1
    if read.document is not None:
        assert storage_problems(read.document) == []


def test_counts_are_written_with_their_noun_in_the_right_number():
    assert [counted(n, "network ACL", "network ACLs") for n in (0, 1, 2)] == ["no network ACLs", "1 network ACL", "2 network ACLs"]


# ---------------------------------------------------------------- the timeline's reply and wait


def times(doc):
    return [entry["at"] for entry in doc["timeline"]]


def test_a_reply_comes_right_after_its_packet_and_the_later_entries_move_by_the_wait():
    doc = normalize(SEED)
    replied = apply_action(doc, "reply:0", wait=2)
    assert times(doc) == [0, 1, 2, 3] and times(replied) == [0, 2, 3, 4, 5]
    assert replied["timeline"][1]["packet"] == reply_to(doc["timeline"][0]["packet"])
    assert replied["timeline"][2:] == [{**entry, "at": entry["at"] + 2} for entry in doc["timeline"][1:]]
    assert validate_scenario(replied).faults == ()
    # The last packet's reply is appended, as before.
    assert apply_action(doc, "reply:3", wait=2)["timeline"][4]["at"] == 5


def test_a_wait_before_an_entry_moves_it_and_every_later_one():
    doc = normalize(SEED)
    waited = apply_action(doc, "wait_before:2", wait=400)
    assert times(waited) == [0, 1, 402, 403]
    assert [e["packet"] for e in waited["timeline"]] == [e["packet"] for e in doc["timeline"]]
    assert times(apply_action(doc, "wait_before:0", wait=0.5)) == [0.5, 1.5, 2.5, 3.5]
    assert times(apply_action(doc, "wait_before:1", wait=0.2)) == [0, 1.2, 2.2, 3.2]


@pytest.mark.parametrize("wait, said", [("", "the wait is empty"), ("soon", "the wait “soon” is not a positive number"), (0, "“0” is not"), (-5, "“-5” is not"), (None, "“None” is not")])
def test_a_wait_that_is_not_a_positive_number_is_refused_at_the_wait_field(wait, said):
    with pytest.raises(ActionError) as refused:
        apply_action(normalize(SEED), "wait_before:2", wait=wait)
    assert refused.value.field == "wait"
    assert said in str(refused.value) and "entry 3 and those after it" in str(refused.value)


ADDING_BUTTONS = ("add_packet", "add_rule_change", "add_nacl_change", "reply:0")


@pytest.mark.parametrize("action", ADDING_BUTTONS)
@pytest.mark.parametrize("wait", ["soon", -1, -0.5, "1e3", True])
def test_a_button_that_adds_an_entry_refuses_a_wait_that_is_no_number_of_seconds_at_the_wait_field(action, wait):
    with pytest.raises(ActionError) as refused:
        apply_action(normalize(SEED), action, wait=wait)
    assert refused.value.field == "wait" and f"the wait “{wait}” is not a number of seconds (0 or more)" in str(refused.value)


@pytest.mark.parametrize("action", ADDING_BUTTONS)
def test_an_empty_wait_adds_the_entry_after_the_default_wait_and_0_at_the_same_time(action):
    doc = normalize(SEED)
    last = 0 if action == "reply:0" else -1  # a reply comes right after its packet
    added = 1 if action == "reply:0" else -1
    assert times(apply_action(doc, action, wait=""))[added] == times(doc)[last] + DEFAULT_WAIT
    assert times(apply_action(doc, action, wait="  "))[added] == times(doc)[last] + DEFAULT_WAIT
    assert times(apply_action(doc, action, wait=0))[added] == times(doc)[last]


def test_the_first_entry_refuses_a_bad_wait_too():
    with pytest.raises(ActionError):
        apply_action({}, "add_packet", wait="soon")
    assert times(apply_action({}, "add_packet", wait="")) == [0]


def test_a_wait_before_an_entry_that_is_not_there_is_refused_as_a_stale_page():
    with pytest.raises(ActionError) as refused:
        apply_action(normalize(SEED), "wait_before:9", wait=5)
    assert refused.value.field == "" and "reload the page" in str(refused.value)


# Times as typed (editor.typed): whole numbers, or up to 6 decimals.
at_times = st.integers(0, 10**6) | st.decimals(0, 10**6, places=3).map(float)
waits = st.integers(0, 10**5) | st.decimals(0, 10**5, places=2).map(float)


@st.composite
def timelines(draw):
    """A timeline in time order of 1-12 packets."""
    ats = sorted(draw(st.lists(at_times, min_size=1, max_size=12)))
    return {**blank(), "timeline": [{"at": at, "packet": {"src": f"10.0.0.1:{1000 + i}", "dst": "10.0.0.2:80", "protocol": "tcp", "flags": "SYN"}} for i, at in enumerate(ats)]}


def spacing(entries):
    return [round(b["at"] - a["at"], 6) for a, b in zip(entries, entries[1:])]


@given(timelines(), st.data(), waits)
def test_a_reply_keeps_any_timeline_in_time_order_and_its_spacing(doc, data, wait):
    k = data.draw(st.integers(0, len(doc["timeline"]) - 1))
    replied = apply_action(doc, f"reply:{k}", wait=wait)["timeline"]
    assert times({"timeline": replied}) == sorted(times({"timeline": replied}))
    assert replied[: k + 1] == doc["timeline"][: k + 1]
    assert replied[k + 1]["packet"]["dst"] == doc["timeline"][k]["packet"]["src"]
    assert replied[k + 1]["at"] == pytest.approx(doc["timeline"][k]["at"] + wait)
    assert spacing(replied[k + 2 :]) == spacing(doc["timeline"][k + 1 :])


@given(timelines(), st.data(), waits.filter(lambda wait: wait > 0))
def test_a_wait_keeps_any_timeline_in_time_order_and_its_spacing(doc, data, wait):
    k = data.draw(st.integers(0, len(doc["timeline"]) - 1))
    waited = apply_action(doc, f"wait_before:{k}", wait=wait)["timeline"]
    assert times({"timeline": waited}) == sorted(times({"timeline": waited}))
    assert waited[:k] == doc["timeline"][:k]
    assert [entry["at"] for entry in waited[k:]] == [pytest.approx(entry["at"] + wait) for entry in doc["timeline"][k:]]
    assert spacing(waited[k:]) == spacing(doc["timeline"][k:])


# ---------------------------------------------------------------- prefix lists


def test_prefix_lists_are_added_and_removed_by_their_place_in_the_objects_key_order():
    doc = apply_action(apply_action(blank(), "add_prefix_list"), "add_prefix_list")
    assert doc["prefix_lists"] == {"pl-1": [], "pl-2": []}
    doc["prefix_lists"] = {"pl-z": ["10.0.0.0/8"], "pl-a": []}
    assert apply_action(doc, "remove_prefix_list:0")["prefix_lists"] == {"pl-a": []}
    with pytest.raises(ActionError):
        apply_action(doc, "remove_prefix_list:2")
    with pytest.raises(ActionError):
        apply_action({**blank(), "prefix_lists": ["not", "an", "object"]}, "add_prefix_list")


def test_the_prefix_list_cap():
    at_cap = {"prefix_lists": {f"pl-{n}": [] for n in range(MAX_PREFIX_LISTS)}}
    assert cap_problems(at_cap, 0) == []
    over = {"prefix_lists": {f"pl-{n}": [] for n in range(MAX_PREFIX_LISTS + 1)}}
    assert cap_problems(over, 0) == [f"{MAX_PREFIX_LISTS + 1} prefix lists: the sandbox allows at most {MAX_PREFIX_LISTS}."]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
odd_rules = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "IpProtocol": st.sampled_from(["tcp", "6", "TCP", "udp"]) | json_values,
            "FromPort": st.integers(-5, 70000) | json_values,
            "IpRanges": st.lists(st.fixed_dictionaries({"CidrIp": st.sampled_from(["203.0.113.5/32", "1.2.3.4/32x", "/32", "::1/32"]) | json_values})) | json_values,
        },
    ),
    max_size=3,
) | json_values


@given(odd_rules, json_values | st.just({"GroupId": ["not", "an", "id"]}))
def test_a_new_packet_goes_to_the_server_whatever_its_groups_hold(rules, other_group):
    doc = {"instances": [{"private_ip": "10.0.0.5", "security_groups": [other_group, "sg-a"]}], "security_groups": [other_group, {"GroupId": "sg-a", "IpPermissions": rules}]}
    packet = new_packet(doc)
    host, _, port = packet["dst"].rpartition(":")
    assert host == "10.0.0.5" and 0 <= int(port) <= 65535
    ipaddress.IPv4Address(packet["src"].rpartition(":")[0])
