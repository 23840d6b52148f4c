"""Connection tracking (spec §2): replies pass by state, identities, timeouts, capacity, ICMP errors."""

from sgviz.engine.conntrack import (
    ADVANCE,
    INBOUND,
    TCP_ESTABLISHED,
    ConnectionTable,
    Timeouts,
    connection_view,
    flow_key,
    moved_on,
    unpack_key,
)
from sgviz.engine.model import ConnectionTrackingConfig
from sgviz.engine.params import Parameters
from sgviz.engine.results import Basis, TableChangeKind, Verdict

from .factories import ALL_OUT, ALL_OUT_V6, IN, Wire, group, icmp, instance, packet, revoke

WEB = "10.0.1.10"
CLIENT = "198.51.100.10"


def web_wire(*ingress, egress=(), **kwargs):
    instance_options = {k: kwargs.pop(k) for k in ("connection_tracking", "conntrack_capacity", "ipv6") if k in kwargs}
    return Wire([group("sg-web", ingress=ingress, egress=egress)], [instance("web", WEB, "sg-web", **instance_options)], **kwargs)


def changes(result):
    return [c.kind for step in result.steps for c in step.changes]


def test_it_allows_reply_without_outbound_rule():
    wire = web_wire(("tcp", 80, "0.0.0.0/0"))
    wire.send(packet(f"{CLIENT}:50000", f"{WEB}:80", flags="SYN"))
    reply = wire.send(packet(f"{WEB}:80", f"{CLIENT}:50000", flags="SYN,ACK"))
    assert (reply.verdict, reply.basis, reply.rule) == (Verdict.ALLOW, Basis.STATE, None)


def test_it_allows_inbound_reply_to_an_outbound_request_without_inbound_rule():
    wire = web_wire(egress=(ALL_OUT,))
    request = wire.send(packet(f"{WEB}:40000", "93.184.216.34:443"))
    reply = wire.send(packet("93.184.216.34:443", f"{WEB}:40000"))
    assert (request.basis, request.tracked) == (Basis.RULE, True)
    assert (reply.verdict, reply.basis) == (Verdict.ALLOW, Basis.STATE)
    assert "without an inbound rule" in reply.explanation


def test_state_wins_over_a_rule_that_would_also_allow_the_reply():
    wire = web_wire(("tcp", 80, "0.0.0.0/0"), egress=(("tcp", None, "198.51.100.0/24"),))
    wire.send(packet(f"{CLIENT}:50000", f"{WEB}:80"))
    reply = wire.send(packet(f"{WEB}:80", f"{CLIENT}:50000"))
    assert reply.basis == Basis.STATE
    assert "checked before rules" in reply.explanation


def test_only_the_reversed_five_tuple_is_a_reply():
    wire = web_wire(("tcp", 80, "0.0.0.0/0"))
    wire.send(packet(f"{CLIENT}:50000", f"{WEB}:80"))
    assert wire.send(packet(f"{WEB}:80", f"{CLIENT}:50001")).verdict == Verdict.DROP
    assert wire.send(packet(f"{WEB}:81", f"{CLIENT}:50000")).verdict == Verdict.DROP
    assert wire.send(packet(f"{WEB}:80", "198.51.100.11:50000")).verdict == Verdict.DROP
    assert wire.send(packet(f"{WEB}:80", f"{CLIENT}:50000", "udp")).verdict == Verdict.DROP


def test_later_packets_of_the_initiator_pass_by_state():
    wire = web_wire(("tcp", 80, "0.0.0.0/0"))
    wire.send(packet(f"{CLIENT}:50000", f"{WEB}:80", flags="SYN"))
    again = wire.send(packet(f"{CLIENT}:50000", f"{WEB}:80", flags="ACK"))
    assert again.basis == Basis.STATE and "part of the tracked connection" in again.explanation


