"""The simulator, sans I/O: feed it timeline entries, it returns typed results.

``Simulation`` holds what changes while a timeline plays: the security groups' rules, the
network ACLs' entries, one connection table per interface, and the clock. ``apply`` advances
the clock to the entry's time (expiring idle connections), then judges the packet or applies
the change. It never reads a clock, draws a random number or iterates a set, so the same
scenario always gives the same results.

A packet is judged on each interface it touches (see ``Simulation._packet``); on one
interface it walks the nodes of ``graph.FLOW_GRAPH``:

- inbound: arrive → [exempt] → [NACL, when crossing the subnet boundary] → connection state →
  rules → [capacity, only when the table is full] → allow → [record, for a new tracked flow];
- outbound: arrive → [exempt] → connection state → rules → [EC2's TCP 25 block] → [capacity]
  → [NACL] → allow → [record].

When the interface's groups have no rules at all in the packet's direction, the rules nodes
are skipped: the connection state is the only thing that could let the packet through.

Where AWS documents no behaviour, the simulator decides as follows (the tunable ones are
``Parameters``; the rest are fixed and tested):

- Connections are seen from the interface, so a request and its replies share one entry;
  any later packet of the flow, either way, passes by state and restarts the idle timer.
- TCP counts as established once a packet has passed each way (flags or not); FIN or RST
  moves it to ``tcp_closing_timeout``. UDP is a stream once two request/response exchanges
  are complete. Flows via a Network Load Balancer use the NLB timeouts whatever their stage.
- An entry is gone once idle *longer* than its timeout (idle exactly the timeout still
  passes); its removal is reported on the next timeline entry (``expired`` / ``changes``).
- A packet with no tracked connection that a rule allows opens a flow, whatever its flags.
  It is untracked when the rule allowing it allows every address and the other direction
  allows everything back (spec §2) — or when it is the reply of such a flow opened the other
  way (the reversed packet meets an all-addresses rule there, and this direction allows
  everything back), so the replies of an untracked flow open nothing either.
- An ICMP query flow is its two addresses, identifier and query kind, asked by one side: only
  the matching reply from the other side is a reply. A reply with no tracked request that a
  rule allows opens nothing (there is no request to answer).
- ICMP errors relate to a flow only through their embedded header; one without a header, or
  quoting nothing tracked, is judged by the rules. They never open a connection or restart a
  timer.
- A connection is recorded only for a packet that gets out of the interface: an outbound
  NACL deny after the rules records nothing. Between two instances the source records it
  when the packet leaves, even if the destination then drops it.
- DHCP means UDP with ports 67 and 68 at the two ends. Never-filtered traffic skips NACLs too.
- A NACL entry added over a used rule number replaces it; an absent rule or entry to revoke
  or remove changes nothing (the scenario loader refuses both, as the AWS API would).
"""

from __future__ import annotations

import gc
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain

from . import explain
from .addresses import Cidr, IpAddress, parse_ip
from .conntrack import (
    ICMP_QUERIES,
    INBOUND,
    NLB,
    ConnectionTable,
    Timeouts,
    connection_view,
    moved_on,
    first_stage,
    flow_key,
    icmp_ports,
)
from .graph import FLOW_GRAPH, NodeKind
from .matching import DEFAULT_NACL_ENTRIES, NaclTable, RuleTable, packet_point
from .model import (
    ICMP,
    ICMPV6,
    TCP,
    UDP,
    ChangeAction,
    Direction,
    GroupRef,
    Instance,
    NaclAction,
    NaclChange,
    NaclEntry,
    Packet,
    Peer,
    PrefixListRef,
    Rule,
    RuleChange,
    Scenario,
    Subnet,
    TimelineEntry,
)
from .params import UNTRACKED_JUDGEMENTS, Parameters
from .results import (
    Basis,
    ChangeResult,
    Checkpoint,
    Connection,
    ConnectionTables,
    PacketResult,
    Run,
    StepEvent,
    TableChange,
    TableChangeKind,
    TableEdit,
    Verdict,
    build_packet_result,
    build_step_event,
    build_table_change,
)

# Addresses AWS never filters (spec §1), with what they are.
NEVER_FILTERED = {
    parse_ip("169.254.169.254"): "the instance metadata service",
    parse_ip("169.254.169.253"): "the Amazon DNS resolver",
    parse_ip("169.254.169.123"): "the Amazon Time Sync Service",
    parse_ip("fd00:ec2::254"): "the instance metadata service (IPv6)",
    parse_ip("fd00:ec2::253"): "the Amazon DNS resolver (IPv6)",
    parse_ip("fd00:ec2::123"): "the Amazon Time Sync Service (IPv6)",
}
DHCP_PORTS = frozenset({67, 68})
# ICMP messages that report on another packet (they carry its header).
ICMP_ERRORS = {ICMP: frozenset({3, 4, 11, 12}), ICMPV6: frozenset({1, 2, 3, 4})}
SMTP_PORT = 25
_CLOSING_FLAGS = frozenset({"FIN", "RST"})
NETWORK_LOAD_BALANCER = "network-load-balancer"  # its flows have their own timeouts (Parameters.nlb_*)


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def _same_rule(a: Rule, b: Rule) -> bool:
    """AWS identifies a rule by what it allows, not by its description."""
    return (a.protocol, a.from_port, a.to_port, a.peer) == (b.protocol, b.from_port, b.to_port, b.peer)


