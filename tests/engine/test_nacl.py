"""Network ACLs (spec §3): stateless, numbered, first match decides, checked at subnet boundaries."""

from sgviz.engine.matching import DEFAULT_NACL_ENTRIES
from sgviz.engine.model import ICMP, ChangeAction, NaclAction, NaclChange, NaclEntry
from sgviz.engine.results import Basis, Verdict

from .factories import ALL_OUT, ALL_OUT_V6, OUT, Wire, authorize, group, icmp, instance, nacl, nacl_entry, packet, peer, subnet

WEB = "10.0.1.10"
CLIENT = "198.51.100.10"
SUBNETS = (subnet("subnet-web", "10.0.1.0/24", "2001:db8:1::/64"), subnet("subnet-db", "10.0.2.0/24"))
EPHEMERAL = (1024, 65535)


def wire(*acls, ingress=(("tcp", 80, "0.0.0.0/0"), ("tcp", 22, "0.0.0.0/0"), ("tcp", 443, "::/0")), egress=(), db=False, **kwargs):
    groups = [group("sg-web", ingress=ingress, egress=egress)]
    instances = [instance("web", WEB, "sg-web", ipv6="2001:db8:1::10", subnet="subnet-web")]
    if db:
        groups.append(group("sg-db", ingress=[("tcp", 5432, "10.0.0.0/16")], egress=[ALL_OUT]))
        instances += [instance("db", "10.0.2.30", "sg-db", subnet="subnet-db"), instance("db2", "10.0.2.31", "sg-db", subnet="subnet-db")]
    return Wire(groups, instances, network_acls=acls, subnets=SUBNETS, **kwargs)


def web_acl(*entries, **kwargs):
    return nacl("acl-web", *entries, subnets=("subnet-web",), **kwargs)


def nodes(result):
    return [s.node for s in result.steps]


def test_the_lowest_numbered_matching_entry_decides():
    acl = web_acl(nacl_entry(200, "allow", "tcp", (80, 80)), nacl_entry(100, "deny", "tcp", (80, 80), "198.51.100.0/24"), nacl_entry(100, "allow", egress=True))
    blocked = wire(acl).send(packet(f"{CLIENT}:50000", f"{WEB}:80"))
    assert (blocked.verdict, blocked.basis, blocked.rule.rule_number) == (Verdict.DROP, Basis.NACL, 100)
    allowed = wire(acl).send(packet("203.0.113.1:50000", f"{WEB}:80"))
    assert (allowed.verdict, allowed.basis) == (Verdict.ALLOW, Basis.RULE)


def test_the_first_match_decides_even_when_a_later_entry_would_allow():
    acl = web_acl(nacl_entry(10, "deny", "-1"), nacl_entry(20, "allow", "-1"))
    assert wire(acl).send(packet(f"{CLIENT}:1", f"{WEB}:80")).rule.rule_number == 10


def test_unmatched_traffic_meets_the_star_deny():
    acl = web_acl(nacl_entry(100, "allow", "tcp", (22, 22)))
    result = wire(acl).send(packet(f"{CLIENT}:1", f"{WEB}:80"))
    assert (result.verdict, result.basis, result.rule.rule_number) == (Verdict.DROP, Basis.NACL, 32767)
    assert "rule * denies" in result.explanation


def test_the_ipv6_star_deny_is_32768():
    result = wire(web_acl()).send(packet("[2001:db8:ffff::1]:1", "[2001:db8:1::10]:443"))
    assert (result.basis, result.rule.rule_number) == (Basis.NACL, 32768)


def test_a_new_custom_nacl_denies_everything():
    result = wire(web_acl()).send(packet(f"{CLIENT}:1", f"{WEB}:80"))
    assert (result.verdict, result.basis) == (Verdict.DROP, Basis.NACL)


def test_a_subnet_without_nacl_uses_aws_default_allow_all():
    result = wire().send(packet(f"{CLIENT}:1", f"{WEB}:80"))
    assert result.verdict == Verdict.ALLOW
    assert result.steps[2].matched == DEFAULT_NACL_ENTRIES[0]
    ipv6 = wire().send(packet("[2001:db8:ffff::1]:1", "[2001:db8:1::10]:443"))
    assert (ipv6.verdict, ipv6.steps[2].matched.rule_number) == (Verdict.ALLOW, 101)


def test_a_subnet_without_nacl_uses_the_scenario_default_nacl():
    default = nacl("acl-default", nacl_entry(100, "deny", "tcp", (22, 22)), nacl_entry(200, "allow"), is_default=True)
    assert wire(default).send(packet(f"{CLIENT}:1", f"{WEB}:22")).basis == Basis.NACL
    assert wire(default).send(packet(f"{CLIENT}:1", f"{WEB}:80")).verdict == Verdict.ALLOW


def test_the_inbound_nacl_is_checked_before_the_security_group():
    acl = web_acl(nacl_entry(100, "deny", "tcp", (80, 80)))
    result = wire(acl).send(packet(f"{CLIENT}:1", f"{WEB}:80"))
    assert nodes(result) == ["in.arrive", "in.nacl", "in.nacl_ok", "in.drop"]


def test_the_outbound_nacl_is_checked_after_the_security_group():
    acl = web_acl(nacl_entry(100, "deny", "tcp", (443, 443), egress=True))
    result = wire(acl, egress=(ALL_OUT,)).send(packet(f"{WEB}:40000", "93.184.216.34:443"))
    assert nodes(result) == ["out.arrive", "out.state", "out.state_ok", "out.rules", "out.rules_ok", "out.nacl", "out.nacl_ok", "out.drop"]
    assert result.basis == Basis.NACL


