"""Untracked and automatically tracked flows (spec §2)."""

import pytest

from sgviz.engine.params import Parameters
from sgviz.engine.results import Basis, Verdict

from .factories import ALL_OUT, ALL_OUT_V6, IN, OUT, Wire, authorize, group, icmp, instance, packet, revoke

WEB, WEB6 = "10.0.1.10", "2001:db8::10"
CLIENT, CLIENT6 = "198.51.100.10", "2001:db8:ffff::7"


def spec_example(**kwargs):
    """Spec §2's worked example: TCP 80 from anywhere, TCP 22 from one host, ICMP, all out."""
    ingress = [("tcp", 80, "0.0.0.0/0"), ("tcp", 80, "::/0"), ("tcp", 22, "203.0.113.1/32"), ("icmp", None, "0.0.0.0/0")]
    return Wire([group("sg-web", ingress=ingress, egress=[ALL_OUT, ALL_OUT_V6])], [instance("web", WEB, "sg-web", ipv6=WEB6)], **kwargs)


def test_spec_example_port_80_is_untracked():
    wire = spec_example()
    assert wire.send(packet(f"{CLIENT}:50000", f"{WEB}:80")).tracked is False
    assert wire.send(packet(f"[{CLIENT6}]:50000", f"[{WEB6}]:80")).tracked is False
    assert wire.simulation.connections() == ()


def test_spec_example_port_22_is_tracked():
    result = spec_example().send(packet("203.0.113.1:50000", f"{WEB}:22"))
    assert (result.verdict, result.tracked) == (Verdict.ALLOW, True)


def test_spec_example_icmp_is_tracked():
    result = spec_example().send(icmp(CLIENT, WEB, 8, ident=3))
    assert (result.verdict, result.tracked) == (Verdict.ALLOW, True)


def test_spec_example_deleting_the_ipv4_outbound_rule_tracks_all_ipv4_traffic():
    wire = spec_example()
    wire.send(revoke("sg-web", OUT, *ALL_OUT))
    assert wire.send(packet(f"{CLIENT}:50000", f"{WEB}:80")).tracked is True
    assert wire.send(packet(f"[{CLIENT6}]:50000", f"[{WEB6}]:80")).tracked is False


def test_an_untracked_reply_passes_because_of_the_other_direction_rule():
    wire = spec_example()
    wire.send(packet(f"{CLIENT}:50000", f"{WEB}:80"))
    reply = wire.send(packet(f"{WEB}:80", f"{CLIENT}:50000"))
    assert (reply.verdict, reply.basis, reply.tracked) == (Verdict.ALLOW, Basis.RULE, False)
    assert reply.rule.direction == OUT
    assert wire.simulation.connections() == ()


def test_untracked_flow_drops_after_rule_revoked():
    wire = spec_example()
    assert wire.send(packet(f"{CLIENT}:50000", f"{WEB}:80")).verdict == Verdict.ALLOW
    wire.send(packet(f"{WEB}:80", f"{CLIENT}:50000"))
    change = wire.send(revoke("sg-web", IN, "tcp", 80, "0.0.0.0/0"))
    assert change.explanation.startswith(
        "Revoked inbound tcp port 80 from 0.0.0.0/0 on sg-web: the untracked flow 198.51.100.10:50000 → 10.0.1.10:80/tcp now drops;"
    )
    next_packet = wire.send(packet(f"{CLIENT}:50000", f"{WEB}:80"))
    assert (next_packet.verdict, next_packet.basis) == (Verdict.DROP, Basis.NO_MATCH)


def test_revoking_a_rule_that_another_rule_covers_breaks_no_untracked_flow():
    wire = spec_example()
    wire.send(authorize("sg-web", IN, "tcp", (0, 1023), "0.0.0.0/0"))
    wire.send(packet(f"{CLIENT}:50000", f"{WEB}:80"))
    change = wire.send(revoke("sg-web", IN, "tcp", 80, "0.0.0.0/0"))
    assert "now drop" not in change.explanation
    assert wire.send(packet(f"{CLIENT}:50000", f"{WEB}:80")).verdict == Verdict.ALLOW


def test_revoking_the_return_rule_breaks_the_untracked_flow_too():
    wire = spec_example()
    wire.send(packet(f"{CLIENT}:50000", f"{WEB}:80"))
    wire.send(packet(f"{WEB}:80", f"{CLIENT}:50000"))
    change = wire.send(revoke("sg-web", OUT, *ALL_OUT))
    assert "the untracked flow 198.51.100.10:50000 → 10.0.1.10:80/tcp now drops" in change.explanation
    assert wire.send(packet(f"{WEB}:80", f"{CLIENT}:50000")).verdict == Verdict.DROP


def test_tracked_flow_keeps_passing_after_rule_revoked():
    wire = spec_example()
    wire.send(packet("203.0.113.1:50000", f"{WEB}:22"))
    wire.send(revoke("sg-web", IN, "tcp", 22, "203.0.113.1/32"))
    assert wire.send(packet("203.0.113.1:50000", f"{WEB}:22")).basis == Basis.STATE


def test_a_narrow_rule_makes_a_tracked_flow():
    wire = Wire([group("sg-web", ingress=[("tcp", 80, "198.51.100.0/24")], egress=[ALL_OUT])], [instance("web", WEB, "sg-web")])
    assert wire.send(packet(f"{CLIENT}:1", f"{WEB}:80")).tracked is True


