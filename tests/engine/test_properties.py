"""Properties that hold for every scenario (Hypothesis generates small random ones)."""

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sgviz.engine.addresses import Cidr
from sgviz.engine.conntrack import INBOUND, ConnectionTable, Timeouts, flow_key
from sgviz.engine.graph import FLOW_GRAPH, NodeKind
from sgviz.engine.matching import NaclTable, RuleTable, implicit_deny, packet_point, rule_span
from sgviz.engine.model import ALL_PROTOCOLS, ICMP, ICMPV6, ConnectionTrackingConfig, Packet, SecurityGroup, TimelineEntry
from sgviz.engine.params import Parameters
from sgviz.engine.results import Basis, PacketResult, Verdict
from sgviz.engine.simulation import Simulation, simulate

from .factories import ALL_OUT, ALL_OUT_V6, IN, OUT, group, icmp, instance, nacl, nacl_entry, packet, rule, scenario, subnet

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

WEB, APP, OUTSIDE = "10.0.1.10", "10.0.2.20", ["198.51.100.10", "203.0.113.7", "10.0.1.99"]
WEB6, APP6, OUTSIDE6 = "2001:db8:1::10", "2001:db8:2::20", ["2001:db8:ffff::7", "2001:db8:1::99"]
GROUPS = ("sg-a", "sg-b")
PEERS = ["0.0.0.0/0", "198.51.100.0/24", "203.0.113.7/32", "10.0.0.0/16", "sg-a", "sg-b", "::/0", "2001:db8:ffff::/48"]
OUTSIDE_WEB_SUBNET = ("198.51.100.10", "203.0.113.7")
PORTS = [22, 80, 443, 5432]

protocols = st.sampled_from(["tcp", "udp", "icmp", "icmpv6", "-1"])


@st.composite
def rules(draw, group_id, direction):
    protocol = draw(protocols)
    if protocol in ("tcp", "udp"):
        ports = draw(st.one_of(st.none(), st.sampled_from(PORTS), st.tuples(st.sampled_from([0, 20, 80]), st.sampled_from([80, 1023, 65535]))))
    elif protocol in ("icmp", "icmpv6"):
        ports = draw(st.one_of(st.none(), st.just(8), st.just(128), st.just((3, 4))))
    else:
        ports = None
    return rule(group_id, direction, protocol, ports, draw(st.sampled_from(PEERS)))


@st.composite
def security_groups(draw):
    return [
        SecurityGroup(
            group_id,
            ingress=tuple(draw(st.lists(rules(group_id, IN), max_size=4))),
            egress=tuple(draw(st.lists(rules(group_id, OUT), max_size=4))),
        )
        for group_id in GROUPS
    ]


ICMP_KINDS = {4: [(8, 0), (0, 0), (3, 4)], 6: [(128, 0), (129, 0), (1, 4)]}


@st.composite
def packets(draw, families=(4, 6)):
    family = draw(st.sampled_from(families))
    ends, outside = ((WEB6, APP6), OUTSIDE6) if family == 6 else ((WEB, APP), OUTSIDE)
    local = draw(st.sampled_from(ends))
    remote = draw(st.sampled_from(outside + [e for e in ends if e != local]))
    src, dst = draw(st.permutations([local, remote]))
    kind = draw(st.sampled_from(["tcp", "udp", "icmp"]))
    if kind == "icmp":
        icmp_type, code = draw(st.sampled_from(ICMP_KINDS[family]))
        return icmp(src, dst, icmp_type, code, ident=draw(st.sampled_from([1, 2])))
    src_port = draw(st.sampled_from(PORTS + [40000, 50000]))
    dst_port = draw(st.sampled_from(PORTS + [40000, 50000]))
    endpoint = "[{}]:{}" if family == 6 else "{}:{}"
    return packet(endpoint.format(src, src_port), endpoint.format(dst, dst_port), kind)