def test_a_tracked_flow_survives_the_removal_of_its_rule():
    wire = web_wire(("tcp", 22, "203.0.113.1/32"))
    wire.send(packet("203.0.113.1:50000", f"{WEB}:22"), at=0)
    wire.send(packet(f"{WEB}:22", "203.0.113.1:50000"), at=1)
    change = wire.send(revoke("sg-web", IN, "tcp", 22, "203.0.113.1/32"), at=2)
    assert change.explanation == (
        "Revoked inbound tcp port 22 from 203.0.113.1/32 on sg-web: 1 tracked connection keeps passing until idle past"
        " the timeout; untracked flows and new connections are judged by the remaining rules."
    )
    same_flow = wire.send(packet("203.0.113.1:50000", f"{WEB}:22"), at=3)
    new_flow = wire.send(packet("203.0.113.1:50001", f"{WEB}:22"), at=4)
    assert (same_flow.verdict, same_flow.basis) == (Verdict.ALLOW, Basis.STATE)
    assert (new_flow.verdict, new_flow.basis) == (Verdict.DROP, Basis.NO_MATCH)


def test_tcp_counts_as_established_once_a_packet_passed_each_way():
    wire = web_wire(("tcp", 80, "0.0.0.0/0"))
    wire.send(packet(f"{CLIENT}:50000", f"{WEB}:80"))
    (entry,) = wire.simulation.connections()
    assert (entry.state, entry.expires_at) == ("new", 120)
    reply = wire.send(packet(f"{WEB}:80", f"{CLIENT}:50000"), at=10)
    assert TableChangeKind.ESTABLISHED in changes(reply)
    (entry,) = wire.simulation.connections()
    assert (entry.state, entry.expires_at) == ("established", 10 + 432000)


def test_an_unestablished_tcp_flow_expires_after_the_unestablished_timeout():
    wire = web_wire(("tcp", 80, "0.0.0.0/0"), parameters=Parameters(tcp_unestablished_timeout=60))
    wire.send(packet(f"{CLIENT}:50000", f"{WEB}:80"), at=0)
    assert wire.send(packet(f"{WEB}:80", f"{CLIENT}:50000"), at=60).basis == Basis.STATE


def test_an_idle_connection_expires_and_its_reply_drops():
    wire = web_wire(("tcp", 80, "0.0.0.0/0"), parameters=Parameters(tcp_unestablished_timeout=60))
    wire.send(packet(f"{CLIENT}:50000", f"{WEB}:80"), at=0)
    late = wire.send(packet(f"{WEB}:80", f"{CLIENT}:50000"), at=60.001)
    assert (late.verdict, late.basis) == (Verdict.DROP, Basis.NO_MATCH)
    assert [c.kind for c in late.expired] == [TableChangeKind.EXPIRED]
    assert late.expired[0].connection.remote == f"{CLIENT}:50000"
    assert wire.simulation.connections() == ()


def test_tcp_established_timeout_is_per_interface():
    config = ConnectionTrackingConfig(tcp_established_timeout=60)
    wire = web_wire(("tcp", 80, "0.0.0.0/0"), connection_tracking=config)
    wire.send(packet(f"{CLIENT}:50000", f"{WEB}:80"), at=0)
    wire.send(packet(f"{WEB}:80", f"{CLIENT}:50000"), at=1)
    assert wire.send(packet(f"{WEB}:80", f"{CLIENT}:50000"), at=61).basis == Basis.STATE
    assert wire.send(packet(f"{WEB}:80", f"{CLIENT}:50000"), at=121.5).verdict == Verdict.DROP


def idle_database_connection(**instance_options):
    """An app server's connection to its database, then silence: which packets pass at 350 s and 351 s?"""
    wire = Wire(
        [group("sg-app", egress=(("tcp", 5432, "10.0.2.0/24"),))],
        [instance("app", "10.0.1.20", "sg-app", **instance_options)],
    )
    wire.send(packet("10.0.1.20:40000", "10.0.2.30:5432", flags="SYN"), at=0)
    wire.send(packet("10.0.2.30:5432", "10.0.1.20:40000", flags="SYN,ACK"), at=0)
    wire.send(packet("10.0.1.20:40000", "10.0.2.30:5432", flags="ACK"), at=0)
    at_350 = wire.send(packet("10.0.2.30:5432", "10.0.1.20:40000", flags="ACK"), at=350)
    at_701 = wire.send(packet("10.0.2.30:5432", "10.0.1.20:40000", flags="ACK"), at=701)
    return at_350, at_701


