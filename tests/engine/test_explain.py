"""Plain words derived from results: table rows, tracker cells, captions, rule phrasing."""

from hypothesis import given
from hypothesis import strategies as st

from sgviz.engine import explain
from sgviz.engine.model import NaclAction, NaclEntry

from .factories import ALL_OUT, IN, OUT, Wire, group, icmp, instance, packet, peer, revoke, rule, subnet, nacl

WEB, CLIENT = "10.0.1.10", "198.51.100.10"
LABELS = {CLIENT: "IP A", WEB: "web server", "93.184.216.34": "example.com"}


def row(result):
    r = explain.table_row(result)
    return (r.direction, r.check, r.answer, r.action)


def web(*ingress, egress=(), **kwargs):
    options = {k: kwargs.pop(k) for k in ("conntrack_capacity", "subnet") if k in kwargs}
    return Wire([group("sg-web", ingress=ingress, egress=egress)], [instance("web", WEB, "sg-web", **options)], **kwargs)


def test_an_untracked_flow_row_says_so():
    result = web(("tcp", 80, "0.0.0.0/0"), egress=(ALL_OUT,)).send(packet(f"{CLIENT}:1", f"{WEB}:80"))
    assert row(result) == ("Incoming", "Is source IP and port allowed inbound?", "Yes", "Allow packet (not tracked)")
    assert explain.tracker_cell(result, LABELS) == "No change (flow not tracked)"
    assert "without being tracked" in explain.caption(result, LABELS)


def test_a_full_table_row_asks_about_room():
    wire = web(("tcp", 22, "0.0.0.0/0"), conntrack_capacity=0)
    result = wire.send(packet(f"{CLIENT}:1", f"{WEB}:22"))
    assert row(result) == ("Incoming", "Is there room in the connection tracking table?", "No", "Drop packet (table full)")


def test_a_nacl_drop_row_asks_the_nacl_question():
    wire = web(("tcp", 22, "0.0.0.0/0"), subnet="subnet-1", subnets=(subnet("subnet-1", "10.0.1.0/24"),), network_acls=(nacl("acl-1", subnets=("subnet-1",)),))
    result = wire.send(packet(f"{CLIENT}:1", f"{WEB}:22"))
    assert row(result) == ("Incoming", "Does the subnet's network ACL allow it in?", "No", "Drop packet (network ACL)")
    assert explain.caption(result, LABELS) == "Incoming tcp packet from IP A to web server port 22: dropped by the network ACL."


def test_an_exempt_row_says_never_filtered():
    result = web().send(packet(f"{WEB}:1", "169.254.169.254:80"))
    assert row(result) == ("Outgoing", "Is it traffic AWS never filters?", "Yes", "Allow packet (never filtered)")


def test_the_smtp_block_row_names_ec2():
    result = web(egress=(ALL_OUT,)).send(packet(f"{WEB}:1", f"{CLIENT}:25"))
    assert row(result) == ("Outgoing", "Does EC2 block it as outbound mail (TCP 25)?", "Yes", "Drop packet (blocked by EC2)")


def test_an_outbound_connection_is_named_by_the_far_end_and_its_service_port():
    wire = web(egress=(ALL_OUT,))
    request = wire.send(packet(f"{WEB}:40000", "93.184.216.34:443"))
    reply = wire.send(packet("93.184.216.34:443", f"{WEB}:40000"))
    assert explain.tracker_cell(request, LABELS) == "Connection recorded for example.com:443"
    assert explain.tracker_cell(reply, LABELS) == "Connection state used to allow response"


def test_a_follow_up_packet_of_the_initiator_is_not_called_a_response():
    wire = web(("tcp", 80, "0.0.0.0/0"))
    wire.send(packet(f"{CLIENT}:1", f"{WEB}:80"))
    again = wire.send(packet(f"{CLIENT}:1", f"{WEB}:80"))
    assert explain.tracker_cell(again, LABELS) == "Connection state used to allow packet"


