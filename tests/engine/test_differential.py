"""Differential test: the engine against Linux netfilter connection tracking (tests/engine/netlab.py).

Hypothesis draws one security group (inbound and outbound rules), a few flows between the
instance and outside peers (TCP with its SYN, SYN-ACK and ACKs; UDP; ICMP echo and timestamp
queries; GRE), and a timeline mixing the flows' packets, ICMP errors about them, and rule
revocations and authorizations. Each packet is judged by the engine and sent through a router
namespace whose nftables ruleset models the group; they must agree on every packet.

Linux and AWS legitimately differ in places; generation leaves those out (docs/engine.md,
"Differential test against Linux"):

- untracked flows: Linux tracks every flow, so a revoked rule never stops one at once. No rule
  allows all traffic from or to 0.0.0.0/0, so every flow is tracked in AWS too;
- a repeated packet from a flow's initiator before any reply: Linux calls it NEW again (so the
  rules judge it), AWS passes it by state. Each flow's ends take turns;
- TCP window and state tracking: Linux refuses a first packet that is not a SYN, out-of-window
  segments and packets after FIN or RST. TCP flows start with a SYN, carry the right sequence
  numbers and never close; a flow whose packet the engine dropped sends nothing more;
- an ICMP error quoting nothing tracked: INVALID to Linux, judged by the rules in AWS. Errors
  are only sent about a flow whose first packet passed, by its responder, to its initiator;
- idle timeouts: Linux's differ (UDP streams 120 s, not 180 s) and the lab cannot wait real
  hours. Each timeline lasts under 15 engine seconds, below every timeout;
- IPv6, NACLs, several groups, middleboxes and other instances are not modelled by the lab.
"""

from __future__ import annotations

import atexit
import os
import signal
import time
from dataclasses import dataclass, field
from ipaddress import IPv4Address

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sgviz.engine.addresses import parse_cidr, parse_ip
from sgviz.engine.model import ICMP, TCP, UDP, ChangeAction, Direction, Instance, Packet, Rule, RuleChange, Scenario, SecurityGroup, TimelineEntry
from sgviz.engine.results import Verdict
from sgviz.engine.simulation import Simulation

from . import netlab

SCENARIOS = 200
GRE = 47
PEERS = ("198.51.100.10", "198.51.100.20", "203.0.113.5")
CIDRS = ("0.0.0.0/0", "198.51.100.0/24", "198.51.100.10/32", "203.0.113.0/24")
PORT_RANGES = ((22, 22), (80, 80), (443, 443), (5432, 5432), (53, 53), (123, 123), (20, 90), (100, 5500))
SERVICES = {"tcp": (22, 80, 443, 5432), "udp": (53, 123, 4500)}
ICMP_RULES = ((8, -1), (8, 0), (13, -1), (-1, -1))
REPLY = {8: 0, 13: 14}
PROTOCOL_NUMBERS = {"tcp": TCP, "udp": UDP, "icmp": ICMP, "47": GRE, "-1": -1}
SCRIPT_LENGTH = 5  # packets a flow may send, its two ends taking turns


@dataclass(frozen=True)
class SgRule:
    protocol: str
    ports: tuple[int, int] | None
    cidr: str

    def engine(self, direction: Direction) -> Rule:
        low, high = self.ports if self.ports else (None, None)
        return Rule("sg-x", direction, PROTOCOL_NUMBERS[self.protocol], low, high, parse_cidr(self.cidr))

    def nft(self, inbound: bool) -> str:
        peer = "" if self.cidr == "0.0.0.0/0" else f"ip {'saddr' if inbound else 'daddr'} {self.cidr} "
        return peer + netlab.nft_match(self.protocol, self.ports)


@st.composite
def sg_rules(draw) -> SgRule:
    protocol = draw(st.sampled_from(("tcp", "udp", "icmp", "47", "-1")))
    # Exclusion: all traffic from or to anywhere would make flows untracked (see the docstring).
    cidr = draw(st.sampled_from(CIDRS[1:] if protocol == "-1" else CIDRS))
    ports = None
    if protocol in ("tcp", "udp"):
        ports = draw(st.sampled_from(PORT_RANGES))
    elif protocol == "icmp":
        ports = draw(st.sampled_from(ICMP_RULES))
    return SgRule(protocol, ports, cidr)


@dataclass(frozen=True)
class Flow:
    protocol: str  # tcp, udp, icmp or 47
    outbound: bool  # the instance opens it
    peer: str
    service: int  # tcp/udp: the responder's port; icmp: the request type
    ident: int  # icmp identifier

    def identity(self) -> tuple | None:
        """Flows with one identity would be one connection (GRE is tracked by addresses only);
        None for TCP and UDP, whose flows each get their own initiator port."""
        if self.protocol == "47":
            return ("47", self.peer)
        if self.protocol == "icmp":
            return ("icmp", self.peer, self.outbound, self.service, self.ident)
        return None