def test_an_idle_database_connection_is_dropped_after_350_seconds_on_nitro_v6_only():
    for nitro in (6, None, 5):
        at_350, at_701 = idle_database_connection(**({"nitro": nitro} if nitro else {}))
        assert at_350.basis == Basis.STATE  # idle exactly the timeout still passes
        expected = (Verdict.DROP, Basis.NO_MATCH) if nitro == 6 else (Verdict.ALLOW, Basis.STATE)
        assert (at_701.verdict, at_701.basis) == expected, nitro
        assert bool(at_701.expired) == (nitro == 6)


def test_an_explicit_tcp_established_timeout_wins_over_the_nitro_v6_default():
    _, at_701 = idle_database_connection(nitro=6, connection_tracking=ConnectionTrackingConfig(tcp_established_timeout=432000))
    assert at_701.basis == Basis.STATE
    _, at_701 = idle_database_connection(nitro=4, connection_tracking=ConnectionTrackingConfig(tcp_established_timeout=60))
    assert at_701.verdict == Verdict.DROP


def test_fin_moves_a_connection_to_the_closing_timeout():
    wire = web_wire(("tcp", 80, "0.0.0.0/0"), parameters=Parameters(tcp_closing_timeout=5))
    wire.send(packet(f"{CLIENT}:50000", f"{WEB}:80"), at=0)
    wire.send(packet(f"{WEB}:80", f"{CLIENT}:50000"), at=1)
    fin = wire.send(packet(f"{CLIENT}:50000", f"{WEB}:80", flags="FIN,ACK"), at=2)
    assert TableChangeKind.CLOSED in changes(fin)
    assert wire.simulation.connections()[0].state == "closing"
    assert wire.send(packet(f"{WEB}:80", f"{CLIENT}:50000", flags="FIN,ACK"), at=7).basis == Basis.STATE
    assert wire.send(packet(f"{WEB}:80", f"{CLIENT}:50000", flags="ACK"), at=12.5).verdict == Verdict.DROP


def test_udp_single_request_response_uses_udp_timeout():
    wire = web_wire(("udp", 53, "0.0.0.0/0"))
    wire.send(packet(f"{CLIENT}:5353", f"{WEB}:53", "udp"), at=0)
    assert wire.send(packet(f"{WEB}:53", f"{CLIENT}:5353", "udp"), at=30).basis == Basis.STATE
    assert wire.send(packet(f"{WEB}:53", f"{CLIENT}:5353", "udp"), at=60.5).verdict == Verdict.DROP


def test_udp_becomes_a_stream_after_more_than_one_request_response():
    config = ConnectionTrackingConfig(udp_timeout=30, udp_stream_timeout=180)
    wire = web_wire(("udp", 4500, "0.0.0.0/0"), connection_tracking=config)
    states = []
    for at, (src, dst) in enumerate([(CLIENT, WEB), (WEB, CLIENT), (CLIENT, WEB), (WEB, CLIENT)]):
        wire.send(packet(f"{src}:{4500 if src == WEB else 5000}", f"{dst}:{4500 if dst == WEB else 5000}", "udp"), at=at)
        states.append(wire.simulation.connections()[0].state)
    assert states == ["new", "new", "new", "stream"]
    assert wire.simulation.connections()[0].expires_at == 3 + 180


def test_icmp_echo_reply_matches_its_request_by_identifier():
    wire = web_wire(egress=(ALL_OUT,))
    request = wire.send(icmp(WEB, "8.8.8.8", 8, ident=77))
    assert (request.verdict, request.tracked) == (Verdict.ALLOW, True)
    assert wire.send(icmp("8.8.8.8", WEB, 0, ident=78)).verdict == Verdict.DROP
    reply = wire.send(icmp("8.8.8.8", WEB, 0, ident=77))
    assert (reply.verdict, reply.basis) == (Verdict.ALLOW, Basis.STATE)