def is_icmp_error(packet: Packet) -> bool:
    return packet.icmp_type in ICMP_ERRORS.get(packet.protocol, ())


def opens_flow(packet: Packet) -> bool:
    """An ICMP error or reply opens no flow of its own: it is about, or answers, another packet."""
    if packet.protocol not in (ICMP, ICMPV6):
        return True
    return not is_icmp_error(packet) and packet.icmp_type not in ICMP_QUERIES[packet.protocol].values()


def closes(packet: Packet) -> bool:
    """A TCP packet with FIN or RST moves its connection to the closing timeout."""
    return packet.protocol == TCP and not _CLOSING_FLAGS.isdisjoint(packet.flags)


_DECISIONS = frozenset(node.id for node in FLOW_GRAPH.nodes if node.kind == NodeKind.DECISION)
_ALLOWING_DECISIONS = frozenset(f"{lane}.{check}" for lane in ("in", "out") for check in ("exempt", "state_ok", "rules_ok"))
_NO_RULES = RuleTable((), lambda peer: ())
_NO_NACL = NaclTable((), egress=False)


class _Interface:
    """One instance's network interface: its compiled rules, NACL tables and connection table."""

    __slots__ = (
        "instance", "name", "table", "addresses", "subnet", "acl_id", "nacl_in", "nacl_out", "ingress", "egress", "via_middlebox", "views",
        "groups", "lets_through_text", "drops_text", "checking_rules_text", "shared_steps",
    )

    def __init__(self, instance: Instance, params: Parameters, subnet: Subnet | None) -> None:
        self.instance = instance
        self.name = instance.name
        self.table = ConnectionTable(
            Timeouts.for_interface(instance.connection_tracking, params, instance.nitro),
            instance.conntrack_capacity if instance.conntrack_capacity is not None else params.conntrack_capacity,
        )
        self.addresses = tuple(a for a in (instance.private_ip, instance.ipv6, instance.public_ip) if a is not None)
        self.subnet = subnet
        # Phrases every packet on this interface repeats, formatted once (an interface's groups
        # never change; its rules do, so ``checking_rules_text`` is set where they are compiled).
        self.groups = ", ".join(instance.security_groups)
        self.lets_through_text = {True: f"{self.name} lets the packet in", False: f"{self.name} lets the packet out"}
        self.drops_text = f"{self.name} drops the packet"
        self.checking_rules_text: dict[bool, str] = {}  # by inbound
        self.shared_steps: dict[tuple, StepEvent] = {}  # see _Side.shared_step
        # Filled in by Simulation._compile_rules / _compile_nacls (they change mid-timeline).
        self.acl_id = ""
        self.nacl_in = self.nacl_out = _NO_NACL
        self.ingress = self.egress = _NO_RULES
        self.via_middlebox: dict[bool, RuleTable] = {}  # by inbound: the rules without group references
        # The table as the state tracker shows it, by flow key in the order connections were
        # recorded; kept up to date at each change so a snapshot costs no decoding.
        self.views: dict[int, Connection] = {}

    def crosses(self, remote: IpAddress) -> bool:
        """Does traffic with ``remote`` enter or leave this interface's subnet?"""
        if self.subnet is None:
            return False
        block = self.subnet.cidr if remote.version == 4 else self.subnet.ipv6_cidr
        return block is None or not block.contains(remote)


@dataclass
class _UntrackedFlow:
    """An untracked flow seen so far, kept only to narrate what a rule change does to it.

    Verdicts never read this: an untracked flow has no state, each packet meets the rules.
    """

    text: str
    last_packets: dict[bool, Packet]  # by "arrived at the interface"
    rules: list[Rule]


# Each lane's node ids, interned once from the graph: a long run holds several steps per
# packet, and sharing one copy of each id saves both the formatting and the memory.
_NODE_IDS = {
    inbound: {node.id.split(".", 1)[1]: sys.intern(node.id) for node in FLOW_GRAPH.nodes if node.id.startswith(lane + ".")}
    for inbound, lane in ((True, "in"), (False, "out"))
}


