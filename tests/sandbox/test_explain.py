"""Explain my groups: plain pytest, no Django."""

import json

from sandbox.explain import explain_groups
from sandbox.paste import import_paste

THREE_TIER = open("/work/shared/fixtures/aws/three-tier-describe-security-groups.json").read()
WEB_SSH = json.load(open("examples/sandbox/web-ssh.json"))
SEED = json.load(open("examples/seed-lesson.json"))


def test_a_rule_open_to_everyone_is_untracked_only_with_everything_allowed_back():
    (web,) = explain_groups(WEB_SSH)
    assert web.rules[0] == "Inbound TCP port 443 from anywhere (every IPv4 address) — “HTTPS from anywhere”"
    assert len(web.untracked) == 1 and "untracked, because the group also allows all outbound IPv4 traffic back" in web.untracked[0]
    # What the server opens outbound is tracked: nothing lets every address back in on every port.
    assert web.tracked == [
        "Outbound all traffic to anywhere (every IPv4 address) — “AWS's default outbound rule”: tracked. "
        "AWS would leave it untracked only if an inbound rule allowed every port from every IPv4 address, and none does"
    ]
    (seed,) = explain_groups(SEED)
    assert seed.untracked == [] and "tracked. AWS would leave it untracked only if an outbound rule allowed every port to every IPv4 address" in seed.tracked[0]


def test_families_are_judged_apart():
    doc = {"security_groups": [{"GroupId": "sg-a", "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}],
                                "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}]}
    (group,) = explain_groups(doc)
    assert group.untracked == [] and "IPv6" in group.tracked[0]


def test_risky_rules_are_named_with_the_reason():
    doc = {"security_groups": [{"GroupId": "sg-a", "IpPermissions": [
        {"IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "-1", "Ipv6Ranges": [{"CidrIpv6": "::/0"}]},
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": "sg-elsewhere"}]},
    ]}]}
    risks = explain_groups(doc)[0].risks
    assert any("SSH (port 22) is open to the whole internet" in r for r in risks)
    assert any("RDP (port 3389)" in r for r in risks)
    assert any("all traffic from anywhere" in r for r in risks)
    assert any("sg-elsewhere is not in this export" in r for r in risks)


def test_the_three_tier_export_is_explained():
    explained = explain_groups(import_paste({}, THREE_TIER).document)
    assert len(explained) == 7 and all(group.rules for group in explained)


def test_all_traffic_open_both_ways_is_untracked_for_tcp_and_udp_only_icmp_stays_tracked():
    everything = [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    (group,) = explain_groups({"security_groups": [{"GroupId": "sg-a", "IpPermissions": everything, "IpPermissionsEgress": everything}]})
    inbound = "Inbound all traffic from anywhere (every IPv4 address)"
    assert group.untracked[0] == f"{inbound}: TCP and UDP untracked, because the group also allows all outbound IPv4 traffic back"
    assert group.tracked[0] == f"{inbound}: ICMP and every other protocol tracked, because AWS always tracks ICMP and only TCP and UDP flows go untracked"
    assert len(group.untracked) == len(group.tracked) == 2  # the outbound rule likewise
