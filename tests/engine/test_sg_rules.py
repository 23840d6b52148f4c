"""Security group rules (spec §1): allow-only, protocols, ports, peers, merged groups, exemptions."""

import pytest

from sgviz.engine.model import SecurityGroup
from sgviz.engine.params import Parameters
from sgviz.engine.results import Basis, Verdict

from sgviz.engine.addresses import parse_cidr
from sgviz.engine.simulation import simulate

from .factories import ALL_OUT, ALL_OUT_V6, IN, authorize, group, icmp, instance, packet, run, subnet
from .factories import scenario as make_scenario

WEB = "10.0.1.10"
CLIENT = "198.51.100.10"


def verdict(groups, instances, one_packet, **kwargs):
    (result,) = run(groups, instances, [one_packet], **kwargs)
    return result


def web(*ingress, egress=(ALL_OUT,)):
    return [group("sg-web", ingress=ingress, egress=egress)], [instance("web", WEB, "sg-web")]


def test_it_drops_what_no_rule_allows():
    result = verdict(*web(("tcp", 80, "0.0.0.0/0")), packet(f"{CLIENT}:4000", f"{WEB}:443"))
    assert (result.verdict, result.basis, result.rule) == (Verdict.DROP, Basis.NO_MATCH, None)


def test_it_allows_what_a_rule_allows_and_names_the_rule():
    groups, instances = web(("tcp", 80, "0.0.0.0/0"))
    result = verdict(groups, instances, packet(f"{CLIENT}:4000", f"{WEB}:80"))
    assert (result.verdict, result.basis) == (Verdict.ALLOW, Basis.RULE)
    assert result.rule == groups[0].ingress[0]


def test_a_group_without_inbound_rules_lets_nothing_in():
    result = verdict(*web(), packet(f"{CLIENT}:4000", f"{WEB}:80"))
    assert (result.verdict, result.basis) == (Verdict.DROP, Basis.NO_MATCH)
    assert [s.node for s in result.steps][-2:] == ["in.state_ok", "in.drop"]


def test_a_new_group_lets_everything_out():
    result = verdict(*web(), packet(f"{WEB}:4000", f"{CLIENT}:443"))
    assert (result.verdict, result.basis) == (Verdict.ALLOW, Basis.RULE)


def test_without_outbound_rules_nothing_leaves_but_replies():
    groups, instances = web(("tcp", 80, "0.0.0.0/0"), egress=())
    results = run(groups, instances, [packet(f"{WEB}:4000", f"{CLIENT}:443"), packet(f"{CLIENT}:5000", f"{WEB}:80"), packet(f"{WEB}:80", f"{CLIENT}:5000")])
    assert [(r.verdict, r.basis) for r in results] == [(Verdict.DROP, Basis.NO_MATCH), (Verdict.ALLOW, Basis.RULE), (Verdict.ALLOW, Basis.STATE)]


def test_port_range_is_an_inclusive_destination_range():
    groups, instances = web(("tcp", (8000, 8080), "0.0.0.0/0"))
    allowed = [verdict(groups, instances, packet(f"{CLIENT}:8081", f"{WEB}:{port}")).verdict for port in (7999, 8000, 8080, 8081)]
    assert allowed == [Verdict.DROP, Verdict.ALLOW, Verdict.ALLOW, Verdict.DROP]


def test_rules_never_look_at_the_source_port():
    groups, instances = web(("tcp", 22, "0.0.0.0/0"))
    assert verdict(groups, instances, packet(f"{CLIENT}:22", f"{WEB}:2222")).verdict == Verdict.DROP


def test_udp_and_tcp_rules_are_distinct():
    groups, instances = web(("udp", 53, "0.0.0.0/0"))
    assert verdict(groups, instances, packet(f"{CLIENT}:4000", f"{WEB}:53", "tcp")).verdict == Verdict.DROP
    assert verdict(groups, instances, packet(f"{CLIENT}:4000", f"{WEB}:53", "udp")).verdict == Verdict.ALLOW


def test_all_protocols_rule_ignores_ports():
    groups, instances = web(("-1", None, "198.51.100.0/24"))
    for probe in (packet(f"{CLIENT}:1", f"{WEB}:65535"), packet(f"{CLIENT}:1", f"{WEB}:9", "udp"), icmp(CLIENT, WEB, 8), packet(CLIENT, WEB, 47)):
        assert verdict(groups, instances, probe).verdict == Verdict.ALLOW


