"""Importing pasted AWS output and the stateless comparison: plain pytest, no Django."""

import json
from pathlib import Path

from sandbox.compare import compare_stateless
from sandbox.document import normalize
from sandbox.paste import import_paste, shape_of
from sgviz.engine import load_scenario, security_groups_to_aws, validate_scenario

FIXTURES = Path("/work/shared/fixtures/aws")
THREE_TIER = (FIXTURES / "three-tier-describe-security-groups.json").read_text()
HYBRID = (FIXTURES / "hybrid-cloud-describe-security-groups.json").read_text()
SEED = json.load(open("examples/seed-lesson.json"))


def test_the_three_tier_export_imports_with_its_warning():
    imported = import_paste({"security_groups": [], "instances": []}, THREE_TIER)
    assert imported.faults == ()
    assert imported.shape == "describe-security-groups"
    assert len(imported.document["security_groups"]) == 7
    assert any("2.2.2.2/28" in w and "2.2.2.0/28" in w for w in imported.warnings)
    assert validate_scenario(imported.document).faults == ()


def test_a_reference_to_a_group_not_in_the_paste_is_a_warning_not_a_fault():
    imported = import_paste({}, HYBRID)
    assert imported.faults == () and imported.document is not None
    assert any("sg-cf3f86b3" in w for w in imported.warnings)


def test_import_replaces_groups_with_the_same_id_and_keeps_the_rest():
    doc = normalize(SEED)
    first = import_paste(doc, THREE_TIER).document
    again = import_paste(first, THREE_TIER)
    assert again.document == first
    assert "0 security groups added, 7 replaced" in again.summary
    assert first["instances"] == doc["instances"] and first["security_groups"][0] == doc["security_groups"][0]


def test_import_export_import_is_the_identity():
    groups = load_scenario(import_paste({}, THREE_TIER).document).security_groups
    exported = json.dumps(security_groups_to_aws(groups))
    assert load_scenario(import_paste({}, exported).document).security_groups == groups


def test_describe_security_group_rules_and_network_acls_import():
    rules = {"SecurityGroupRules": [
        {"SecurityGroupRuleId": "sgr-1", "GroupId": "sg-a", "IsEgress": False, "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIpv4": "203.0.113.0/24", "Description": "ssh"},
        {"SecurityGroupRuleId": "sgr-2", "GroupId": "sg-a", "IsEgress": True, "IpProtocol": "-1", "FromPort": -1, "ToPort": -1, "CidrIpv6": "::/0"},
    ]}
    imported = import_paste({}, json.dumps(rules))
    assert imported.faults == ()
    group = imported.document["security_groups"][0]
    assert group["IpPermissions"] == [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "203.0.113.0/24", "Description": "ssh"}]}]
    assert group["IpPermissionsEgress"] == [{"IpProtocol": "-1", "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}]
    acls = {"NetworkAcls": [{"NetworkAclId": "acl-1", "Entries": [{"RuleNumber": 100, "Protocol": "-1", "RuleAction": "allow", "Egress": False, "CidrBlock": "0.0.0.0/0"}]}]}
    imported = import_paste({}, json.dumps(acls))
    assert imported.faults == () and imported.document["network_acls"][0]["NetworkAclId"] == "acl-1"


def test_bad_pastes_say_what_is_wrong_and_change_nothing():
    for text, words in (("{oops", "not JSON"), ('{"Reservations": []}', "not describe-security-groups"), ('{"SecurityGroups": [{"GroupId": 5}]}', "SecurityGroups[0].GroupId")):
        imported = import_paste({}, text)
        assert imported.document is None and words in imported.faults[0]
    assert shape_of([{"NetworkAclId": "acl-1"}]) == "describe-network-acls"


def test_the_seed_scenario_differs_statelessly_at_step_2_for_want_of_ephemeral_ports():
    comparisons = compare_stateless(load_scenario(SEED))
    assert [c.differs for c in comparisons] == [False, True, False, False]
    step_2 = comparisons[1]
    assert step_2.step == 2 and step_2.stateful.verdict.value == "ALLOW" and step_2.stateless.verdict.value == "DROP"
    assert "outbound traffic to port 50000" in step_2.reason and "1024-65535" in step_2.reason


def test_the_stateless_run_keeps_the_rule_changes_before_each_packet():
    comparisons = compare_stateless(load_scenario(json.load(open("examples/sandbox/nacl-trap.json"))))
    assert [c.step for c in comparisons] == [1, 2, 3]
    # After the NACL change the reply is still dropped statelessly: the group has no outbound rule.
    assert comparisons[2].stateful.verdict.value == "ALLOW" and comparisons[2].stateless.verdict.value == "DROP"


def judged_one_by_one(scenario):
    """Each packet in a run of its own, after the changes before it: the plain definition."""
    import dataclasses

    from sgviz.engine import simulate

    verdicts, changes = [], []
    for entry in scenario.timeline:
        if entry.packet is None:
            changes.append(entry)
            continue
        verdicts.append(simulate(dataclasses.replace(scenario, timeline=(*changes, entry))).results[-1].verdict)
    return verdicts


def test_one_spaced_run_judges_each_packet_as_a_run_of_its_own():
    for path in ("examples/seed-lesson.json", *sorted(str(p) for p in Path("examples/sandbox").glob("*.json"))):
        scenario = load_scenario(json.load(open(path)))
        assert [c.stateless.verdict for c in compare_stateless(scenario)] == judged_one_by_one(scenario), path
