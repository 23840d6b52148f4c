"""Importing pasted AWS output and the stateless comparison: plain pytest, no Django."""

import copy
import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

import pytest

from sandbox.compare import compare_stateless
from sandbox.document import normalize
from sandbox.analysis import analysis
from sandbox.paste import import_paste, shape_of
from sgviz.engine import load_scenario, security_groups_to_aws, validate_scenario

FIXTURES = Path("/work/shared/fixtures/aws")
THREE_TIER = (FIXTURES / "three-tier-describe-security-groups.json").read_text()
HYBRID = (FIXTURES / "hybrid-cloud-describe-security-groups.json").read_text()
SEED = json.load(open("examples/seed-lesson.json"))
NACL_TRAP = json.load(open("examples/sandbox/nacl-trap.json"))


def cli_network_acls(*associations, acl_id="acl-0ea1f54ca7EXAMPLE"):
    """describe-network-acls as the AWS CLI prints it (its example's shape: the association's
    own ids, the closing * entries, IsDefault, Tags, VpcId, OwnerId), with these subnets."""
    return {"NetworkAcls": [{
        "Associations": [
            {"NetworkAclAssociationId": f"aclassoc-{i:017x}", "NetworkAclId": acl_id, "SubnetId": subnet} for i, subnet in enumerate(associations)
        ],
        "Entries": [
            {"CidrBlock": "0.0.0.0/0", "Egress": True, "Protocol": "-1", "RuleAction": "allow", "RuleNumber": 100},
            {"CidrBlock": "0.0.0.0/0", "Egress": True, "Protocol": "-1", "RuleAction": "deny", "RuleNumber": 32767},
            {"CidrBlock": "0.0.0.0/0", "Egress": False, "PortRange": {"From": 80, "To": 80}, "Protocol": "6", "RuleAction": "allow", "RuleNumber": 100},
            {"CidrBlock": "0.0.0.0/0", "Egress": False, "Protocol": "-1", "RuleAction": "deny", "RuleNumber": 32767},
            {"Egress": False, "Ipv6CidrBlock": "::/0", "Protocol": "-1", "RuleAction": "deny", "RuleNumber": 32768},
        ],
        "IsDefault": False,
        "NetworkAclId": acl_id,
        "Tags": [],
        "VpcId": "vpc-06e4ab6c6cEXAMPLE",
        "OwnerId": "111122223333",
    }]}


def rules_of(group_id, *rules):
    """describe-security-group-rules output for one group: (is egress, protocol, port, CIDR, description)."""
    return {"SecurityGroupRules": [
        {"SecurityGroupRuleId": f"sgr-{i:017x}", "GroupId": group_id, "GroupOwnerId": "123456789012", "IsEgress": egress, "IpProtocol": protocol,
         "FromPort": port, "ToPort": port, "CidrIpv4": cidr, "Tags": [], **({"Description": description} if description else {})}
        for i, (egress, protocol, port, cidr, description) in enumerate(rules)
    ]}


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
    assert again.summary == "Imported describe-security-groups output: 7 security groups replaced."
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
    for text, words in (("{oops", "not JSON"), ('{"Reservations": []}', "not describe-security-groups"), ('{"SecurityGroups": [{"GroupId": 5}]}', "group 1, id: expected")):
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


def test_network_acls_as_the_cli_prints_them_import_runnable_with_a_warning_for_each_subnet_left_out():
    imported = import_paste(normalize(SEED), json.dumps(cli_network_acls("subnet-0931fc2fa5EXAMPLE")))
    assert imported.summary == "Imported describe-network-acls output: 1 network ACL added; 1 association left out (see below)."
    [warning] = imported.warnings
    assert warning.startswith("acl-0ea1f54ca7EXAMPLE: subnet-0931fc2fa5EXAMPLE is not in your scenario, so the network ACL was imported without it.")
    assert "add the subnet under “Subnets and network ACLs” (id subnet-0931fc2fa5EXAMPLE, and its CIDR" in warning
    assert "then add subnet-0931fc2fa5EXAMPLE to acl-0ea1f54ca7EXAMPLE's associated subnets" in warning
    assert imported.document["network_acls"][0]["Associations"] == []
    assert validate_scenario(imported.document).faults == ()


def test_a_pasted_acl_keeps_the_subnets_the_scenario_has_and_takes_them_from_the_acl_it_had():
    imported = import_paste(normalize(NACL_TRAP), json.dumps(cli_network_acls("subnet-web", "subnet-other")))
    acls = {acl["NetworkAclId"]: acl for acl in imported.document["network_acls"]}
    assert [a["SubnetId"] for a in acls["acl-0ea1f54ca7EXAMPLE"]["Associations"]] == ["subnet-web"]
    assert acls["acl-web"]["Associations"] == []
    assert imported.warnings[1] == ("subnet-web was associated with acl-web in your scenario; the paste associates it with "
                                    "acl-0ea1f54ca7EXAMPLE, so now it is (a subnet has one network ACL).")
    assert validate_scenario(imported.document).faults == ()
    again = import_paste(imported.document, json.dumps(cli_network_acls("subnet-web")))
    assert again.summary == "Imported describe-network-acls output: 1 network ACL replaced." and again.warnings == ()