class _Side:
    """The judgement of one packet on one interface, built node by node."""

    __slots__ = ("iface", "inbound", "direction", "steps", "verdict", "basis", "rule", "tracked", "reason", "_node_ids", "_last_decision", "_last_allowing")

    def __init__(self, iface: _Interface, inbound: bool) -> None:
        self.iface = iface
        self.inbound = inbound
        self.direction = Direction.INGRESS if inbound else Direction.EGRESS
        self.steps: list[StepEvent] = []
        self.verdict: Verdict | None = None
        self.basis: Basis | None = None
        self.rule: Rule | NaclEntry | None = None
        self.tracked: bool | None = None
        self.reason = ""
        self._node_ids = _NODE_IDS[inbound]
        # Positions of the last decision and of the last decision that can allow, noted as the
        # steps are added so that ``deciding_step`` needs no second pass over them.
        self._last_decision = self._last_allowing = -1

    def step(self, node: str, detail: str, answer: bool | None = None, matched=None, changes: tuple[TableChange, ...] = ()) -> None:
        self._add(build_step_event(self._node_ids[node], self.iface.name, self.direction, detail, answer, matched, changes))

    def shared_step(self, node: str, detail: str, answer: bool | None = None, matched=None) -> None:
        """A step that other packets on this interface repeat word for word (its detail names
        no packet or connection): the same frozen event is added for all of them, so a long
        run builds and keeps one copy instead of one per packet."""
        # Keyed by the id of ``matched``, not the rule or entry itself (hashing one hashes all
        # its fields): the cached event holds ``matched``, so that id stays its own.
        key = (node, self.inbound, detail, answer, id(matched))
        event = self.iface.shared_steps.get(key)
        if event is None:
            event = self.iface.shared_steps[key] = build_step_event(self._node_ids[node], self.iface.name, self.direction, detail, answer, matched, ())
        self._add(event)

    def _add(self, event: StepEvent) -> None:
        if event.node in _DECISIONS:
            self._last_decision = len(self.steps)
        if event.node in _ALLOWING_DECISIONS:
            self._last_allowing = len(self.steps)
        self.steps.append(event)

    def finish(self, verdict: Verdict, basis: Basis, reason: str, rule=None, tracked=None, changes: tuple[TableChange, ...] = ()) -> _Side:
        self.verdict, self.basis, self.reason, self.rule, self.tracked = verdict, basis, reason, rule, tracked
        if verdict == Verdict.ALLOW and changes:
            self.step("allow", self.iface.lets_through_text[self.inbound], changes=changes)
        elif verdict == Verdict.ALLOW:
            self.shared_step("allow", self.iface.lets_through_text[self.inbound])
        else:
            self.shared_step("drop", self.iface.drops_text)
        return self

    @property
    def deciding_step(self) -> int:
        """The decision that settled it: for a drop the last one asked; for an allow the one
        that allowed it (a NACL, capacity or TCP 25 check that merely let it pass decides nothing)."""
        return self._last_allowing if self.verdict == Verdict.ALLOW else self._last_decision


