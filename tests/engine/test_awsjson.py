"""AWS JSON in and out: real describe-* output imports as it comes and exports in the same shapes."""

import copy
import json

import pytest

from sgviz.engine import (
    ScenarioError,
    import_network_acls,
    import_security_group_rules,
    import_security_groups,
    nacl_entry_to_aws,
    network_acls_to_aws,
    rule_to_aws,
    security_group_rules_to_aws,
    security_groups_to_aws,
)
from sgviz.engine.addresses import parse_cidr
from sgviz.engine.awsjson import security_groups_from_rules
from sgviz.engine.model import ALL_PROTOCOLS, ICMP, TCP, Direction, GroupRef, NaclAction, PrefixListRef, Rule

from .data import fixture_text

HYBRID = "hybrid-cloud-describe-security-groups.json"
THREE_TIER = "three-tier-describe-security-groups.json"

# describe-network-acls output as AWS prints it: a default ACL (allow all, IPv4 and IPv6)
# and a custom one for a database subnet.
NETWORK_ACLS = {
    "NetworkAcls": [
        {
            "Associations": [{"NetworkAclAssociationId": "aclassoc-1", "NetworkAclId": "acl-default", "SubnetId": "subnet-web"}],
            "Entries": [
                {"CidrBlock": "0.0.0.0/0", "Egress": True, "Protocol": "-1", "RuleAction": "allow", "RuleNumber": 100},
                {"Egress": True, "Ipv6CidrBlock": "::/0", "Protocol": "-1", "RuleAction": "allow", "RuleNumber": 101},
                {"CidrBlock": "0.0.0.0/0", "Egress": True, "Protocol": "-1", "RuleAction": "deny", "RuleNumber": 32767},
                {"Egress": True, "Ipv6CidrBlock": "::/0", "Protocol": "-1", "RuleAction": "deny", "RuleNumber": 32768},
                {"CidrBlock": "0.0.0.0/0", "Egress": False, "Protocol": "-1", "RuleAction": "allow", "RuleNumber": 100},
                {"CidrBlock": "0.0.0.0/0", "Egress": False, "Protocol": "-1", "RuleAction": "deny", "RuleNumber": 32767},
            ],
            "IsDefault": True,
            "NetworkAclId": "acl-default",
            "Tags": [],
            "VpcId": "vpc-1",
            "OwnerId": "123456789012",
        },
        {
            "Associations": [{"NetworkAclAssociationId": "aclassoc-2", "NetworkAclId": "acl-db", "SubnetId": "subnet-db"}],
            "Entries": [
                {"CidrBlock": "10.0.1.0/24", "Egress": False, "PortRange": {"From": 5432, "To": 5432}, "Protocol": "6", "RuleAction": "allow", "RuleNumber": 100},
                {"CidrBlock": "10.0.0.0/16", "Egress": False, "IcmpTypeCode": {"Code": -1, "Type": -1}, "Protocol": "1", "RuleAction": "allow", "RuleNumber": 110},
                {"CidrBlock": "10.0.1.0/24", "Egress": True, "PortRange": {"From": 32768, "To": 60999}, "Protocol": "6", "RuleAction": "allow", "RuleNumber": 100},
                {"CidrBlock": "0.0.0.0/0", "Egress": True, "Protocol": "-1", "RuleAction": "deny", "RuleNumber": 32767},
                {"CidrBlock": "0.0.0.0/0", "Egress": False, "Protocol": "-1", "RuleAction": "deny", "RuleNumber": 32767},
            ],
            "IsDefault": False,
            "NetworkAclId": "acl-db",
            "VpcId": "vpc-1",
            "OwnerId": "123456789012",
        },
    ]
}

SECURITY_GROUP_RULES = {
    "SecurityGroupRules": [
        {"SecurityGroupRuleId": "sgr-1", "GroupId": "sg-web", "GroupOwnerId": "123456789012", "IsEgress": False, "IpProtocol": "tcp",
         "FromPort": 443, "ToPort": 443, "CidrIpv4": "0.0.0.0/0", "Description": "HTTPS", "Tags": []},
        {"SecurityGroupRuleId": "sgr-2", "GroupId": "sg-web", "IsEgress": False, "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIpv6": "::/0"},
        {"SecurityGroupRuleId": "sgr-3", "GroupId": "sg-web", "IsEgress": True, "IpProtocol": "-1", "FromPort": -1, "ToPort": -1, "CidrIpv4": "0.0.0.0/0"},
        {"SecurityGroupRuleId": "sgr-4", "GroupId": "sg-db", "IsEgress": False, "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
         "ReferencedGroupInfo": {"GroupId": "sg-web", "UserId": "123456789012"}},
        {"SecurityGroupRuleId": "sgr-5", "GroupId": "sg-db", "IsEgress": False, "IpProtocol": "icmp", "FromPort": 3, "ToPort": 4, "PrefixListId": "pl-1"},
    ]
}