@st.composite
def flows(draw) -> Flow:
    protocol = draw(st.sampled_from(("tcp", "udp", "icmp", "47")))
    service = draw(st.sampled_from(SERVICES.get(protocol, (8, 13))))
    return Flow(protocol, draw(st.booleans()), draw(st.sampled_from(PEERS)), service, draw(st.sampled_from((7, 8))))


@dataclass
class Case:
    inbound: list[SgRule]
    outbound: list[SgRule]
    flows: list[Flow]
    actions: list[tuple]  # ("packet", flow) | ("error", flow) | ("revoke", inbound, n) | ("authorize", inbound, rule)


@st.composite
def cases(draw) -> Case:
    inbound = draw(st.lists(sg_rules(), max_size=4, unique=True))
    outbound = draw(st.lists(sg_rules(), max_size=4, unique=True))
    drawn = draw(st.lists(flows(), min_size=1, max_size=4))
    chosen: list[Flow] = []
    for flow in drawn:
        if flow.identity() is None or flow.identity() not in [f.identity() for f in chosen]:
            chosen.append(flow)
    # Most flows get a rule that opens them, so that most timelines go past the first packet.
    for flow, opened in zip(chosen, draw(st.lists(st.integers(0, 3), min_size=len(chosen), max_size=len(chosen)))):
        ports = {"tcp": (flow.service, flow.service), "udp": (flow.service, flow.service), "icmp": (flow.service, -1)}.get(flow.protocol)
        rule, rules = SgRule(flow.protocol, ports, f"{flow.peer}/32"), outbound if flow.outbound else inbound
        if opened and rule not in rules:
            rules.append(rule)
    flow_index = st.integers(0, len(chosen) - 1)
    packet = st.tuples(st.just("packet"), flow_index)
    action = st.one_of(
        packet,
        packet,
        packet,
        packet,
        st.tuples(st.just("error"), flow_index),
        st.tuples(st.just("revoke"), st.booleans(), st.integers(0, 3)),
        st.tuples(st.just("authorize"), st.booleans(), sg_rules()),
    )
    return Case(inbound, outbound, chosen, draw(st.lists(action, min_size=4, max_size=14)))


@dataclass
class FlowState:
    sent: int = 0
    broken: bool = False
    first: tuple[Packet, bytes] | None = None
    seq: dict[bool, int] = field(default_factory=lambda: {True: 1000, False: 5000})  # by "from the initiator"


@dataclass
class Tally:
    scenarios: int = 0
    packets: int = 0
    disagreements: list[str] = field(default_factory=list)