def test_icmp_connections_use_the_icmp_timeout():
    wire = web_wire(egress=(ALL_OUT,), parameters=Parameters(icmp_timeout=10))
    wire.send(icmp(WEB, "8.8.8.8", 8, ident=1), at=0)
    assert wire.send(icmp("8.8.8.8", WEB, 0, ident=1), at=10.5).verdict == Verdict.DROP


def test_icmpv6_echo_reply_matches_its_request():
    wire = web_wire(egress=(ALL_OUT_V6,), ipv6="2001:db8::10")
    wire.send(icmp("2001:db8::10", "2001:db8:ffff::1", 128, ident=5))
    reply = wire.send(icmp("2001:db8:ffff::1", "2001:db8::10", 129, ident=5))
    assert (reply.verdict, reply.basis) == (Verdict.ALLOW, Basis.STATE)


def test_other_protocols_are_tracked_by_addresses_for_600_seconds():
    wire = web_wire(egress=(("47", None, "203.0.113.9/32"),))
    first = wire.send(packet(WEB, "203.0.113.9", 47), at=0)
    assert first.tracked is True
    assert wire.send(packet("203.0.113.9", WEB, 47), at=600).basis == Basis.STATE
    assert wire.send(packet("203.0.113.9", WEB, 50), at=601).verdict == Verdict.DROP
    assert wire.send(packet("203.0.113.9", WEB, 47), at=1200.5).verdict == Verdict.DROP


def test_a_full_table_drops_new_tracked_connections():
    wire = web_wire(("tcp", 22, "203.0.113.0/24"), conntrack_capacity=2)
    assert wire.send(packet("203.0.113.1:1", f"{WEB}:22")).tracked is True
    assert wire.send(packet("203.0.113.2:1", f"{WEB}:22")).tracked is True
    third = wire.send(packet("203.0.113.3:1", f"{WEB}:22"))
    assert (third.verdict, third.basis) == (Verdict.DROP, Basis.CAPACITY)
    assert [s.node for s in third.steps][-3:] == ["in.rules_ok", "in.capacity", "in.drop"]
    assert wire.send(packet(f"{WEB}:22", "203.0.113.1:1")).basis == Basis.STATE


def test_a_full_table_still_passes_untracked_flows():
    wire = web_wire(("tcp", 80, "0.0.0.0/0"), ("tcp", 22, "203.0.113.0/24"), egress=(ALL_OUT,), conntrack_capacity=1)
    wire.send(packet("203.0.113.1:1", f"{WEB}:22"))
    untracked = wire.send(packet(f"{CLIENT}:1", f"{WEB}:80"))
    assert (untracked.verdict, untracked.tracked) == (Verdict.ALLOW, False)


def test_the_capacity_comes_from_parameters_unless_the_instance_sets_it():
    wire = web_wire(("tcp", 22, "0.0.0.0/0"), parameters=Parameters(conntrack_capacity=1))
    wire.send(packet("203.0.113.1:1", f"{WEB}:22"))
    assert wire.send(packet("203.0.113.2:1", f"{WEB}:22")).basis == Basis.CAPACITY


def test_expired_connections_free_capacity():
    wire = web_wire(("tcp", 22, "0.0.0.0/0"), conntrack_capacity=1)
    wire.send(packet("203.0.113.1:1", f"{WEB}:22"), at=0)
    assert wire.send(packet("203.0.113.2:1", f"{WEB}:22"), at=121).tracked is True


def test_icmp_error_about_a_tracked_flow_is_allowed_in():
    wire = web_wire(egress=(ALL_OUT,))
    request = packet(f"{WEB}:40000", "93.184.216.34:443")
    wire.send(request)
    error = wire.send(icmp("192.0.2.1", WEB, 3, 4, ident=None, embedded=request))
    assert (error.verdict, error.basis) == (Verdict.ALLOW, Basis.STATE)
    assert TableChangeKind.RELATED in changes(error)