def test_a_numbered_protocol_rule_matches_only_that_protocol():
    groups, instances = web(("47", None, "0.0.0.0/0"))
    assert verdict(groups, instances, packet(CLIENT, WEB, 47)).verdict == Verdict.ALLOW
    assert verdict(groups, instances, packet(CLIENT, WEB, 50)).verdict == Verdict.DROP


def test_icmp_rule_matches_type_and_code():
    groups, instances = web(("icmp", (3, 4), "0.0.0.0/0"))
    assert verdict(groups, instances, icmp(CLIENT, WEB, 3, 4)).verdict == Verdict.ALLOW
    assert verdict(groups, instances, icmp(CLIENT, WEB, 3, 1)).verdict == Verdict.DROP
    assert verdict(groups, instances, icmp(CLIENT, WEB, 8, 0)).verdict == Verdict.DROP


def test_icmp_type_with_all_codes_and_all_types():
    echo_any_code = web(("icmp", 8, "0.0.0.0/0"))
    assert verdict(*echo_any_code, icmp(CLIENT, WEB, 8, 0)).verdict == Verdict.ALLOW
    assert verdict(*echo_any_code, icmp(CLIENT, WEB, 13, 0)).verdict == Verdict.DROP
    every_type = web(("icmp", None, "0.0.0.0/0"))
    assert verdict(*every_type, icmp(CLIENT, WEB, 13, 0)).verdict == Verdict.ALLOW


def test_an_icmp_rule_does_not_match_icmpv6():
    groups = [group("sg-web", ingress=[("icmp", None, "::/0")], egress=[ALL_OUT_V6])]
    instances = [instance("web", WEB, "sg-web", ipv6="2001:db8::10")]
    assert verdict(groups, instances, icmp("2001:db8::99", "2001:db8::10", 128)).verdict == Verdict.DROP


def test_ipv4_rules_do_not_match_ipv6_packets():
    groups = [group("sg-web", ingress=[("tcp", 443, "0.0.0.0/0")])]
    instances = [instance("web", WEB, "sg-web", ipv6="2001:db8::10")]
    assert verdict(groups, instances, packet("[2001:db8::99]:4000", "[2001:db8::10]:443")).verdict == Verdict.DROP
    groups6 = [group("sg-web", ingress=[("tcp", 443, "::/0")])]
    assert verdict(groups6, instances, packet("[2001:db8::99]:4000", "[2001:db8::10]:443")).verdict == Verdict.ALLOW


def test_cidr_rules_match_by_prefix():
    groups, instances = web(("tcp", 22, "203.0.113.0/28"))
    assert verdict(groups, instances, packet("203.0.113.15:4000", f"{WEB}:22")).verdict == Verdict.ALLOW
    assert verdict(groups, instances, packet("203.0.113.16:4000", f"{WEB}:22")).verdict == Verdict.DROP


def test_prefix_list_rule_matches_its_cidrs():
    groups, instances = web(("tcp", 443, "pl-0123"))
    lists = {"pl-0123": (parse_cidr("192.0.2.0/24"), parse_cidr("203.0.113.7/32"))}
    assert verdict(groups, instances, packet("192.0.2.200:1", f"{WEB}:443"), prefix_lists=lists).verdict == Verdict.ALLOW
    assert verdict(groups, instances, packet("203.0.113.7:1", f"{WEB}:443"), prefix_lists=lists).verdict == Verdict.ALLOW
    assert verdict(groups, instances, packet("203.0.113.8:1", f"{WEB}:443"), prefix_lists=lists).verdict == Verdict.DROP


def _app_and_db(db_ingress):
    groups = [group("sg-app", egress=[ALL_OUT]), group("sg-db", ingress=db_ingress, egress=[ALL_OUT])]
    instances = [
        instance("app", "10.0.1.20", "sg-app", public_ip="54.0.0.20"),
        instance("db", "10.0.2.30", "sg-db"),
    ]
    return groups, instances


def test_group_reference_matches_private_ips_of_its_members():
    groups, instances = _app_and_db([("tcp", 5432, "sg-app")])
    result = verdict(groups, instances, packet("10.0.1.20:40000", "10.0.2.30:5432"))
    assert (result.verdict, result.basis) == (Verdict.ALLOW, Basis.RULE)