@st.composite
def worlds(draw, with_nacls=True):
    """Groups, two instances in two subnets and (maybe) NACLs."""
    groups = draw(security_groups())
    instances = [
        instance("web", WEB, *draw(st.lists(st.sampled_from(GROUPS), min_size=1, max_size=2, unique=True)), ipv6=WEB6, subnet="subnet-web"),
        instance("app", APP, *draw(st.lists(st.sampled_from(GROUPS), min_size=1, max_size=2, unique=True)), ipv6=APP6, subnet="subnet-app"),
    ]
    acls = ()
    if with_nacls and draw(st.booleans()):
        entries = draw(
            st.lists(
                st.builds(
                    nacl_entry,
                    st.integers(1, 200),
                    st.sampled_from(["allow", "deny"]),
                    st.sampled_from(["tcp", "udp", "-1"]),
                    st.sampled_from([None, (80, 80), (1024, 65535)]),
                    st.sampled_from(["0.0.0.0/0", "198.51.100.0/24", "::/0"]),
                    st.booleans(),
                ),
                max_size=5,
            )
        )
        acls = (nacl("acl-web", *entries, subnets=("subnet-web",)),)
    subnets = (subnet("subnet-web", "10.0.1.0/24", "2001:db8:1::/64"), subnet("subnet-app", "10.0.2.0/24", "2001:db8:2::/64"))
    return dict(groups=groups, instances=instances, network_acls=acls, subnets=subnets)


def timed(items):
    return [(float(i), item) for i, item in enumerate(items)]


@PROPERTY_SETTINGS
@given(worlds(), st.lists(packets(), max_size=8))
def test_the_same_scenario_always_gives_the_same_run(world, timeline):
    lesson = scenario(world["groups"], world["instances"], timed(timeline), network_acls=world["network_acls"], subnets=world["subnets"])
    assert simulate(lesson) == simulate(lesson)


@PROPERTY_SETTINGS
@given(worlds(), packets(), st.sampled_from(GROUPS), st.sampled_from([IN, OUT]), st.data())
def test_adding_an_allow_rule_never_turns_a_first_packets_allow_into_drop(world, first, group_id, direction, data):
    before = simulate(scenario(world["groups"], world["instances"], [first], network_acls=world["network_acls"], subnets=world["subnets"]))
    extra = data.draw(rules(group_id, direction))
    groups = [
        replace(g, ingress=g.ingress + (extra,)) if g.group_id == group_id and direction == IN else
        replace(g, egress=g.egress + (extra,)) if g.group_id == group_id else g
        for g in world["groups"]
    ]
    after = simulate(scenario(groups, world["instances"], [first], network_acls=world["network_acls"], subnets=world["subnets"]))
    if before.results[0].verdict == Verdict.ALLOW:
        assert after.results[0].verdict == Verdict.ALLOW


ECHO_REPLY = {ICMP: 0, ICMPV6: 129}


def reply_to(request: Packet) -> Packet:
    if request.protocol in ECHO_REPLY:
        return replace(request, src=request.dst, dst=request.src, icmp_type=ECHO_REPLY[request.protocol])
    return replace(request, src=request.dst, dst=request.src, src_port=request.dst_port, dst_port=request.src_port)


@PROPERTY_SETTINGS
@given(worlds(), st.lists(packets(), max_size=4), packets(), st.floats(0, 30))
def test_a_reply_within_the_timeout_to_a_tracked_allowed_request_is_allowed_unless_a_nacl_blocks_it(world, before, request, delay):
    history = timed(before)
    sim = Simulation(scenario(world["groups"], world["instances"], network_acls=world["network_acls"], subnets=world["subnets"]))
    for index, (at, thing) in enumerate(history):
        sim.apply(index, TimelineEntry(at, packet=thing))
    start = float(len(history))
    first = sim.apply(len(history), TimelineEntry(start, packet=request))
    if first.verdict != Verdict.ALLOW or first.tracked is not True:
        return
    answer = sim.apply(len(history) + 1, TimelineEntry(start + delay, packet=reply_to(request)))
    assert answer.verdict == Verdict.ALLOW or answer.basis == Basis.NACL


def nacl_decisions(result: PacketResult):
    return {(s.instance, s.node): (s.answer, s.matched) for s in result.steps if s.node.endswith("nacl_ok")}