def test_an_outbound_rule_limited_to_some_ports_keeps_flows_tracked():
    wire = Wire([group("sg-web", ingress=[("tcp", 80, "0.0.0.0/0")], egress=[("tcp", (1024, 65535), "0.0.0.0/0")])], [instance("web", WEB, "sg-web")])
    assert wire.send(packet(f"{CLIENT}:1", f"{WEB}:80")).tracked is True


def test_an_all_ports_return_rule_of_the_same_protocol_makes_flows_untracked():
    wire = Wire([group("sg-web", ingress=[("tcp", 80, "0.0.0.0/0")], egress=[("tcp", None, "0.0.0.0/0")])], [instance("web", WEB, "sg-web")])
    assert wire.send(packet(f"{CLIENT}:1", f"{WEB}:80")).tracked is False
    assert wire.send(packet(f"{CLIENT}:2", f"{WEB}:80", "udp")).verdict == Verdict.DROP


def test_outbound_flows_to_everywhere_are_untracked_when_everything_may_come_back():
    wire = Wire([group("sg-open", ingress=[("-1", None, "0.0.0.0/0")], egress=[ALL_OUT])], [instance("web", WEB, "sg-open")])
    result = wire.send(packet(f"{WEB}:40000", "93.184.216.34:443"))
    assert (result.verdict, result.tracked) == (Verdict.ALLOW, False)
    assert "not tracked" in result.explanation


def test_icmp_is_always_tracked():
    wire = Wire([group("sg-open", ingress=[("-1", None, "0.0.0.0/0")], egress=[ALL_OUT])], [instance("web", WEB, "sg-open")])
    assert wire.send(icmp(CLIENT, WEB, 8)).tracked is True


@pytest.mark.parametrize("via", ["network-load-balancer", "nat-gateway", "transit-gateway", "gateway-load-balancer"])
def test_automatically_tracked_flows_are_tracked_whatever_the_rules(via):
    result = spec_example().send(packet(f"{CLIENT}:50000", f"{WEB}:80", via=via))
    assert result.tracked is True


def test_the_automatically_tracked_list_is_data():
    params = Parameters(automatically_tracked=("my-middlebox",))
    assert spec_example(parameters=params).send(packet(f"{CLIENT}:1", f"{WEB}:80", via="my-middlebox")).tracked is True
    assert spec_example(parameters=params).send(packet(f"{CLIENT}:1", f"{WEB}:80", via="nat-gateway")).tracked is False


def test_untracked_is_judged_on_the_merged_rules_of_all_groups_by_default():
    groups = [group("sg-in", ingress=[("tcp", 80, "0.0.0.0/0")]), group("sg-out", egress=[ALL_OUT])]
    wire = Wire(groups, [instance("web", WEB, "sg-in", "sg-out")])
    assert wire.send(packet(f"{CLIENT}:1", f"{WEB}:80")).tracked is False


def test_untracked_can_be_judged_per_group():
    groups = [group("sg-in", ingress=[("tcp", 80, "0.0.0.0/0")]), group("sg-out", egress=[ALL_OUT])]
    wire = Wire(groups, [instance("web", WEB, "sg-in", "sg-out")], parameters=Parameters(untracked_judged_on="per-group"))
    assert wire.send(packet(f"{CLIENT}:1", f"{WEB}:80")).tracked is True


def test_it_refuses_an_unknown_way_of_judging_untracked_flows():
    with pytest.raises(ValueError, match="untracked_judged_on"):
        spec_example(parameters=Parameters(untracked_judged_on="by-mood"))


def test_authorizing_an_all_outbound_rule_makes_new_flows_untracked():
    wire = Wire([group("sg-web", ingress=[("tcp", 80, "0.0.0.0/0")])], [instance("web", WEB, "sg-web")])
    assert wire.send(packet(f"{CLIENT}:1", f"{WEB}:80")).tracked is True
    wire.send(authorize("sg-web", OUT, *ALL_OUT))
    assert wire.send(packet(f"{CLIENT}:2", f"{WEB}:80")).tracked is False


def web_without_icmp_rule(**kwargs):
    return Wire([group("sg-web", ingress=[("tcp", 80, "0.0.0.0/0")], egress=[ALL_OUT])], [instance("web", WEB, "sg-web")], **kwargs)


def test_icmp_errors_about_untracked_flows_need_a_rule_by_default():
    flow = packet(f"{WEB}:80", f"{CLIENT}:50000")
    error = web_without_icmp_rule().send(icmp("192.0.2.1", WEB, 3, 4, ident=None, embedded=flow))
    assert (error.verdict, error.basis) == (Verdict.DROP, Basis.NO_MATCH)


def test_icmp_errors_about_untracked_flows_can_be_let_in_by_parameter():
    wire = web_without_icmp_rule(parameters=Parameters(icmp_errors_for_untracked=True))
    flow = packet(f"{WEB}:80", f"{CLIENT}:50000")
    error = wire.send(icmp("192.0.2.1", WEB, 3, 4, ident=None, embedded=flow))
    assert (error.verdict, error.basis, error.tracked) == (Verdict.ALLOW, Basis.RULE, None)
    assert "icmp_errors_for_untracked" in error.steps[error.deciding_step].detail


def test_icmp_errors_about_tracked_flows_are_not_the_untracked_parameter_business():
    wire = web_without_icmp_rule(parameters=Parameters(icmp_errors_for_untracked=True))
    narrow = packet(f"{WEB}:40000", "203.0.113.5:22")
    error = wire.send(icmp("192.0.2.1", WEB, 3, 4, ident=None, embedded=narrow))
    assert error.verdict == Verdict.DROP