class Simulation:
    """The state of one timeline being played (see the module docstring)."""

    def __init__(self, scenario: Scenario) -> None:
        params = scenario.parameters
        if params.untracked_judged_on not in UNTRACKED_JUDGEMENTS:
            raise ValueError(f"untracked_judged_on must be one of {UNTRACKED_JUDGEMENTS}, not {params.untracked_judged_on!r}")
        self._scenario = scenario
        self._params = params
        self._now = 0
        self._rules: dict[str, dict[Direction, list[Rule]]] = {
            g.group_id: {Direction.INGRESS: list(g.ingress), Direction.EGRESS: list(g.egress)} for g in scenario.security_groups
        }
        self._acl_entries: dict[str, list[NaclEntry]] = {a.acl_id: list(a.entries) for a in scenario.network_acls}
        subnets = {s.subnet_id: s for s in scenario.subnets}
        self._interfaces = [_Interface(i, params, subnets.get(i.subnet or "")) for i in scenario.instances]
        self._by_address: dict[IpAddress, _Interface] = {}
        for iface in self._interfaces:
            for address in iface.addresses:
                self._by_address.setdefault(address, iface)
        self._unfiltered_addresses = dict(NEVER_FILTERED)
        for subnet in scenario.subnets:
            for offset, what in ((1, "the VPC router"), (2, "the Amazon DNS resolver"), (3, "an address AWS reserves")):
                address = IpAddress(4, subnet.cidr.network + offset)
                self._unfiltered_addresses.setdefault(address, f"{what} of {subnet.subnet_id}")
        self._members = self._group_members(scenario)
        self._untracked: dict[tuple[_Interface, int], _UntrackedFlow] = {}  # by (interface, flow key)
        self._rule_texts: dict[Rule, str] = {}  # see _rule_text
        self._compile_rules()
        self._compile_nacls()

    # -- compiling ------------------------------------------------------------------------

    @staticmethod
    def _group_members(scenario: Scenario) -> dict[str, tuple[Cidr, ...]]:
        """Private addresses (as /32 and /128) of the interfaces carrying each group."""
        members: dict[str, list[Cidr]] = {}
        for instance in scenario.instances:
            own = [Cidr(4, instance.private_ip.value, 32)] if instance.private_ip.version == 4 else [Cidr(6, instance.private_ip.value, 128)]
            if instance.ipv6 is not None:
                own.append(Cidr(6, instance.ipv6.value, 128))
            for group_id in instance.security_groups:
                members.setdefault(group_id, []).extend(own)
        return {group_id: tuple(cidrs) for group_id, cidrs in members.items()}

    def _resolve(self, peer: Peer) -> tuple[Cidr, ...]:
        if isinstance(peer, GroupRef):
            return self._members.get(peer.group_id, ())  # an absent group matches nothing
        if isinstance(peer, PrefixListRef):
            return tuple(self._scenario.prefix_lists.get(peer.prefix_list_id, ()))
        return (peer,)

    def _compile_rules(self) -> None:
        for iface in self._interfaces:
            for direction in Direction:
                merged = [rule for g in iface.instance.security_groups for rule in self._rules.get(g, {}).get(direction, ())]
                table = RuleTable(merged, self._resolve)
                if direction == Direction.INGRESS:
                    iface.ingress = table
                else:
                    iface.egress = table
                word = explain.direction_word(direction)
                iface.checking_rules_text[direction == Direction.INGRESS] = f"Checking {explain.count(len(merged), word + ' rule')} of {iface.groups}"
            iface.via_middlebox = {}

    def _rules_for(self, iface: _Interface, inbound: bool, packet: Packet) -> RuleTable:
        """The rules that can match ``packet``: a group reference matches packets straight
        from the group's interfaces, not ones that came through a middlebox (spec §1)."""
        rules = iface.ingress if inbound else iface.egress
        if packet.via is None:
            return rules
        if inbound not in iface.via_middlebox:
            iface.via_middlebox[inbound] = RuleTable(rules.rules, lambda peer: () if isinstance(peer, GroupRef) else self._resolve(peer))
        return iface.via_middlebox[inbound]

    def _compile_nacls(self) -> None:
        """Each subnet's NACL: the one associated with it, else the scenario's default NACL
        (IsDefault), else AWS's default NACL, which allows everything."""
        acls = self._scenario.network_acls
        default_id = next((acl.acl_id for acl in acls if acl.is_default), "the default network ACL")
        by_subnet = {subnet_id: acl.acl_id for acl in acls for subnet_id in acl.subnet_ids}
        for iface in self._interfaces:
            if iface.subnet is None:
                continue
            acl_id = by_subnet.get(iface.subnet.subnet_id, default_id)
            entries = self._acl_entries.get(acl_id, DEFAULT_NACL_ENTRIES)
            iface.acl_id = acl_id
            iface.nacl_in, iface.nacl_out = NaclTable(entries, False), NaclTable(entries, True)

    # -- public API -----------------------------------------------------------------------

    def apply(self, index: int, entry: TimelineEntry) -> PacketResult | ChangeResult:
        """Advance the clock to ``entry.at`` (expiring idle connections), then handle the entry."""
        now = _ms(entry.at)
        if now < self._now:
            raise ValueError(f"timeline[{index}].at goes back in time ({entry.at} s after {self._now / 1000} s)")
        self._now = now
        expired = self._expire(now)
        if entry.packet is not None:
            return self._packet(index, entry, expired)
        if isinstance(entry.change, RuleChange):
            return self._rule_change(index, entry, expired)
        if isinstance(entry.change, NaclChange):
            return self._nacl_change(index, entry, expired)
        raise ValueError(f"timeline[{index}] has neither a packet nor a change")

    def connections(self, instance: str | None = None) -> tuple[Connection, ...]:
        """Live connection-table entries: by instance (scenario order), then in the order they
        were recorded. Entries idle past their timeout went when the clock last advanced."""
        return tuple(chain.from_iterable(i.views.values() for i in self._interfaces if instance is None or i.name == instance))

    # -- time -----------------------------------------------------------------------------

    def _expire(self, now: int) -> tuple[TableChange, ...]:
        return tuple(
            build_table_change(TableChangeKind.EXPIRED, iface.views.pop(key))
            for iface in self._interfaces
            for key, _, _ in iface.table.expire(now)
        )

    # -- packets --------------------------------------------------------------------------

    def _packet(self, index: int, entry: TimelineEntry, expired: tuple[TableChange, ...]) -> PacketResult:
        """Judge a packet on the interfaces it touches.

        A packet between two instances is checked leaving the source, then (if it left)
        entering the destination. The result's verdict, basis, rule and ``tracked`` come from
        the *deciding side*: the side that dropped it; when both allowed it, the destination,
        except that a source allowing it by connection state wins over a destination
        allowing it by a rule (the packet is a reply, and that is the lesson to show).
        """
        packet = entry.packet
        assert packet is not None
        source = self._by_address.get(packet.src)
        destination = self._by_address.get(packet.dst)
        described = explain.describe_packet(packet)  # both sides' steps quote it
        if source is None and destination is None:
            raise ValueError(f"timeline[{index}]: the packet {described} touches no instance")
        sides: list[_Side] = []
        if source is not None:
            sides.append(self._judge(source, packet, described, inbound=False))
        if destination is not None and (not sides or sides[0].verdict == Verdict.ALLOW):
            sides.append(self._judge(destination, packet, described, inbound=True))
        deciding = sides[-1]
        if len(sides) == 2 and deciding.verdict == Verdict.ALLOW and sides[0].basis == Basis.STATE and deciding.basis == Basis.RULE:
            deciding = sides[0]
        steps: list[StepEvent] = []
        offset = 0
        for side in sides:
            if side is deciding:
                offset = len(steps)
            steps.extend(side.steps)
        explanation = deciding.reason
        if len(sides) == 2:
            where = "entering" if deciding.inbound else "leaving"
            explanation = f"{explanation} (decided {where} {deciding.iface.name})"
        return build_packet_result(
            index,
            entry.at,
            packet,
            deciding.verdict,
            deciding.basis,
            deciding.rule,
            deciding.tracked,
            explanation + ".",
            tuple(steps),
            offset + deciding.deciding_step,
            expired,
        )

    def _key(self, packet: Packet, inbound: bool) -> int:
        local, remote = (packet.dst, packet.src) if inbound else (packet.src, packet.dst)
        if packet.protocol in (TCP, UDP):
            local_port, remote_port = (packet.dst_port, packet.src_port) if inbound else (packet.src_port, packet.dst_port)
        elif packet.protocol in (ICMP, ICMPV6):
            local_port, remote_port = icmp_ports(packet.protocol, packet.icmp_type, packet.icmp_id or 0, inbound)
        else:
            local_port = remote_port = 0  # other protocols: tracked by addresses only
        return flow_key(local.version, packet.protocol, local.value, local_port or 0, remote.value, remote_port or 0)

    def _judge(self, iface: _Interface, packet: Packet, described: str, inbound: bool) -> _Side:
        """Judge ``packet`` (``described`` is its ``explain.describe_packet``) on one interface."""
        side = _Side(iface, inbound)
        remote = packet.src if inbound else packet.dst
        word = explain.direction_word(side.direction)
        arrival = "arrives at" if inbound else "leaves"
        side.step("arrive", f"{described} {arrival} {iface.name}")

        exempt = self._never_filtered(packet, remote, inbound)
        if exempt:
            side.step("exempt", f"Yes: {exempt} is never filtered", answer=True)
            return side.finish(Verdict.ALLOW, Basis.EXEMPT, f"Allowed: {exempt} is never filtered by security groups or network ACLs")

        crossing = iface.crosses(remote)
        if inbound and crossing and not self._nacl_allows(side, packet, remote):
            return side

        table, now = iface.table, self._now
        key = self._key(packet, inbound)
        side.step("state", f"Looking up {described} in {iface.name}'s connection table")
        rules = self._rules_for(iface, inbound, packet)
        # An ICMP error is never a flow of its own: only the header it quotes can relate it to one.
        if is_icmp_error(packet):
            found, related = None, self._related(iface, packet)
        else:
            found, related = table.get(key, now), None
        if found is not None or related is not None:
            return self._allow_by_state(side, packet, key, found, related, crossing, remote, rules)

        if not rules:
            side.shared_step(
                "state_ok",
                f"No: not part of a tracked connection, and {iface.groups} has no {word} rules, so nothing else can let it {'in' if inbound else 'out'}",
                answer=False,
            )
            return side.finish(
                Verdict.DROP,
                Basis.NO_MATCH,
                f"Dropped: {described} is not part of a tracked connection and {iface.groups} has no {word} rules",
            )
        side.shared_step("state_ok", "No: not part of a tracked connection", answer=False)
        return self._judge_by_rules(side, packet, key, crossing, remote, rules)

    def _never_filtered(self, packet: Packet, remote: IpAddress, inbound: bool) -> str | None:
        """What makes the packet traffic AWS never filters, as a noun phrase, or None."""
        what = self._unfiltered_addresses.get(remote)
        if what:
            return f"traffic {'from' if inbound else 'to'} {remote} ({what})"
        if packet.protocol == UDP and {packet.src_port, packet.dst_port} == DHCP_PORTS:
            return "DHCP (UDP ports 67 and 68)"
        return None

    def _nacl_allows(self, side: _Side, packet: Packet, remote: IpAddress) -> bool:
        iface = side.iface
        subnet = iface.subnet.subnet_id if iface.subnet else ""
        moving = "entering" if side.inbound else "leaving"
        side.shared_step("nacl", f"The packet is {moving} {subnet}: checking network ACL {iface.acl_id}, lowest rule number first")
        nacl = iface.nacl_in if side.inbound else iface.nacl_out
        entry = nacl.decide(remote.version, packet.protocol, packet_point(packet), remote.value)
        allowed = entry.action == NaclAction.ALLOW
        text = explain.describe_nacl_entry(entry)
        side.shared_step("nacl_ok", f"{'Yes' if allowed else 'No'}: {text}", answer=allowed, matched=entry)
        if not allowed:
            side.finish(Verdict.DROP, Basis.NACL, f"Dropped by network ACL {iface.acl_id} {moving} {subnet}: {text}", rule=entry)
        return allowed

    def _related(self, iface: _Interface, packet: Packet) -> tuple[int, int, int] | None:
        """The tracked flow an ICMP error reports on: the flow of the header it quotes, if that
        is tracked here. An error quoting nothing, or another ICMP error, relates to nothing."""
        embedded = packet.embedded
        if embedded is None or is_icmp_error(embedded):
            return None
        outgoing = embedded.src in iface.addresses
        key = self._key(embedded, inbound=not outgoing)
        found = iface.table.get(key, self._now)
        return None if found is None else (key, *found)

    def _allow_by_state(
        self,
        side: _Side,
        packet: Packet,
        key: int,
        found: tuple[int, int] | None,
        related: tuple[int, int, int] | None,
        crossing: bool,
        remote: IpAddress,
        rules: RuleTable,
    ) -> _Side:
        """The packet belongs to a tracked connection (``found``) or is an ICMP error about one
        (``related``): allowed, after the outbound NACL when it leaves the subnet."""
        iface, now, inbound = side.iface, self._now, side.inbound
        word = explain.direction_word(side.direction)
        if related is not None:
            related_key, flags, expires = related
            connection = connection_view(iface.name, related_key, flags, expires)
            described = explain.describe_connection(connection)
            side.step("state_ok", f"Yes: an ICMP error about the tracked connection {described}", answer=True)
            if not inbound and crossing and not self._nacl_allows(side, packet, remote):
                return side
            reason = f"Allowed without an {word} rule: ICMP error about the tracked connection {described}"
            return side.finish(Verdict.ALLOW, Basis.STATE, reason, changes=(build_table_change(TableChangeKind.RELATED, connection),))
        assert found is not None
        # ``views`` follows every record, use and expiry of the table, so a live entry's view
        # is already there: no need to decode the key and format its ends again.
        connection = iface.views[key]
        reply = connection.initiated_inbound != inbound
        what = "reply to" if reply else "part of"
        described = explain.describe_connection(connection)
        side.step("state_ok", f"Yes: {what} the tracked connection {described}", answer=True)
        if not inbound and crossing and not self._nacl_allows(side, packet, remote):
            return side
        _, new, expires = iface.table.use(key, now, inbound, closes(packet))
        after = iface.views[key] = moved_on(connection, new, expires)
        used = build_table_change(TableChangeKind.USED, after)
        if after.state != connection.state and after.state == "established":
            changes: tuple[TableChange, ...] = (used, build_table_change(TableChangeKind.ESTABLISHED, after))
        elif after.state != connection.state and after.state == "closing":
            changes = (used, build_table_change(TableChangeKind.CLOSED, after))
        else:
            changes = (used,)
        index = rules.match(remote.version, packet.protocol, packet_point(packet), remote.value)
        if index < 0:
            reason = f"Allowed without an {word} rule: {what} the tracked connection {described}"
        else:
            reason = f"Allowed by connection state, checked before rules: {what} the tracked connection {described}"
        return side.finish(Verdict.ALLOW, Basis.STATE, reason, changes=changes)

    def _judge_by_rules(self, side: _Side, packet: Packet, key: int, crossing: bool, remote: IpAddress, rules: RuleTable) -> _Side:
        iface, inbound, params = side.iface, side.inbound, self._params
        word = explain.direction_word(side.direction)
        towards = "from" if inbound else "to"
        side.shared_step("rules", iface.checking_rules_text[inbound])  # the middlebox table has the same rules
        point = packet_point(packet)
        index = rules.match(remote.version, packet.protocol, point, remote.value)
        error_rule = None
        if index < 0 and is_icmp_error(packet) and params.icmp_errors_for_untracked:
            error_rule = self._untracked_flow_rule(iface, packet)
        if index < 0 and error_rule is None:
            asked = f"{explain.what_is_asked(packet)} {towards} {remote}"
            if packet.via is not None:
                asked += f" (through {packet.via}: group references do not match)"
            side.step("rules_ok", f"No: no {word} rule of {iface.groups} allows {asked}", answer=False)
            return side.finish(Verdict.DROP, Basis.NO_MATCH, f"Dropped: no {word} rule of {iface.groups} allows {asked}")
        if error_rule is not None:
            side.step(
                "rules_ok",
                f"Yes: an ICMP error about an untracked flow allowed by {explain.describe_rule(error_rule)} (icmp_errors_for_untracked)",
                answer=True,
                matched=error_rule,
            )
            return side.finish(
                Verdict.ALLOW,
                Basis.RULE,
                f"Allowed: ICMP error about an untracked flow that {error_rule.group_id} allows ({explain.describe_rule(error_rule)})",
                rule=error_rule,
            )
        rule = rules.rules[index]
        rule_text = self._rule_text(rule)
        side.shared_step("rules_ok", f"Yes: {rule_text}", answer=True, matched=rule)

        if not inbound and params.block_outbound_smtp and packet.protocol == TCP and packet.dst_port == SMTP_PORT:
            side.step("smtp", "Yes: EC2 blocks outbound TCP port 25 unless AWS has lifted the limit for the account", answer=True)
            return side.finish(
                Verdict.DROP,
                Basis.BLOCKED,
                f"Dropped: EC2 blocks outbound TCP port 25 by default, although {rule_text} allows it",
                rule=rule,
            )

        tracked: bool | None = None
        untracked_why = ""
        if opens_flow(packet):
            untracked_why = self._untracked_reason(iface, packet, inbound, point)
            tracked = not untracked_why
        if tracked and iface.table.full:
            side.step("capacity", f"No: {iface.name} already tracks {explain.count(len(iface.table), 'connection')}, its limit", answer=False)
            return side.finish(
                Verdict.DROP,
                Basis.CAPACITY,
                f"Dropped: {iface.name}'s connection tracking table is full ({explain.count(iface.table.capacity, 'connection')}), so no new connection can be recorded",
                rule=rule,
            )
        if not inbound and crossing and not self._nacl_allows(side, packet, remote):
            return side

        if tracked:
            flags = first_stage(packet.protocol, closes(packet))
            flags |= INBOUND if inbound else 0
            flags |= NLB if packet.via == NETWORK_LOAD_BALANCER else 0
            expires = iface.table.record(key, self._now, flags)
            connection = iface.views[key] = connection_view(iface.name, key, flags, expires)
            side.finish(Verdict.ALLOW, Basis.RULE, "", rule=rule, tracked=True)
            idle = round((expires - self._now) / 1000)
            described = explain.describe_connection(connection)
            side.step(
                "record",
                f"Recorded {described}; it is forgotten after {idle} s without packets",
                changes=(build_table_change(TableChangeKind.RECORDED, connection),),
            )
            side.reason = f"Allowed by {word} rule {rule_text}; connection {described} recorded"
            return side
        if tracked is False:
            self._remember_untracked(iface, key, packet, inbound, rule)
            reason = f"Allowed by {word} rule {rule_text}; not tracked, because {untracked_why}"
        else:
            reason = f"Allowed by {word} rule {rule_text}"
        return side.finish(Verdict.ALLOW, Basis.RULE, reason, rule=rule, tracked=tracked)

    def _rule_text(self, rule: Rule) -> str:
        """``tcp port 443 from 0.0.0.0/0 (sg-web)``, formatted once per rule: the same few
        rules decide most packets of a timeline."""
        text = self._rule_texts.get(rule)
        if text is None:
            text = self._rule_texts[rule] = f"{explain.describe_rule(rule)} ({rule.group_id})"
        return text

    def _remember_untracked(self, iface: _Interface, key: int, packet: Packet, inbound: bool, rule: Rule) -> None:
        flow = self._untracked.get((iface, key))
        if flow is None:
            flow = self._untracked[(iface, key)] = _UntrackedFlow(explain.describe_packet(packet), {}, [])
        flow.last_packets[inbound] = packet
        if rule not in flow.rules:
            flow.rules.append(rule)

    def _broken_untracked_flows(self, revoked: RuleChange) -> list[str]:
        """Untracked flows that relied on a revoked rule and that the remaining rules now drop."""
        broken = []
        for (iface, key), flow in list(self._untracked.items()):
            if not any(r.group_id == revoked.group_id and _same_rule(r, gone) for r in flow.rules for gone in revoked.rules):
                continue
            for inbound, last in flow.last_packets.items():
                remote = last.src if inbound else last.dst
                rules = self._rules_for(iface, inbound, last)
                if rules.match(remote.version, last.protocol, packet_point(last), remote.value) < 0:
                    broken.append(flow.text)
                    del self._untracked[(iface, key)]
                    break
        return broken

    def _untracked_reason(self, iface: _Interface, packet: Packet, inbound: bool, point: int) -> str:
        """Why a TCP/UDP packet with no tracked connection belongs to an untracked flow (spec §2),
        or "" when its flow is tracked.

        A flow is untracked when the rule letting its first packet through allows every address
        and the other direction allows every address on every port. The packet may be that
        first packet (it opens the flow), or a reply travelling back (the flow was opened the
        other way: a rule of the other direction lets the reversed packet through from every
        address, and this direction allows everything back). Judged on the packet's address
        family, on the merged rules of the interface's groups (parameter
        ``untracked_judged_on`` = "merged"), or with both rules in one group ("per-group").
        """
        if packet.protocol not in (TCP, UDP) or packet.via in self._params.automatically_tracked:
            return ""
        version = packet.src.version
        here, back = (iface.ingress, iface.egress) if inbound else (iface.egress, iface.ingress)
        everything = "0.0.0.0/0" if version == 4 else "::/0"

        def traffic(inward: bool) -> str:
            return f"inbound traffic from {everything}" if inward else f"outbound traffic to {everything}"

        group = self._untracked_pair(here.rules_allowing_everything(version, packet.protocol, point), back.returns_everything(version, packet.protocol))
        if group:
            return f"the rule allows {traffic(inbound)} and {group} allows all {traffic(not inbound)}"
        reply_point = packet.src_port or 0  # the reversed packet's destination port
        group = self._untracked_pair(back.rules_allowing_everything(version, packet.protocol, reply_point), here.returns_everything(version, packet.protocol))
        if group:
            return f"it answers a flow opened by a rule allowing {traffic(not inbound)}, and {group} allows all {traffic(inbound)}"
        return ""

    def _untracked_pair(self, opening: tuple[Rule, ...], returning: tuple[str, ...]) -> str:
        """The group whose return rule makes a flow untracked, or "" (see ``_untracked_reason``)."""
        if not opening or not returning:
            return ""
        if self._params.untracked_judged_on == "per-group":
            shared = [g for g in returning if any(r.group_id == g for r in opening)]
            return shared[0] if shared else ""
        return returning[0]

    def _untracked_flow_rule(self, iface: _Interface, error: Packet) -> Rule | None:
        """For an ICMP error whose embedded flow is untracked here: the rule that allows that flow."""
        embedded = error.embedded
        if embedded is None:
            return None
        outgoing = embedded.src in iface.addresses
        remote = embedded.dst if outgoing else embedded.src
        rules = self._rules_for(iface, not outgoing, embedded)
        point = packet_point(embedded)
        index = rules.match(remote.version, embedded.protocol, point, remote.value)
        if index < 0 or not self._untracked_reason(iface, embedded, not outgoing, point):
            return None
        return rules.rules[index]

    # -- changes --------------------------------------------------------------------------

    def _rule_change(self, index: int, entry: TimelineEntry, expired: tuple[TableChange, ...]) -> ChangeResult:
        change = entry.change
        assert isinstance(change, RuleChange)
        current = self._rules.setdefault(change.group_id, {Direction.INGRESS: [], Direction.EGRESS: []})[change.direction]
        word = explain.direction_word(change.direction)
        described = "; ".join(explain.describe_rule(r) for r in change.rules) or "no rules"
        if change.action == ChangeAction.REVOKE:
            before = len(current)
            current[:] = [r for r in current if not any(_same_rule(r, gone) for gone in change.rules)]
            done = f"Revoked {word} {described} on {change.group_id}" if len(current) < before else f"Nothing to revoke on {change.group_id}: no {word} rule {described}"
        else:
            added = [r for r in change.rules if not any(_same_rule(r, kept) for kept in current)]
            current.extend(added)
            done = f"Authorized {word} {described} on {change.group_id}" if added else f"{change.group_id} already has {word} {described}"
        self._compile_rules()
        carriers = [i for i in self._interfaces if change.group_id in i.instance.security_groups]
        live = sum(len(i.table) for i in carriers)
        if change.action == ChangeAction.REVOKE:
            tracked = f"{explain.count(live, 'tracked connection')} {'keeps' if live == 1 else 'keep'}"
            effect = f"{tracked} passing until idle past the timeout; untracked flows and new connections are judged by the remaining rules"
            broken = self._broken_untracked_flows(change)
            if broken:
                flows = f"the untracked flow {broken[0]} now drops" if len(broken) == 1 else f"the untracked flows {', '.join(broken)} now drop"
                effect = f"{flows}; {effect}"
        else:
            effect = "new packets are judged by the new rules; tracked connections are unaffected"
        return ChangeResult(index, entry.at, entry, f"{done}: {effect}.", expired)

    def _nacl_change(self, index: int, entry: TimelineEntry, expired: tuple[TableChange, ...]) -> ChangeResult:
        change = entry.change
        assert isinstance(change, NaclChange)
        entries = self._acl_entries.setdefault(change.acl_id, [])
        new = change.entry
        same_slot = [e for e in entries if (e.rule_number, e.egress) == (new.rule_number, new.egress)]
        entries[:] = [e for e in entries if e not in same_slot]
        text = explain.describe_nacl_entry(new)
        if change.action == ChangeAction.REMOVE:
            done = f"Removed {text} from {change.acl_id}" if same_slot else f"Nothing to remove: {change.acl_id} has no rule {new.rule_number}"
        else:
            entries.append(new)
            done = f"{'Replaced' if same_slot else 'Added'} {text} in {change.acl_id}"
        self._compile_nacls()
        effect = "network ACLs keep no state, so the next packet of every flow, tracked or not, meets the new rules"
        return ChangeResult(index, entry.at, entry, f"{done}: {effect}.", expired)