@PROPERTY_SETTINGS
@given(worlds(), st.lists(packets(), min_size=1, max_size=8))
def test_nacl_verdicts_never_depend_on_history(world, timeline):
    run = simulate(scenario(world["groups"], world["instances"], timed(timeline), network_acls=world["network_acls"], subnets=world["subnets"]))
    for (at, thing), result in zip(timed(timeline), run.results):
        alone = simulate(scenario(world["groups"], world["instances"], [(at, thing)], network_acls=world["network_acls"], subnets=world["subnets"])).results[0]
        seen, fresh = nacl_decisions(result), nacl_decisions(alone)
        for place in seen.keys() & fresh.keys():
            assert seen[place] == fresh[place]
        if str(thing.dst) == WEB and str(thing.src) in OUTSIDE_WEB_SUBNET:
            # Nothing stateful comes before the inbound NACL: it is always asked, and answers alike.
            assert ("web", "in.nacl_ok") in seen.keys() & fresh.keys()


def naive_match(rules_, resolve, version, protocol, point, address):
    for index, r in enumerate(rules_):
        if r.protocol not in (ALL_PROTOCOLS, protocol):
            continue
        low, high = rule_span(r.protocol, r.from_port, r.to_port)
        if not low <= point <= high:
            continue
        if any(c.version == version and (address & c.mask) == c.network for c in resolve(r.peer)):
            return index
    return -1


@PROPERTY_SETTINGS
@given(st.lists(rules("sg-a", IN), max_size=12), st.lists(packets(families=(4,)), min_size=1, max_size=10))
def test_compiled_rule_tables_agree_with_a_linear_scan(rule_list, probes):
    members = {"sg-a": (Cidr(4, 0x0A01010A, 32),), "sg-b": (Cidr(4, 0x0A020214, 32),)}

    def resolve(peer):
        return members.get(peer.group_id, ()) if hasattr(peer, "group_id") else (peer,)

    table = RuleTable(rule_list, resolve)
    for probe in probes:
        point = packet_point(probe)
        expected = naive_match(rule_list, resolve, 4, probe.protocol, point, probe.src.value)
        assert table.match(4, probe.protocol, point, probe.src.value) == expected


@PROPERTY_SETTINGS
@given(st.lists(packets(), max_size=10))
def test_a_group_with_every_rule_open_allows_every_first_packet(timeline):
    groups = [group("sg-a", ingress=[("-1", None, "0.0.0.0/0"), ("-1", None, "::/0")], egress=[ALL_OUT, ALL_OUT_V6]), group("sg-b")]
    world = [instance("web", WEB, "sg-a", ipv6=WEB6), instance("app", APP, "sg-a", ipv6=APP6)]
    for result in simulate(scenario(groups, world, timed(timeline))).results:
        assert result.verdict == Verdict.ALLOW or result.basis == Basis.BLOCKED


@PROPERTY_SETTINGS
@given(worlds(), st.lists(packets(), min_size=1, max_size=8))
def test_every_packet_walks_the_flow_graph_along_its_edges(world, timeline):
    run = simulate(scenario(world["groups"], world["instances"], timed(timeline), network_acls=world["network_acls"], subnets=world["subnets"]))
    for result in run.results:
        nodes = [s.node for s in result.steps]
        assert all(FLOW_GRAPH.edge(a, b) is not None for a, b in zip(nodes, nodes[1:])), nodes
        assert FLOW_GRAPH.node(nodes[result.deciding_step]).kind == NodeKind.DECISION
        assert nodes[-1].endswith(".drop") == (result.verdict == Verdict.DROP)


nacl_entries = st.builds(
    nacl_entry,
    st.integers(1, 300),
    st.sampled_from(["allow", "deny"]),
    st.sampled_from(["tcp", "udp", "-1"]),
    st.sampled_from([None, (80, 80), (1024, 65535), (0, 100)]),
    st.sampled_from(["0.0.0.0/0", "198.51.100.0/24", "203.0.113.7/32"]),
    st.booleans(),
)