def test_an_icmp_error_without_a_quoted_header_is_judged_by_the_rules():
    wire = web_wire(egress=(ALL_OUT,))
    wire.send(packet(f"{WEB}:40000", "93.184.216.34:443"))
    result = wire.send(icmp("93.184.216.34", WEB, 3, 4, ident=None))
    assert (result.verdict, result.basis) == (Verdict.DROP, Basis.NO_MATCH)


def test_a_timestamp_request_is_not_part_of_an_echo_flow_with_the_same_identifier():
    wire = web_wire(("icmp", 8, "0.0.0.0/0"))
    assert wire.send(icmp(CLIENT, WEB, 8, ident=7)).tracked is True
    timestamp = wire.send(icmp(CLIENT, WEB, 13, ident=7))
    assert (timestamp.verdict, timestamp.basis) == (Verdict.DROP, Basis.NO_MATCH)
    assert wire.send(icmp(WEB, CLIENT, 14, ident=7)).verdict == Verdict.DROP
    assert wire.send(icmp(WEB, CLIENT, 0, ident=7)).basis == Basis.STATE


def test_a_request_from_the_side_that_answers_is_a_new_flow():
    wire = web_wire(egress=(ALL_OUT,))
    wire.send(icmp(WEB, CLIENT, 8, ident=7))
    request = wire.send(icmp(CLIENT, WEB, 8, ident=7))
    assert (request.verdict, request.basis) == (Verdict.DROP, Basis.NO_MATCH)
    reply = wire.send(icmp(CLIENT, WEB, 0, ident=7))
    assert (reply.basis, reply.explanation) == (
        Basis.STATE,
        f"Allowed without an inbound rule: reply to the tracked connection {WEB} → {CLIENT}/icmp echo request id 7.",
    )


def test_a_query_flow_with_identifier_zero_does_not_let_unrelated_errors_in():
    wire = web_wire(egress=(ALL_OUT,))
    wire.send(icmp(WEB, CLIENT, 8, ident=None))  # no icmp_id: identifier 0
    never_sent = packet(f"{WEB}:5353", f"{CLIENT}:53", "udp")
    for error in (icmp(CLIENT, WEB, 3, 3, ident=None, embedded=never_sent), icmp(CLIENT, WEB, 3, 3, ident=0), icmp(CLIENT, WEB, 11, 0, ident=None)):
        result = wire.send(error)
        assert (result.verdict, result.basis) == (Verdict.DROP, Basis.NO_MATCH)


def test_an_error_quoting_an_unsent_timestamp_request_is_not_about_the_echo_flow():
    wire = web_wire(egress=(ALL_OUT,))
    echo = icmp(WEB, CLIENT, 8, ident=7)
    wire.send(echo)
    unsent = wire.send(icmp("192.0.2.1", WEB, 3, 1, ident=None, embedded=icmp(WEB, CLIENT, 13, ident=7)))
    assert (unsent.verdict, unsent.basis) == (Verdict.DROP, Basis.NO_MATCH)
    about_echo = wire.send(icmp("192.0.2.1", WEB, 3, 1, ident=None, embedded=echo))
    assert (about_echo.verdict, about_echo.basis) == (Verdict.ALLOW, Basis.STATE)
    assert TableChangeKind.RELATED in changes(about_echo)


def test_an_icmp_reply_without_a_tracked_request_opens_no_flow():
    wire = web_wire(("icmp", None, "0.0.0.0/0"), egress=(ALL_OUT,))
    reply = wire.send(icmp(CLIENT, WEB, 0, ident=7))
    assert (reply.verdict, reply.basis, reply.tracked) == (Verdict.ALLOW, Basis.RULE, None)
    assert wire.simulation.connections() == ()


def test_icmp_error_about_an_unknown_flow_needs_a_rule():
    wire = web_wire(egress=(ALL_OUT,))
    stray = packet(f"{WEB}:40001", "93.184.216.34:443")
    result = wire.send(icmp("192.0.2.1", WEB, 3, 4, ident=None, embedded=stray))
    assert (result.verdict, result.basis) == (Verdict.DROP, Basis.NO_MATCH)