def all_rules(groups):
    return [rule for group in groups for rule in group.ingress + group.egress]


@pytest.mark.parametrize("name, count", [(HYBRID, 11), (THREE_TIER, 7)])
def test_the_realistic_exports_import_cleanly(name, count):
    groups, _ = import_security_groups(fixture_text(name))
    assert len(groups) == count
    assert all(rule.group_id == group.group_id for group in groups for rule in group.ingress + group.egress)


def test_a_reference_to_a_group_outside_the_file_is_a_warning_not_an_error():
    groups, notices = import_security_groups(fixture_text(HYBRID))
    assert [str(notice) for notice in notices] == [
        "SecurityGroups[1].IpPermissions[0].UserIdGroupPairs[0].GroupId: sg-cf3f86b3 is not defined here, so this rule "
        "matches no address (the group may be in another VPC or account)"
    ]
    rds = next(group for group in groups if group.group_id == "sg-55510831")
    assert GroupRef("sg-cf3f86b3", user_id="118292266645") in [rule.peer for rule in rds.ingress]


def test_it_canonicalises_a_cidr_with_host_bits():
    groups, notices = import_security_groups(fixture_text(THREE_TIER))
    assert notices == ()
    cidrs = [str(rule.peer) for rule in all_rules(groups) if rule.peer.__class__.__name__ == "Cidr"]
    assert "2.2.2.0/28" in cidrs and "2.2.2.2/28" not in cidrs


def test_it_expands_each_permission_into_one_rule_per_peer():
    groups, _ = import_security_groups(fixture_text(HYBRID))
    arista = groups[0]
    ssh = [rule for rule in arista.ingress if rule.from_port == 22]
    assert [str(rule.peer) for rule in ssh] == ["38.140.26.4/32", "38.140.26.5/32", "38.140.26.6/32", "38.140.26.7/32", "0.0.0.0/0"]
    everything, _, icmp = arista.ingress[0], None, arista.ingress[-1]
    assert (everything.protocol, everything.from_port, everything.to_port, everything.description) == (ALL_PROTOCOLS, None, None, "ALL traffic within the VPC")
    assert (icmp.protocol, icmp.from_port, icmp.to_port) == (ICMP, -1, -1)


@pytest.mark.parametrize("name", [HYBRID, THREE_TIER])
def test_import_export_import_is_the_identity_on_the_fixtures(name):
    groups, _ = import_security_groups(fixture_text(name))
    assert import_security_groups(security_groups_to_aws(groups))[0] == groups
    assert import_security_groups(json.dumps(security_groups_to_aws(groups)))[0] == groups


def test_export_reproduces_aws_permissions():
    original = json.loads(fixture_text(HYBRID))
    exported = security_groups_to_aws(import_security_groups(original)[0])
    for group in original["SecurityGroups"]:
        group.pop("Tags", None)
    assert exported == original


def test_export_leaves_out_ports_for_all_protocols():
    groups, _ = import_security_groups(fixture_text(HYBRID))
    permission = security_groups_to_aws(groups)["SecurityGroups"][0]["IpPermissionsEgress"][0]
    assert permission == {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []}


def test_it_accepts_just_the_list_of_groups():
    whole = json.loads(fixture_text(THREE_TIER))
    assert import_security_groups(whole["SecurityGroups"])[0] == import_security_groups(whole)[0]


def test_it_imports_describe_security_group_rules():
    rules, notices = import_security_group_rules(SECURITY_GROUP_RULES)
    assert notices == ()
    assert [rule.rule_id for rule in rules] == ["sgr-1", "sgr-2", "sgr-3", "sgr-4", "sgr-5"]
    assert rules[0] == Rule("sg-web", Direction.INGRESS, TCP, 443, 443, parse_cidr("0.0.0.0/0"), "HTTPS", "sgr-1")
    assert (rules[2].direction, rules[2].protocol, rules[2].from_port, rules[2].to_port) == (Direction.EGRESS, ALL_PROTOCOLS, None, None)
    assert rules[3].peer == GroupRef("sg-web", user_id="123456789012")
    assert (rules[4].peer, rules[4].from_port, rules[4].to_port) == (PrefixListRef("pl-1"), 3, 4)