@PROPERTY_SETTINGS
@given(st.lists(nacl_entries, max_size=8, unique_by=lambda e: (e.rule_number, e.egress)), st.lists(packets(families=(4,)), min_size=1, max_size=10), st.booleans())
def test_nacl_tables_decide_like_a_scan_in_rule_number_order(entries, probes, egress):
    table = NaclTable(entries, egress)
    for probe in probes:
        address, point = probe.src.value, packet_point(probe)
        expected = next(
            (
                e
                for e in sorted(entries, key=lambda e: e.rule_number)
                if e.egress == egress
                and e.protocol in (ALL_PROTOCOLS, probe.protocol)
                and rule_span(e.protocol, e.port_from, e.port_to)[0] <= point <= rule_span(e.protocol, e.port_from, e.port_to)[1]
                and e.cidr.contains(probe.src)
            ),
            None,
        )
        decided = table.decide(4, probe.protocol, point, address)
        assert decided == (expected or implicit_deny(4, egress))


@PROPERTY_SETTINGS
@given(st.lists(st.tuples(st.integers(0, 20), st.sampled_from([1, 2, 4, 5, 6, 8, 9]), st.booleans()), max_size=20), st.integers(0, 400_000), st.booleans())
def test_a_burst_of_replies_changes_the_table_like_one_use_per_packet(recorded, now, inbound):
    timeouts = Timeouts.for_interface(ConnectionTrackingConfig(), Parameters())
    one, many = ConnectionTable(timeouts, 100), ConnectionTable(timeouts, 100)
    for remote, stage, initiated_inbound in recorded:
        for table in (one, many):
            table.record(flow_key(4, 6, 1, 80, remote, 5000), remote * 1000, stage | (INBOUND if initiated_inbound else 0))
    keys = [flow_key(4, 6, 1, 80, remote, 5000) for remote in range(25)]
    allowed = sum(one.use(key, now, inbound) is not None for key in keys)
    assert many.use_many(keys, now, inbound) == allowed
    assert one.entries() == many.entries()


table_operations = st.lists(
    st.tuples(st.sampled_from(["record", "use", "expire"]), st.integers(0, 7), st.integers(0, 40_000), st.sampled_from([1, 4, 8, 9])),
    max_size=40,
)


@PROPERTY_SETTINGS
@given(table_operations)
def test_the_expiry_wheel_removes_what_a_full_scan_would(operations):
    """The table against a model that scans every entry: same entries, same expiries."""
    timeouts = Timeouts.for_interface(ConnectionTrackingConfig(), Parameters(tcp_unestablished_timeout=7, icmp_timeout=3))
    table = ConnectionTable(timeouts, 100)
    model: dict[int, int] = {}  # key -> expires_ms
    now = 0
    for operation, remote, step, stage in operations:
        now += step
        key = flow_key(4, 6, 1, 80, remote, 5000)
        gone = sorted((expires, k) for k, expires in model.items() if expires < now)
        assert [(expires, k) for k, _, expires in table.expire(now)] == gone
        for _, k in gone:
            del model[k]
        if operation == "record" and key not in model:
            model[key] = table.record(key, now, stage)
        elif operation == "use" and key in model:
            model[key] = table.use(key, now, inbound=False)[2]
        assert {k: expires for k, _, expires in table.entries()} == model


@PROPERTY_SETTINGS
@given(worlds(), st.lists(st.tuples(st.floats(0, 400), packets()), max_size=16))
def test_the_tables_of_a_run_are_the_tables_seen_while_stepping(world, timeline):
    """Run.tables rebuilds each table from a journal and checkpoints; it must give what a
    stepped Simulation shows after each entry, however it is read. Times up to 400 s let
    connections expire (and be recorded again) between entries."""
    timeline = sorted(timeline, key=lambda item: item[0])
    lesson = scenario(world["groups"], world["instances"], timeline, network_acls=world["network_acls"], subnets=world["subnets"])
    stepping = Simulation(lesson)
    seen = []
    for index, entry in enumerate(lesson.timeline):
        stepping.apply(index, entry)
        seen.append(stepping.connections())
    tables = simulate(lesson).tables
    assert len(tables) == len(seen)
    assert list(tables) == seen
    assert [tables[i] for i in range(len(seen))] == seen
    assert [tables[-i] for i in range(1, len(seen) + 1)] == seen[::-1]
    assert tables[1::2] == tuple(seen[1::2])