def test_unlabelled_addresses_are_shown_as_they_are_each_with_its_own_port():
    result = web(("tcp", 80, "0.0.0.0/0")).send(packet("203.0.113.9:1", f"{WEB}:80"))
    assert explain.tracker_cell(result, {}) == "Connection recorded: 203.0.113.9:1 → 10.0.1.10:80"


def test_an_unlabelled_far_end_is_named_with_the_labelled_instance_as_the_packet_went():
    result = web(egress=(ALL_OUT,)).send(packet(f"{WEB}:40000", "203.0.113.9:443"))
    assert explain.tracker_cell(result, {WEB: "web server"}) == "Connection recorded: web server:40000 → 203.0.113.9:443"


def test_an_unlabelled_ipv6_end_is_bracketed_before_its_port():
    wire = Wire([group("sg-web", ingress=[("tcp", 443, "::/0")])], [instance("web", WEB, "sg-web", ipv6="2001:db8::10")])
    result = wire.send(packet("[2001:db8:ffff::1]:50000", "[2001:db8::10]:443"))
    assert explain.tracker_cell(result, {}) == "Connection recorded: [2001:db8:ffff::1]:50000 → [2001:db8::10]:443"


def test_an_icmp_connection_is_named_by_protocol():
    result = web(egress=(ALL_OUT,)).send(icmp(WEB, "93.184.216.34", 8))
    assert explain.tracker_cell(result, LABELS) == "Connection recorded for example.com (icmp)"
    assert explain.tracker_cell(result, {}) == "Connection recorded: 10.0.1.10 → 93.184.216.34 (icmp)"


def test_an_expiry_shows_in_the_tracker():
    wire = web(("tcp", 80, "0.0.0.0/0"))
    wire.send(packet(f"{CLIENT}:1", f"{WEB}:80"), at=0)
    late = wire.send(packet(f"{CLIENT}:2", f"{WEB}:22"), at=1000)
    assert explain.tracker_cell(late, LABELS) == "Connection for IP A:80 expired"


def test_a_change_is_captioned_with_its_time_and_explanation():
    change = web(("tcp", 80, "0.0.0.0/0")).send(revoke("sg-web", IN, "tcp", 80, "0.0.0.0/0"), at=7)
    assert explain.caption(change, LABELS).startswith("At 7 s: Revoked inbound tcp port 80 from 0.0.0.0/0 on sg-web")
    assert explain.tracker_cell(change, LABELS) == "No change"


def test_rules_are_described_in_plain_words():
    assert explain.describe_rule(rule("sg-1", IN, "tcp", (1024, 65535), "10.0.0.0/8")) == "tcp ports 1024-65535 from 10.0.0.0/8"
    assert explain.describe_rule(rule("sg-1", OUT, "-1", None, "::/0")) == "all traffic to ::/0"
    assert explain.describe_rule(rule("sg-1", IN, "icmp", 8, "sg-2")) == "icmp echo request from members of sg-2"
    assert explain.describe_rule(rule("sg-1", IN, "icmp", (3, 4), "pl-9")) == "icmp destination unreachable code 4 from prefix list pl-9"
    assert explain.describe_rule(rule("sg-1", IN, "udp", None, "0.0.0.0/0")) == "udp all ports from 0.0.0.0/0"
    assert explain.describe_rule(rule("sg-1", IN, "47", None, "0.0.0.0/0")) == "protocol 47 from 0.0.0.0/0"


def test_nacl_entries_are_described_with_their_number():
    entry = NaclEntry(120, True, 6, NaclAction.ALLOW, peer("0.0.0.0/0"), 32768, 60999)
    assert explain.describe_nacl_entry(entry) == "rule 120 allows tcp ports 32768-60999 to 0.0.0.0/0"