class _JournaledTable(dict):
    """An interface's ``views`` that also writes each change to a journal shared by every
    interface, so ``simulate`` can give back the table after any entry without copying it
    after every one (see ``results.ConnectionTables``)."""

    __slots__ = ("_journal", "_interface")

    def __init__(self, journal: list[TableEdit], interface: int) -> None:
        super().__init__()
        self._journal = journal
        self._interface = interface

    def __setitem__(self, key: int, connection: Connection) -> None:
        self._journal.append((self._interface, key, connection))
        super().__setitem__(key, connection)

    def pop(self, key: int) -> Connection:  # the simulator removes only entries it has
        self._journal.append((self._interface, key, None))
        return super().pop(key)


@contextmanager
def _collector_paused():
    """Hold off the cyclic garbage collector, if it runs, until the block ends.

    A long timeline builds about ten collector-tracked objects per packet (results, steps,
    connections, tuples) and keeps them all, so each full collection walks every one built so
    far: at 100,000 packets the collector took a fifth of the run, and found nothing, since
    results form no cycles (reference counting frees any temporaries). It is the interpreter's
    switch, so other threads' cycles also wait until the block ends.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def simulate(scenario: Scenario) -> Run:
    """Play a whole timeline; returns every result and the connection table after each entry."""
    with _collector_paused():
        return _simulate(scenario)


def _simulate(scenario: Scenario) -> Run:
    simulation = Simulation(scenario)
    journal: list[TableEdit] = []
    tables = [_JournaledTable(journal, position) for position in range(len(simulation._interfaces))]
    for iface, table in zip(simulation._interfaces, tables):
        iface.views = table
    results = []
    ends: list[int] = []
    checkpoints: list[Checkpoint] = []
    copied_at = 0  # the journal's length at the last copy
    for index, entry in enumerate(scenario.timeline):
        results.append(simulation.apply(index, entry))
        ends.append(len(journal))
        # A copy costs about one unit per interface and per live connection: take one once
        # at least that many changes have been journaled since the last, so copies never cost
        # more than the changes themselves.
        if len(journal) - copied_at > len(tables) + sum(len(table) for table in tables):
            checkpoints.append((index, len(journal), tuple(dict(table) for table in tables)))
            copied_at = len(journal)
    return Run(tuple(results), ConnectionTables(journal, ends, checkpoints, len(tables)))