def test_group_reference_does_not_match_public_ips():
    groups, instances = _app_and_db([("tcp", 5432, "sg-app")])
    result = verdict(groups, instances, packet("54.0.0.20:40000", "10.0.2.30:5432"))
    assert result.verdict == Verdict.DROP


def test_group_reference_does_not_match_traffic_through_a_middlebox():
    groups, instances = _app_and_db([("tcp", 5432, "sg-app")])
    result = verdict(groups, instances, packet("10.0.1.20:40000", "10.0.2.30:5432", via="network-load-balancer"))
    assert (result.verdict, result.basis) == (Verdict.DROP, Basis.NO_MATCH)
    assert result.explanation == (
        "Dropped: no inbound rule of sg-db allows tcp port 5432 from 10.0.1.20"
        " (through network-load-balancer: group references do not match) (decided entering db)."
    )


def test_cidr_rules_still_match_traffic_through_a_middlebox():
    groups, instances = _app_and_db([("tcp", 5432, "10.0.1.0/24")])
    assert verdict(groups, instances, packet("10.0.1.20:40000", "10.0.2.30:5432", via="nat-gateway")).verdict == Verdict.ALLOW


def test_group_reference_does_not_match_outsiders():
    groups, instances = _app_and_db([("tcp", 5432, "sg-app")])
    assert verdict(groups, instances, packet("10.0.1.99:40000", "10.0.2.30:5432")).verdict == Verdict.DROP


def test_self_reference_lets_members_talk():
    groups = [group("sg-default", ingress=[("-1", None, "sg-default")], egress=[ALL_OUT])]
    instances = [instance("a", "10.0.1.1", "sg-default"), instance("b", "10.0.1.2", "sg-default")]
    assert verdict(groups, instances, packet("10.0.1.1:40000", "10.0.1.2:8080")).verdict == Verdict.ALLOW


def test_members_of_one_group_cannot_talk_without_a_rule():
    groups = [group("sg-web", ingress=[("tcp", 80, "203.0.113.0/24")], egress=[ALL_OUT])]
    instances = [instance("a", "10.0.1.1", "sg-web"), instance("b", "10.0.1.2", "sg-web")]
    result = verdict(groups, instances, packet("10.0.1.1:40000", "10.0.1.2:80"))
    assert (result.verdict, result.basis) == (Verdict.DROP, Basis.NO_MATCH)


def test_a_reference_to_an_absent_group_matches_nothing():
    groups, instances = web(("tcp", 80, "sg-elsewhere"))
    assert verdict(groups, instances, packet(f"{CLIENT}:1", f"{WEB}:80")).verdict == Verdict.DROP


def test_rules_of_all_groups_on_an_interface_are_merged():
    groups = [group("sg-ssh", ingress=[("tcp", 22, "0.0.0.0/0")]), group("sg-web", ingress=[("tcp", 80, "0.0.0.0/0")])]
    instances = [instance("web", WEB, "sg-ssh", "sg-web")]
    for port in (22, 80):
        result = verdict(groups, instances, packet(f"{CLIENT}:1", f"{WEB}:{port}"))
        assert result.verdict == Verdict.ALLOW
    assert verdict(groups, instances, packet(f"{CLIENT}:1", f"{WEB}:80")).rule.group_id == "sg-web"


def test_the_reported_rule_is_the_first_in_merged_order():
    groups = [group("sg-a", ingress=[("tcp", 80, "198.51.100.0/24")]), group("sg-b", ingress=[("tcp", (1, 1000), "198.51.100.10/32")])]
    instances = [instance("web", WEB, "sg-b", "sg-a")]
    result = verdict(groups, instances, packet(f"{CLIENT}:1", f"{WEB}:80"))
    assert result.rule.group_id == "sg-b"


@pytest.mark.parametrize(
    "address, what",
    [
        ("169.254.169.254", "instance metadata"),
        ("169.254.169.253", "DNS resolver"),
        ("169.254.169.123", "Time Sync"),
    ],
)
def test_it_never_filters_the_link_local_services(address, what):
    groups, instances = web(egress=())
    out = verdict(groups, instances, packet(f"{WEB}:40000", f"{address}:80"))
    back = verdict(groups, instances, packet(f"{address}:80", f"{WEB}:40000"))
    assert (out.verdict, out.basis, back.verdict, back.basis) == (Verdict.ALLOW, Basis.EXEMPT, Verdict.ALLOW, Basis.EXEMPT)
    assert what in out.explanation
    assert [s.node for s in out.steps] == ["out.arrive", "out.exempt", "out.allow"]