def test_an_allowed_packet_is_decided_by_what_allowed_it_not_by_a_nacl_it_passed():
    wire = web(("tcp", 80, "0.0.0.0/0"), egress=(ALL_OUT,), subnet="subnet-1", subnets=(subnet("subnet-1", "10.0.1.0/24"),))
    result = wire.send(packet(f"{WEB}:40000", "93.184.216.34:443"))
    assert [s.node for s in result.steps][-4:] == ["out.nacl", "out.nacl_ok", "out.allow", "out.record"]
    assert row(result) == ("Outgoing", "Is destination IP and port allowed outbound?", "Yes", "Allow packet and record connection state")


def test_a_packet_between_instances_says_whose_table_changed():
    groups = [group("sg-app", egress=[ALL_OUT]), group("sg-db", ingress=[("tcp", 5432, "sg-app")])]
    wire = Wire(groups, [instance("app", "10.0.1.20", "sg-app"), instance("db", "10.0.2.30", "sg-db")])
    result = wire.send(packet("10.0.1.20:40000", "10.0.2.30:5432"))
    labels = {"10.0.1.20": "app", "10.0.2.30": "db"}
    assert explain.tracker_cell(result, labels) == "Connection recorded for db:5432 on app; Connection recorded for app:5432 on db"


def test_never_filtered_traffic_is_explained_in_one_sentence():
    result = web().send(packet(f"{WEB}:1", "169.254.169.254:80"))
    assert result.explanation == (
        "Allowed: traffic to 169.254.169.254 (the instance metadata service) is never filtered by security groups or network ACLs."
    )


def test_a_full_table_is_explained_with_its_size():
    wire = web(("tcp", 22, "0.0.0.0/0"), conntrack_capacity=1)
    wire.send(packet(f"{CLIENT}:1", f"{WEB}:22"))
    result = wire.send(packet(f"{CLIENT}:2", f"{WEB}:22"))
    assert result.explanation == "Dropped: web's connection tracking table is full (1 connection), so no new connection can be recorded."
    assert result.steps[result.deciding_step].detail == "No: web already tracks 1 connection, its limit"


@st.composite
def tracked_first_packets(draw):
    """A first packet the web instance records, in or out, over IPv4 or IPv6, and labels for some ends."""
    six = draw(st.booleans())
    far = f"[2001:db8:ffff::{draw(st.integers(1, 0xFFFF)):x}]" if six else f"{draw(st.sampled_from(['198.51.100', '203.0.113']))}.{draw(st.integers(1, 254))}"
    near = "[2001:db8::10]" if six else WEB
    protocol = draw(st.sampled_from(["tcp", "udp"]))
    inbound = draw(st.booleans())
    ports = draw(st.tuples(st.integers(1, 65535), st.integers(1, 65535).filter(lambda port: inbound or protocol != "tcp" or port != 25)))
    src, dst = (far, near) if inbound else (near, far)
    open_ = [(protocol, None, "::/0" if six else "0.0.0.0/0")]
    wire = Wire(
        [group("sg-web", ingress=open_ if inbound else (), egress=() if inbound else open_)],
        [instance("web", WEB, "sg-web", ipv6="2001:db8::10")],
    )
    labelled = draw(st.sets(st.sampled_from([far.strip("[]"), near.strip("[]")])))
    labels = {address: f"end {index}" for index, address in enumerate(sorted(labelled))}
    return wire.send(packet(f"{src}:{ports[0]}", f"{dst}:{ports[1]}", protocol)), labels


@given(tracked_first_packets())
def test_a_recorded_connection_is_named_by_the_packets_own_ends_or_their_labels(case):
    result, labels = case
    packet_ = result.packet
    far = packet_.src if result.steps[0].direction == IN else packet_.dst

    def end(address, port):
        name = labels.get(str(address), str(address))
        return f"[{name}]:{port}" if ":" in name else f"{name}:{port}"

    text = explain.tracker_cell(result, labels)
    if str(far) in labels:  # the lessons' form: the far end's label and the port the connection asked for
        assert text == f"Connection recorded for {labels[str(far)]}:{packet_.dst_port}"
    else:
        assert text == f"Connection recorded: {end(packet_.src, packet_.src_port)} → {end(packet_.dst, packet_.dst_port)}"