def test_an_icmp_error_opens_no_connection():
    wire = web_wire(("icmp", None, "0.0.0.0/0"))
    result = wire.send(icmp("192.0.2.1", WEB, 11, 0, ident=None))
    assert (result.verdict, result.tracked) == (Verdict.ALLOW, None)
    assert wire.simulation.connections() == ()


def test_flows_through_a_network_load_balancer_use_its_timeouts():
    wire = web_wire(("tcp", 80, "0.0.0.0/0"), ("udp", 53, "0.0.0.0/0"), egress=(ALL_OUT,))
    tcp = wire.send(packet(f"{CLIENT}:1", f"{WEB}:80", via="network-load-balancer"))
    udp = wire.send(packet(f"{CLIENT}:2", f"{WEB}:53", "udp", via="network-load-balancer"))
    assert (tcp.tracked, udp.tracked) == (True, True)
    assert sorted(c.expires_at for c in wire.simulation.connections()) == [120, 350]


def test_use_many_is_use_for_each_key():
    timeouts = Timeouts.for_interface(ConnectionTrackingConfig(), Parameters())
    one, many = ConnectionTable(timeouts, 10), ConnectionTable(timeouts, 10)
    keys = [flow_key(4, 6, 1, 80, remote, 5000) for remote in range(5)]
    for table in (one, many):
        for key in keys[:3]:
            table.record(key, 0, INBOUND | 1)
    assert many.use_many(keys, 5, False) == 3
    for key in keys:
        one.use(key, 5, False)
    assert one.entries() == many.entries()
    assert {flags for _, flags, _ in many.entries()} == {ADVANCE[False][INBOUND | 1]} == {INBOUND | TCP_ESTABLISHED}


def test_flow_keys_unpack_to_what_was_packed():
    for args in [(4, 6, 0x0A000110, 80, 0xC6336410, 50000), (6, 17, (1 << 128) - 1, 65535, 1, 0), (4, 255, 0xFFFFFFFF, 65535, 0xFFFFFFFF, 65535)]:
        assert unpack_key(flow_key(*args)) == args


def test_a_view_moved_on_is_the_view_of_the_entry_it_became():
    # the simulator updates a connection's view instead of decoding its key again: same result
    for key in (flow_key(4, 6, 0x0A000110, 80, 0xC6336410, 50000), flow_key(6, 17, 1, 53, 2, 4000), flow_key(4, 1, 1, 7, 2, 8 << 1)):
        for old, new in ((INBOUND | 1, INBOUND | TCP_ESTABLISHED), (1, 3), (4, 7), (8, 8)):
            assert moved_on(connection_view("web", key, old, 1000), new, 61_500) == connection_view("web", key, new, 61_500)


def test_expiry_removes_exactly_the_entries_idle_past_their_timeout_in_expiry_order():
    timeouts = Timeouts.for_interface(ConnectionTrackingConfig(), Parameters(tcp_unestablished_timeout=10))
    table = ConnectionTable(timeouts, 100)
    keys = [flow_key(4, 6, 1, 80, remote, 5000) for remote in range(6)]
    for at, key in zip((0, 300, 700, 1500, 2200, 9000), keys):
        table.record(key, at, INBOUND | 1)  # new TCP: due 10 s after
    table.use(keys[0], 5000, inbound=True)  # restarts its timer: due at 15 s
    assert table.expire(10_000) == []
    assert [key for key, _, _ in table.expire(11_500)] == [keys[1], keys[2]]  # keys[3] is idle exactly 10 s: kept
    assert [key for key, _, _ in table.expire(16_000)] == [keys[3], keys[4], keys[0]]
    assert [key for key, _, _ in table.entries()] == [keys[5]]
    assert [key for key, _, _ in table.expire(19_000)] == []
    assert [key for key, _, _ in table.expire(19_001)] == [keys[5]]
