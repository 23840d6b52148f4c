"""The sandbox's document helpers: plain pytest, no database, no Django."""

import copy
import json

import pytest

from sandbox.document import (
    MAX_DOCUMENT_BYTES,
    MAX_TIMELINE_ENTRIES,
    ActionError,
    apply_action,
    blank,
    cap_problems,
    content_id,
    counted,
    encoded_size,
    normalize,
    reply_to,
)
from sgviz.engine import dump_scenario, load_scenario, validate_scenario

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


def test_identical_scenarios_share_one_content_id():
    canonical = dump_scenario(load_scenario(SEED))
    reordered = json.loads(json.dumps(canonical, sort_keys=True))
    assert content_id(canonical) == content_id(reordered) == content_id(dump_scenario(load_scenario(normalize(SEED))))
    changed = copy.deepcopy(canonical)
    changed["timeline"][0]["at"] = 0.5
    assert content_id(changed) != content_id(canonical)
    assert len(content_id(canonical)) == 20 and content_id(canonical).isalnum()


def test_counts_are_written_with_their_noun_in_the_right_number():
    assert [counted(n, "network ACL", "network ACLs") for n in (0, 1, 2)] == ["no network ACLs", "1 network ACL", "2 network ACLs"]