def test_it_never_filters_the_ipv6_link_local_services():
    groups, instances = [group("sg-web")], [instance("web", WEB, "sg-web", ipv6="2001:db8::10")]
    result = verdict(groups, instances, packet("[2001:db8::10]:40000", "[fd00:ec2::254]:80"))
    assert (result.verdict, result.basis) == (Verdict.ALLOW, Basis.EXEMPT)


def test_it_never_filters_the_subnet_router_and_resolver():
    groups, instances = [group("sg-web")], [instance("web", WEB, "sg-web", subnet="subnet-1")]
    subnets = (subnet("subnet-1", "10.0.1.0/24"),)
    for address in ("10.0.1.1", "10.0.1.2", "10.0.1.3"):
        result = verdict(groups, instances, packet(f"{WEB}:40000", f"{address}:53", "udp"), subnets=subnets)
        assert result.basis == Basis.EXEMPT
    assert verdict(groups, instances, packet(f"{WEB}:40000", "10.0.1.4:53", "udp"), subnets=subnets).basis == Basis.NO_MATCH


def test_it_never_filters_dhcp():
    groups, instances = [group("sg-web")], [instance("web", WEB, "sg-web")]
    result = verdict(groups, instances, packet(f"{WEB}:68", "255.255.255.255:67", "udp"))
    assert (result.verdict, result.basis) == (Verdict.ALLOW, Basis.EXEMPT)


def test_ec2_blocks_outbound_smtp_even_when_a_rule_allows_it():
    groups, instances = web()
    result = verdict(groups, instances, packet(f"{WEB}:40000", f"{CLIENT}:25"))
    assert (result.verdict, result.basis) == (Verdict.DROP, Basis.BLOCKED)
    assert result.rule == groups[0].egress[0]
    assert [s.node for s in result.steps][-3:] == ["out.rules_ok", "out.smtp", "out.drop"]


def test_outbound_smtp_passes_when_the_block_is_lifted():
    groups, instances = web()
    result = verdict(groups, instances, packet(f"{WEB}:40000", f"{CLIENT}:25"), parameters=Parameters(block_outbound_smtp=False))
    assert result.verdict == Verdict.ALLOW


def test_inbound_smtp_is_not_blocked():
    groups, instances = web(("tcp", 25, "0.0.0.0/0"))
    assert verdict(groups, instances, packet(f"{CLIENT}:40000", f"{WEB}:25")).verdict == Verdict.ALLOW


def test_an_authorized_rule_applies_to_the_next_packet():
    groups, instances = web()
    results = run(groups, instances, [packet(f"{CLIENT}:1", f"{WEB}:80"), authorize("sg-web", IN, "tcp", 80, "0.0.0.0/0"), packet(f"{CLIENT}:2", f"{WEB}:80")])
    assert [getattr(r, "verdict", None) for r in results] == [Verdict.DROP, None, Verdict.ALLOW]


def test_a_group_reference_covers_every_interface_of_the_group():
    groups = [group("sg-app", egress=[ALL_OUT, ALL_OUT_V6]), group("sg-db", ingress=[("tcp", 5432, "sg-app")])]
    instances = [instance("app1", "10.0.1.21", "sg-app"), instance("app2", "10.0.1.22", "sg-app", ipv6="2001:db8::22"), instance("db", "10.0.2.30", "sg-db", ipv6="2001:db8::30")]
    sim = simulate(make_scenario(groups, instances, [packet("10.0.1.21:1", "10.0.2.30:5432"), packet("10.0.1.22:1", "10.0.2.30:5432"), packet("[2001:db8::22]:1", "[2001:db8::30]:5432")]))
    assert [r.verdict for r in sim.results] == [Verdict.ALLOW] * 3


def test_groups_are_data_the_simulation_does_not_change():
    groups, instances = web(("tcp", 80, "0.0.0.0/0"))
    before = groups[0]
    run(groups, instances, [authorize("sg-web", IN, "tcp", 22, "0.0.0.0/0")])
    assert isinstance(before, SecurityGroup) and len(before.ingress) == 1