def test_a_nacl_drop_records_no_connection():
    acl = web_acl(nacl_entry(100, "deny", "tcp", (443, 443), egress=True))
    w = wire(acl, egress=(ALL_OUT,))
    w.send(packet(f"{WEB}:40000", "93.184.216.34:443"))
    assert w.simulation.connections() == ()


def test_replies_need_a_nacl_rule_for_the_ephemeral_ports():
    inbound_only = web_acl(nacl_entry(100, "allow", "tcp", (80, 80)))
    w = wire(inbound_only)
    w.send(packet(f"{CLIENT}:50000", f"{WEB}:80"))
    reply = w.send(packet(f"{WEB}:80", f"{CLIENT}:50000"))
    assert (reply.verdict, reply.basis) == (Verdict.DROP, Basis.NACL)
    assert nodes(reply) == ["out.arrive", "out.state", "out.state_ok", "out.nacl", "out.nacl_ok", "out.drop"]
    with_ephemeral = web_acl(nacl_entry(100, "allow", "tcp", (80, 80)), nacl_entry(100, "allow", "tcp", EPHEMERAL, egress=True))
    w = wire(with_ephemeral)
    w.send(packet(f"{CLIENT}:50000", f"{WEB}:80"))
    assert w.send(packet(f"{WEB}:80", f"{CLIENT}:50000")).basis == Basis.STATE


def test_nacl_change_that_blocks_breaks_even_tracked_connections():
    acl = web_acl(nacl_entry(100, "allow"), nacl_entry(100, "allow", egress=True))
    w = wire(acl)
    w.send(packet(f"{CLIENT}:50000", f"{WEB}:22"))
    w.send(packet(f"{WEB}:22", f"{CLIENT}:50000"))
    change = w.send(NaclChange("acl-web", ChangeAction.ADD, nacl_entry(50, "deny", "tcp", (22, 22), "198.51.100.0/24")))
    assert "network ACLs keep no state" in change.explanation
    blocked = w.send(packet(f"{CLIENT}:50000", f"{WEB}:22"))
    assert (blocked.verdict, blocked.basis) == (Verdict.DROP, Basis.NACL)
    w.send(NaclChange("acl-web", ChangeAction.REMOVE, nacl_entry(50, "deny", "tcp", (22, 22))))
    assert w.send(packet(f"{CLIENT}:50000", f"{WEB}:22")).basis == Basis.STATE


def test_adding_an_entry_with_a_taken_number_replaces_it():
    w = wire(web_acl(nacl_entry(100, "deny")))
    change = w.send(NaclChange("acl-web", ChangeAction.ADD, nacl_entry(100, "allow")))
    assert change.explanation.startswith("Replaced rule 100 allows all traffic from 0.0.0.0/0 in acl-web")
    assert w.send(packet(f"{CLIENT}:1", f"{WEB}:80")).verdict == Verdict.ALLOW


def test_nacls_are_not_checked_within_one_subnet():
    deny_all_db = nacl("acl-db", subnets=("subnet-db",))
    result = wire(deny_all_db, db=True).send(packet("10.0.2.30:40000", "10.0.2.31:5432"))
    assert result.verdict == Verdict.ALLOW
    assert not any(".nacl" in node for node in nodes(result))


def test_both_subnets_nacls_are_checked_between_subnets():
    deny_all_db = nacl("acl-db", subnets=("subnet-db",))
    result = wire(deny_all_db, db=True, egress=(ALL_OUT,)).send(packet(f"{WEB}:40000", "10.0.2.30:5432"))
    assert (result.verdict, result.basis) == (Verdict.DROP, Basis.NACL)
    assert nodes(result)[-3:] == ["in.nacl", "in.nacl_ok", "in.drop"]
    assert "out.nacl_ok" in nodes(result)


def test_nacl_port_ranges_look_at_the_destination_port():
    acl = web_acl(nacl_entry(100, "allow", "tcp", (80, 80)))
    assert wire(acl).send(packet(f"{CLIENT}:80", f"{WEB}:22")).basis == Basis.NACL


def test_nacl_icmp_entries_match_type_and_code():
    echo = NaclEntry(100, False, ICMP, NaclAction.ALLOW, peer("0.0.0.0/0"), icmp_type=8, icmp_code=-1)
    w = wire(web_acl(echo), ingress=(("icmp", None, "0.0.0.0/0"),))
    assert w.send(icmp(CLIENT, WEB, 8)).verdict == Verdict.ALLOW
    assert w.send(icmp(CLIENT, WEB, 13)).basis == Basis.NACL


def test_instances_without_a_subnet_meet_no_nacl():
    w = Wire([group("sg-web", ingress=[("tcp", 80, "0.0.0.0/0")])], [instance("web", WEB, "sg-web")], network_acls=(nacl("acl-default", is_default=True),))
    assert w.send(packet(f"{CLIENT}:1", f"{WEB}:80")).verdict == Verdict.ALLOW


def test_an_outbound_allow_authorized_later_does_not_bypass_the_nacl():
    acl = web_acl(nacl_entry(100, "allow"))
    w = wire(acl)
    w.send(authorize("sg-web", OUT, *ALL_OUT_V6))
    result = w.send(packet("[2001:db8:1::10]:1", "[2001:db8:ffff::1]:443"))
    assert (result.verdict, result.basis, result.rule.rule_number) == (Verdict.DROP, Basis.NACL, 32768)