PASTED_SUBNETS = st.lists(st.sampled_from(["subnet-web", "subnet-0931fc2fa5EXAMPLE", "subnet-other"]), max_size=4)


@given(st.lists(st.tuples(st.sampled_from(["acl-web", "acl-1", "acl-2"]), PASTED_SUBNETS), min_size=1, max_size=3, unique_by=lambda acl: acl[0]),
       st.sampled_from([SEED, NACL_TRAP]))
def test_no_network_acl_paste_makes_a_fault_of_a_reference(acls, scenario):
    """However a paste associates subnets (ones the scenario has, has not, twice, another
    ACL's), the scenario that ran before still runs after, and every association left out is
    a warning."""
    paste = {"NetworkAcls": [cli_network_acls(*subnets, acl_id=acl_id)["NetworkAcls"][0] for acl_id, subnets in acls]}
    imported = import_paste(normalize(scenario), json.dumps(paste))
    assert imported.faults == () and validate_scenario(imported.document).faults == ()
    kept = sum(len(acl["Associations"]) for acl in imported.document["network_acls"] if acl["NetworkAclId"] in dict(acls))
    assert len([w for w in imported.warnings if "was associated with" not in w]) == sum(len(subnets) for _, subnets in acls) - kept


def test_rules_pasted_for_a_group_the_scenario_has_join_its_rules_and_keep_its_name():
    doc = normalize(SEED)
    group = doc["security_groups"][0]
    paste = rules_of(group["GroupId"], (False, "tcp", 80, "0.0.0.0/0", "HTTP, described in AWS"), (False, "tcp", 22, "203.0.113.7/32", "SSH"), (True, "tcp", 443, "0.0.0.0/0", ""))
    imported = import_paste(doc, json.dumps(paste))
    assert imported.summary == "Imported describe-security-group-rules output: 2 rules added, 1 rule was there already."
    merged = imported.document["security_groups"][0]
    assert {key: merged[key] for key in ("GroupId", "GroupName", "Description")} == {key: group[key] for key in ("GroupId", "GroupName", "Description")}
    assert [rule["FromPort"] for rule in merged["IpPermissions"]] == [80, 22]
    assert merged["IpPermissions"][0]["IpRanges"] == [{"CidrIp": "0.0.0.0/0", "Description": "HTTP, described in AWS"}]
    assert merged["IpPermissionsEgress"] == [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    again = import_paste(imported.document, json.dumps(paste))
    assert again.document == imported.document and again.summary == "Imported describe-security-group-rules output: no rules added, 3 rules were there already."
    other = import_paste(doc, json.dumps(rules_of("sg-new", (False, "udp", 53, "10.0.0.0/8", ""))))
    assert other.summary == "Imported describe-security-group-rules output: 1 rule added, 1 security group added for it."
    assert other.document["security_groups"][1]["GroupId"] == "sg-new"


@pytest.mark.parametrize("paste, summary", [
    (lambda: json.dumps(cli_network_acls()), "1 network ACL added."),
    (lambda: json.dumps({"NetworkAcls": cli_network_acls(acl_id="acl-1")["NetworkAcls"] + cli_network_acls(acl_id="acl-web")["NetworkAcls"]}), "1 network ACL added, 1 replaced."),
    (lambda: json.dumps({"SecurityGroups": []}), "no security groups in it."),
    (lambda: json.dumps({"SecurityGroups": json.loads(THREE_TIER)["SecurityGroups"][:1]}), "1 security group added."),
])
def test_import_summaries_count_in_the_right_number(paste, summary):
    assert import_paste(normalize(NACL_TRAP), paste()).summary.endswith(f"output: {summary}")


def test_a_cidr_with_host_bits_is_a_standing_warning_where_it_is_typed():
    doc = normalize(SEED)
    doc["security_groups"][0]["IpPermissions"][0]["IpRanges"][0]["CidrIp"] = "203.0.113.9/24"
    doc["subnets"] = [{"id": "subnet-1", "cidr": "10.0.1.0/24"}]
    assert analysis(doc)["notices"] == ["group sg-0a1b2c3d4e5f60001 (web-server), inbound rule 1: 203.0.113.9/24 has host bits set; AWS (and the sandbox) read it as 203.0.113.0/24"]
    doc["security_groups"][0]["IpPermissions"][0]["IpRanges"][0]["CidrIp"] = "203.0.113.9"  # no CIDR at all: the engine's fault, no warning
    assert analysis(doc)["notices"] == []


def test_a_paste_holding_a_value_no_draft_can_keep_is_refused_with_its_place():
    imported = import_paste({}, THREE_TIER.replace('"FromPort": 443', '"FromPort": NaN', 1))
    assert imported.document is None and not imported.storable
    assert imported.faults[0].startswith("SecurityGroups[0].IpPermissions[") and "NaN is not a number JSON allows" in imported.faults[0]
    assert import_paste({}, "{oops").storable