class Play:
    """One case, played on the engine and the lab side by side."""

    def __init__(self, lab: netlab.Lab, case: Case, zone: int) -> None:
        self.lab, self.case = lab, case
        self.rules = {True: list(case.inbound), False: list(case.outbound)}
        group = SecurityGroup("sg-x", ingress=tuple(r.engine(Direction.INGRESS) for r in case.inbound), egress=tuple(r.engine(Direction.EGRESS) for r in case.outbound))
        self.simulation = Simulation(Scenario((group,), (Instance("instance", parse_ip(str(netlab.INSTANCE)), ("sg-x",)),)))
        self.states = [FlowState() for _ in case.flows]
        self.index = 0
        for peer in PEERS:
            lab.add_peer(IPv4Address(peer))
        lab.load(zone, *self._nft())

    def _nft(self) -> tuple[list[str], list[str]]:
        return [r.nft(True) for r in self.rules[True]], [r.nft(False) for r in self.rules[False]]

    def _apply(self, **entry):
        result = self.simulation.apply(self.index, TimelineEntry(float(self.index), **entry))
        self.index += 1
        return result

    def run(self, tally: Tally) -> None:
        for action in self.case.actions:
            kind = action[0]
            if kind in ("revoke", "authorize"):
                self._change(*action)
                continue
            flow, state = self.case.flows[action[1]], self.states[action[1]]
            built = self._packet(action[1], flow, state) if kind == "packet" else self._error(flow, state)
            if built is None:
                continue
            packet, wire, inbound = built
            result = self._apply(packet=packet)
            arrived = self.lab.passes(wire, inbound)
            tally.packets += 1
            if (result.verdict == Verdict.ALLOW) != arrived:
                tally.disagreements.append(f"{result.explanation} Linux: {'passed' if arrived else 'dropped'}; case {self.case}")
            if result.tracked is False:
                raise AssertionError(f"an untracked flow was generated, which the exclusions forbid: {self.case}")
            if kind == "packet":
                state.broken = state.broken or result.verdict == Verdict.DROP
                state.first = state.first or (packet, wire)
                state.sent += 1
        tally.scenarios += 1

    def _change(self, kind: str, inbound: bool, what) -> None:
        current = self.rules[inbound]
        direction = Direction.INGRESS if inbound else Direction.EGRESS
        if kind == "revoke":
            if not current:
                return
            rule = current.pop(what % len(current))
            action = ChangeAction.REVOKE
        else:
            if what in current:
                return
            rule = what
            current.append(rule)
            action = ChangeAction.AUTHORIZE
        self._apply(change=RuleChange("sg-x", direction, action, (rule.engine(direction),)))
        self.lab.update(*self._nft())

    def _packet(self, number: int, flow: Flow, state: FlowState) -> tuple[Packet, bytes, bool] | None:
        """The flow's next packet: the initiator first, then the two ends in turn."""
        if state.broken or state.sent >= SCRIPT_LENGTH:
            return None
        from_initiator = state.sent % 2 == 0
        inbound = from_initiator != flow.outbound  # the peer sends it
        instance, peer = netlab.INSTANCE, IPv4Address(flow.peer)
        src, dst = (peer, instance) if inbound else (instance, peer)
        initiator_port, responder_port = 40000 + number, flow.service
        ident = self.lab.next_ident()
        engine = dict(src=parse_ip(str(src)), dst=parse_ip(str(dst)))
        if flow.protocol in ("tcp", "udp"):
            sport, dport = (initiator_port, responder_port) if from_initiator else (responder_port, initiator_port)
            engine.update(src_port=sport, dst_port=dport)
            if flow.protocol == "udp":
                return Packet(protocol=UDP, **engine), netlab.ipv4(src, dst, UDP, netlab.udp(src, dst, sport, dport), ident), inbound
            flags = ("SYN", "SYN,ACK")[state.sent] if state.sent < 2 else "ACK"
            mine, theirs = state.seq[from_initiator], state.seq[not from_initiator]
            ack = 0 if flags == "SYN" else theirs + 1
            segment = netlab.tcp(src, dst, sport, dport, mine if state.sent < 2 else mine + 1, ack, flags)
            return Packet(protocol=TCP, flags=frozenset(flags.split(",")), **engine), netlab.ipv4(src, dst, TCP, segment, ident), inbound
        if flow.protocol == "icmp":
            icmp_type = flow.service if from_initiator else REPLY[flow.service]
            message = netlab.icmp_query(icmp_type, flow.ident, state.sent // 2)
            return Packet(protocol=ICMP, icmp_type=icmp_type, icmp_code=0, icmp_id=flow.ident, **engine), netlab.ipv4(src, dst, ICMP, message, ident), inbound
        return Packet(protocol=GRE, **engine), netlab.ipv4(src, dst, GRE, netlab.GRE_IPV4 + b"sgviz", ident), inbound

    def _error(self, flow: Flow, state: FlowState) -> tuple[Packet, bytes, bool] | None:
        """An ICMP error from the flow's responder about the initiator's first packet."""
        if state.first is None or state.broken:
            return None  # exclusion: an error quoting nothing tracked (see the docstring)
        quoted, quoted_wire = state.first
        icmp_type, code = {"tcp": (3, 4), "udp": (3, 3)}.get(flow.protocol, (3, 1))
        src, dst = quoted.dst, quoted.src
        error = Packet(src, dst, ICMP, icmp_type=icmp_type, icmp_code=code, embedded=quoted)
        wire = netlab.ipv4(IPv4Address(str(src)), IPv4Address(str(dst)), ICMP, netlab.icmp_error(icmp_type, code, quoted_wire), self.lab.next_ident())
        return error, wire, flow.outbound  # the responder is the peer when the instance opened the flow


@pytest.fixture(scope="module")
def lab():
    why = netlab.unavailable()
    if why:
        pytest.skip(f"differential test against Linux netfilter {why}: it builds network namespaces (ip netns) and an nftables firewall")
    netlab.remove_leftovers()
    built = netlab.Lab()
    atexit.register(built.close)  # the interpreter exits without the fixture's teardown
    previous = signal.signal(signal.SIGTERM, lambda *_: (built.close(), os._exit(143)))
    cpus = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cpus)})  # one CPU: a packet and its sentinel keep their order
    try:
        yield built
    finally:
        os.sched_setaffinity(0, cpus)
        signal.signal(signal.SIGTERM, previous)
        built.close()
        atexit.unregister(built.close)


def test_the_engine_agrees_with_linux_conntrack_on_tracked_flows_and_rule_revocations(lab, record_property, capsys):
    tally = Tally()
    started = time.monotonic()

    @settings(max_examples=SCENARIOS)
    @given(cases())
    def play(case: Case) -> None:
        before = len(tally.disagreements)
        Play(lab, case, zone=tally.scenarios % 65535 + 1).run(tally)
        assert len(tally.disagreements) == before, tally.disagreements[before:]

    play()
    seconds = time.monotonic() - started
    line = f"differential against Linux: {tally.scenarios} scenarios, {tally.packets} packets, {len(tally.disagreements)} disagreements, {seconds:.1f} s"
    with capsys.disabled():
        print(f"\n{line}")
    record_property("differential", line)
    assert tally.scenarios >= SCENARIOS and tally.packets >= SCENARIOS