def test_it_exports_rules_with_ports_minus_one_for_all_protocols():
    rules, _ = import_security_group_rules(SECURITY_GROUP_RULES["SecurityGroupRules"])
    assert rule_to_aws(rules[2]) == {
        "SecurityGroupRuleId": "sgr-3", "GroupId": "sg-web", "IsEgress": True, "IpProtocol": "-1", "FromPort": -1, "ToPort": -1, "CidrIpv4": "0.0.0.0/0",
    }
    assert rule_to_aws(rules[3])["ReferencedGroupInfo"] == {"GroupId": "sg-web", "UserId": "123456789012"}
    assert import_security_group_rules(security_group_rules_to_aws(rules))[0] == rules


def test_rules_group_into_security_groups():
    rules, _ = import_security_group_rules(SECURITY_GROUP_RULES)
    web, db = security_groups_from_rules(rules)
    assert (web.group_id, len(web.ingress), len(web.egress), db.group_id, len(db.ingress)) == ("sg-web", 2, 1, "sg-db", 2)


def test_a_rule_must_name_exactly_one_peer():
    rule = dict(SECURITY_GROUP_RULES["SecurityGroupRules"][0], CidrIpv6="::/0")
    with pytest.raises(ScenarioError) as caught:
        import_security_group_rules([rule])
    assert str(caught.value) == "[0]: a rule needs exactly one of CidrIpv4, CidrIpv6, PrefixListId, ReferencedGroupInfo (found: CidrIpv4, CidrIpv6)"


def test_it_imports_describe_network_acls():
    acls, notices = import_network_acls(NETWORK_ACLS)
    default, db = acls
    assert notices == () and default.is_default and default.subnet_ids == ("subnet-web",)
    assert [(e.rule_number, e.egress, str(e.cidr), e.action) for e in default.entries[:2]] == [
        (100, True, "0.0.0.0/0", NaclAction.ALLOW), (101, True, "::/0", NaclAction.ALLOW)
    ]
    ssh, icmp = db.entries[0], db.entries[1]
    assert (ssh.protocol, ssh.port_from, ssh.port_to, ssh.icmp_type) == (TCP, 5432, 5432, None)
    assert (icmp.protocol, icmp.icmp_type, icmp.icmp_code, icmp.port_from) == (ICMP, -1, -1, None)


def test_network_acls_export_in_aws_shape_and_import_back():
    acls, _ = import_network_acls(NETWORK_ACLS)
    exported = network_acls_to_aws(acls)
    assert nacl_entry_to_aws(acls[1].entries[0]) == NETWORK_ACLS["NetworkAcls"][1]["Entries"][0]
    assert exported["NetworkAcls"][1]["Entries"] == NETWORK_ACLS["NetworkAcls"][1]["Entries"]
    assert exported["NetworkAcls"][0]["Associations"] == [{"NetworkAclId": "acl-default", "SubnetId": "subnet-web"}]
    assert import_network_acls(exported)[0] == acls


def test_a_tcp_nacl_entry_needs_a_port_range():
    doc = copy.deepcopy(NETWORK_ACLS)
    del doc["NetworkAcls"][1]["Entries"][0]["PortRange"]
    with pytest.raises(ScenarioError) as caught:
        import_network_acls(doc)
    assert str(caught.value) == "NetworkAcls[1].Entries[0].PortRange: is required"


def test_a_nacl_entry_needs_one_cidr():
    doc = copy.deepcopy(NETWORK_ACLS)
    doc["NetworkAcls"][1]["Entries"][0]["Ipv6CidrBlock"] = "::/0"
    with pytest.raises(ScenarioError) as caught:
        import_network_acls(doc)
    assert str(caught.value) == "NetworkAcls[1].Entries[0]: an entry needs exactly one of CidrBlock (IPv4) or Ipv6CidrBlock (IPv6)"


def test_bad_aws_json_names_each_fault():
    doc = json.loads(fixture_text(THREE_TIER))
    doc["SecurityGroups"][0]["IpPermissions"][0]["FromPort"] = "443"
    doc["SecurityGroups"][2]["IpPermissions"][0]["UserIdGroupPairs"][0] = {"UserId": "123456789012"}
    with pytest.raises(ScenarioError) as caught:
        import_security_groups(doc)
    assert [str(fault) for fault in caught.value.faults] == [
        "SecurityGroups[0].IpPermissions[0].FromPort: expected a whole number 0-65535 (ports), got the string '443'",
        "SecurityGroups[2].IpPermissions[0].UserIdGroupPairs[0].GroupId: is required",
    ]


def test_it_refuses_output_of_the_wrong_command():
    with pytest.raises(ScenarioError) as caught:
        import_security_groups(NETWORK_ACLS)
    assert str(caught.value) == "expected the output of describe-* (an object with 'SecurityGroups') or its list, got an object"


def test_it_refuses_invalid_json_text():
    with pytest.raises(ScenarioError) as caught:
        import_network_acls('{"NetworkAcls": [}')
    assert str(caught.value) == "invalid JSON at line 1, column 18: Expecting value"
