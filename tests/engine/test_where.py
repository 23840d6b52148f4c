"""Where a fault or notice is, said in words: for a scenario, and for AWS output as pasted."""

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sgviz.engine import import_security_groups, validate_scenario
from sgviz.engine.where import said, where

from .data import fixture_text
from .hostile import PATHS, json_values, replaced

DOC = {
    "security_groups": [
        {"GroupId": "sg-1", "GroupName": "web", "IpPermissions": [{"IpRanges": [{"CidrIp": "a"}, {"CidrIp": "b"}], "Ipv6Ranges": [{"CidrIpv6": "c"}]}, {}]},
        {"GroupId": "", "IpPermissionsEgress": [{}, {}, {"UserIdGroupPairs": [{"GroupId": "sg-9"}]}]},
    ],
    "instances": [{"name": "web"}, {"name": ""}],
    "subnets": [{"id": "subnet-a"}],
    "network_acls": [{"NetworkAclId": "acl-1", "Entries": [{}, {}], "Associations": [{}]}],
    "prefix_lists": {"pl-a.b": ["10.0.0.0/8", "x"], "pl-a": []},
    "timeline": [{}, {}, {"packet": {}}, {"change": {}}],
}


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("security_groups[0]", "group sg-1 (web)"),
        ("security_groups[0].GroupId", "group sg-1 (web), id"),
        ("security_groups[0].IpPermissions[1].FromPort", "group sg-1 (web), inbound rule 2, from port"),
        ("security_groups[0].IpPermissions[0].IpRanges[1].CidrIp", "group sg-1 (web), inbound rule 1, source 2"),
        ("security_groups[0].IpPermissions[0].Ipv6Ranges[0].CidrIpv6", "group sg-1 (web), inbound rule 1, source 3"),
        # one peer: the rule is the row the editor shows, nothing to tell apart
        ("security_groups[1].IpPermissionsEgress[2].UserIdGroupPairs[0].GroupId", "group 2, outbound rule 3"),
        ("security_groups.SecurityGroups[0].IpPermissions[0]", "group 1, inbound rule 1"),
        ("instances[0].private_ip", "instance web, private IP"),
        ("instances[1].security_groups[0]", "instance 2, security groups"),
        ("subnets[0].cidr", "subnet subnet-a, CIDR"),
        ("network_acls[0].Entries[1].RuleNumber", "network ACL acl-1, entry 2, rule number"),
        ("network_acls[0].Associations[0].SubnetId", "network ACL acl-1, associated subnet 1"),
        ("prefix_lists.pl-a.b[1]", "prefix list pl-a.b, CIDR 2"),
        ("prefix_lists.pl-a", "prefix list pl-a"),
        ("timeline[2]", "timeline entry 3"),
        ("timeline[2].packet.src", "timeline entry 3, source"),
        ("timeline[3].change.group", "timeline entry 4"),
        ("timeline[1].at", "timeline entry 2, time"),
        ("labels.web", "label web"),
        ("parameters.tcp_established_timeout", "parameter tcp_established_timeout"),
        ("timeline", "the timeline"),
        ("something.else[2]", "something.else[2]"),  # a path it cannot follow is given as it is
    ],
)
def test_every_place_the_engine_names_is_said_in_words(path, words):
    assert where(path, DOC) == words


def test_a_pasted_export_is_named_by_its_own_groups_and_rules():
    pasted = json.loads(fixture_text("hybrid-cloud-describe-security-groups.json"))
    group = pasted["SecurityGroups"][1]
    assert where("SecurityGroups[1].IpPermissions[0]", pasted) == f"group {group['GroupId']} ({group['GroupName']}), inbound rule 1"
    assert where("[1].IpPermissions[0]", pasted["SecurityGroups"]) == f"group {group['GroupId']} ({group['GroupName']}), inbound rule 1"
    rules = [{"SecurityGroupRuleId": "sgr-1", "GroupId": "sg-9", "IsEgress": False}]
    assert where("[0].CidrIpv4", rules) == where("SecurityGroupRules[0].CidrIpv4", {"SecurityGroupRules": rules}) == "rule sgr-1 of group sg-9"
    assert where("NetworkAcls[0].Entries[3]", {"NetworkAcls": [{"NetworkAclId": "acl-9"}]}) == "network ACL acl-9, entry 4"


def test_the_engines_notice_about_a_pasted_group_names_it():
    pasted = json.loads(fixture_text("hybrid-cloud-describe-security-groups.json"))
    _, notices = import_security_groups(pasted)
    assert notices and all(said(n.path, n.message, pasted).startswith("group sg-") for n in notices)
    assert said("", "whole", pasted) == "whole"




@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PATHS), json_values), min_size=1, max_size=3))
def test_every_fault_of_a_broken_scenario_is_placed_in_words_not_in_the_engines_path(replacements):
    """Whatever the broken document, ``where`` answers; a fault in an object the learner knows
    (a group, instance, subnet, ACL or entry by its number, a label, parameter or prefix list
    by its key) is named in words. A path into a shape no scenario has (a key where a list
    goes: "security_groups.x") is shown as it is."""
    doc = replaced(replacements)
    _, faults, notices = validate_scenario(doc)
    for finding in (*faults, *notices):
        if finding.path:
            words = where(finding.path, doc)
            if KNOWN_PLACE.match(finding.path):
                assert words != finding.path, finding


KNOWN_PLACE = re.compile(r"(security_groups|instances|subnets|network_acls|timeline)\[\d+\]|(labels|parameters|prefix_lists)\.")
