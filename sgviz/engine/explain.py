"""Plain words for the engine's results.

Two kinds of phrasing live here: the small describers the simulation uses while it judges a
packet (a rule, a flow, a connection, a NACL entry), and the views the web page shows, which
are *derived from results*: the execution table's row, the state tracker's cell and the
caption announced for each step. Nothing here knows which lesson or step it is phrasing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from .addresses import Cidr
from .graph import FLOW_GRAPH
from .model import (
    ALL_PROTOCOLS,
    ICMP,
    ICMPV6,
    PROTOCOL_NAMES,
    TCP,
    UDP,
    Direction,
    GroupRef,
    NaclAction,
    NaclEntry,
    Packet,
    PrefixListRef,
    Rule,
    Scenario,
)
from .results import Basis, ChangeResult, Connection, PacketResult, TableChange, TableChangeKind, Verdict

ICMP_TYPE_NAMES = {
    (ICMP, 0): "echo reply",
    (ICMP, 3): "destination unreachable",
    (ICMP, 4): "source quench",
    (ICMP, 8): "echo request",
    (ICMP, 11): "time exceeded",
    (ICMP, 12): "parameter problem",
    (ICMP, 13): "timestamp request",
    (ICMP, 14): "timestamp reply",
    (ICMP, 15): "information request",
    (ICMP, 16): "information reply",
    (ICMP, 17): "address mask request",
    (ICMP, 18): "address mask reply",
    (ICMPV6, 1): "destination unreachable",
    (ICMPV6, 2): "packet too big",
    (ICMPV6, 3): "time exceeded",
    (ICMPV6, 4): "parameter problem",
    (ICMPV6, 128): "echo request",
    (ICMPV6, 129): "echo reply",
}


def protocol_name(protocol: int) -> str:
    if protocol == ALL_PROTOCOLS:
        return "all traffic"
    return PROTOCOL_NAMES.get(protocol, f"protocol {protocol}")


def direction_word(direction: Direction) -> str:
    return "inbound" if direction == Direction.INGRESS else "outbound"


def count(number: int, thing: str) -> str:
    """``1 connection``, ``2 connections``."""
    return f"{number} {thing}" if number == 1 else f"{number} {thing}s"


def describe_peer(peer: Cidr | PrefixListRef | GroupRef) -> str:
    if isinstance(peer, PrefixListRef):
        return f"prefix list {peer.prefix_list_id}"
    if isinstance(peer, GroupRef):
        return f"members of {peer.group_id}"
    return str(peer)


def _ports(protocol: int, low: int | None, high: int | None) -> str:
    if protocol in (TCP, UDP):
        if low is None or low < 0 or (low == 0 and high == 65535):
            return " all ports"
        return f" port {low}" if low == high else f" ports {low}-{high}"
    if protocol in (ICMP, ICMPV6):
        if low is None or low < 0:
            return " all types"
        name = ICMP_TYPE_NAMES.get((protocol, low), f"type {low}")
        return f" {name}" if high is None or high < 0 else f" {name} code {high}"
    return ""


def describe_rule(rule: Rule) -> str:
    """``tcp port 80 from 0.0.0.0/0``, ``all traffic to ::/0``, ``icmp echo request from sg-…``."""
    towards = "from" if rule.direction == Direction.INGRESS else "to"
    return f"{protocol_name(rule.protocol)}{_ports(rule.protocol, rule.from_port, rule.to_port)} {towards} {describe_peer(rule.peer)}"


def describe_nacl_entry(entry: NaclEntry) -> str:
    """``rule 100 allows tcp port 22 from 0.0.0.0/0``; the last rule shows as ``*``."""
    number = "*" if entry.rule_number >= 32767 else str(entry.rule_number)
    verb = "allows" if entry.action == NaclAction.ALLOW else "denies"
    if entry.protocol in (ICMP, ICMPV6):
        ports = _ports(entry.protocol, entry.icmp_type, entry.icmp_code)
    else:
        ports = _ports(entry.protocol, entry.port_from, entry.port_to)
    towards = "to" if entry.egress else "from"
    return f"rule {number} {verb} {protocol_name(entry.protocol)}{ports} {towards} {entry.cidr}"


def _endpoint(address: object, port: int | None) -> str:
    text = str(address)
    if port is None:
        return text
    return f"[{text}]:{port}" if ":" in text else f"{text}:{port}"


def describe_packet(packet: Packet) -> str:
    """``198.51.100.10:50000 → 10.0.1.10:80/tcp``, ``10.0.1.10 → 10.0.2.20/icmp echo request``."""
    ported = packet.protocol in (TCP, UDP)
    src = _endpoint(packet.src, packet.src_port if ported else None)
    dst = _endpoint(packet.dst, packet.dst_port if ported else None)
    kind = protocol_name(packet.protocol)
    if packet.protocol in (ICMP, ICMPV6) and packet.icmp_type is not None:
        kind += " " + ICMP_TYPE_NAMES.get((packet.protocol, packet.icmp_type), f"type {packet.icmp_type}")
    return f"{src} → {dst}/{kind}"


def describe_connection(connection: Connection) -> str:
    """The connection as its first packet went: initiator → responder."""
    first, second = (connection.remote, connection.local) if connection.initiated_inbound else (connection.local, connection.remote)
    kind = protocol_name(connection.protocol)
    if connection.icmp_type is not None:  # an ICMP flow is one query kind and identifier
        kind += f" {ICMP_TYPE_NAMES.get((connection.protocol, connection.icmp_type), f'type {connection.icmp_type}')} id {connection.icmp_id}"
    return f"{first} → {second}/{kind}"


def what_is_asked(packet: Packet) -> str:
    """What a rule must allow for this packet: ``tcp port 22``, ``icmp echo request``, ``protocol 47``."""
    if packet.protocol in (TCP, UDP):
        return f"{protocol_name(packet.protocol)} port {packet.dst_port}"
    if packet.protocol in (ICMP, ICMPV6):
        return f"{protocol_name(packet.protocol)}{_ports(packet.protocol, packet.icmp_type, packet.icmp_code)}"
    return protocol_name(packet.protocol)


# ---------------------------------------------------------------------------------------------
# Views derived from results


@dataclass(frozen=True, slots=True)
class TableRow:
    """One row of the execution table: the decision that settled a packet."""

    direction: str  # "Incoming" / "Outgoing"
    check: str  # the question of the deciding node
    answer: str  # "Yes" / "No"
    action: str


_ALLOW_ACTIONS = {
    Basis.STATE: "Allow packet automatically",
    Basis.EXEMPT: "Allow packet (never filtered)",
}
_DROP_ACTIONS = {
    Basis.NACL: "Drop packet (network ACL)",
    Basis.CAPACITY: "Drop packet (table full)",
    Basis.BLOCKED: "Drop packet (blocked by EC2)",
}


def action(result: PacketResult) -> str:
    if result.verdict == Verdict.DROP:
        return _DROP_ACTIONS.get(result.basis, "Drop packet")
    if result.basis in _ALLOW_ACTIONS:
        return _ALLOW_ACTIONS[result.basis]
    if result.tracked is True:
        return "Allow packet and record connection state"
    if result.tracked is False:
        return "Allow packet (not tracked)"
    return "Allow packet"


def table_row(result: PacketResult) -> TableRow:
    step = result.steps[result.deciding_step]
    node = FLOW_GRAPH.node(step.node)
    return TableRow(
        direction="Incoming" if step.direction == Direction.INGRESS else "Outgoing",
        check=node.question or node.label,
        answer="Yes" if step.answer else "No",
        action=action(result),
    )


def tracker_start(scenario: Scenario) -> str:
    """The state tracker before the first step: a simulation always starts with empty tables."""
    return "Empty"


def _label(labels: Mapping[str, str], address: str) -> str:
    return labels.get(address, address)


def _who(connection: Connection, labels: Mapping[str, str]) -> tuple[str, bool]:
    """The connection as the tracker names it, and whether that is by the far end's label.

    A far end the scenario labels keeps the lessons' short form, ``for IP A:80``: the label and
    the port it asked for. Otherwise both ends are named as the first packet went, each with its
    own port (``198.51.100.10:50000 → web server:80``), so an address is never shown with the
    other end's port.
    """
    remote = labels.get(connection.remote_ip)
    if remote:
        service = connection.service_port
        return (f"{remote} ({protocol_name(connection.protocol)})" if service is None else f"{remote}:{service}"), True
    ends = [
        _endpoint(labels.get(connection.local_ip, connection.local_ip), connection.local_port),
        _endpoint(connection.remote_ip, connection.remote_port),
    ]
    first, second = reversed(ends) if connection.initiated_inbound else ends
    kind = "" if connection.local_port is not None else f" ({protocol_name(connection.protocol)})"
    return f"{first} → {second}{kind}", False


def _is_reply(change: TableChange, direction: Direction) -> bool:
    return change.connection.initiated_inbound != (direction == Direction.INGRESS)


def _change_phrase(change: TableChange, direction: Direction | None, labels: Mapping[str, str]) -> str | None:
    name, by_label = _who(change.connection, labels)
    who = f"for {name}" if by_label else name  # "Connection for IP A:80 expired", "Connection a → b expired"
    if change.kind == TableChangeKind.RECORDED:
        return f"Connection recorded {who}" if by_label else f"Connection recorded: {name}"
    if change.kind == TableChangeKind.USED:
        packet = "response" if direction is not None and _is_reply(change, direction) else "packet"
        return f"Connection state used to allow {packet}"
    if change.kind == TableChangeKind.RELATED:
        return f"Connection {who} let its ICMP error through"
    if change.kind == TableChangeKind.CLOSED:
        return f"Connection {who} closing"
    if change.kind == TableChangeKind.EXPIRED:
        return f"Connection {who} expired"
    return None  # ESTABLISHED accompanies USED and adds nothing a learner needs here


def tracker_cell(result: PacketResult | ChangeResult, labels: Mapping[str, str]) -> str:
    """What happened to the connection table at this step, in a few words.

    When the changes touch more than one instance's table (a packet between two instances),
    each phrase says whose table it is.
    """
    expired = result.expired if isinstance(result, PacketResult) else ()
    pairs = [(change, None) for change in expired]
    if isinstance(result, PacketResult):
        pairs += [(change, step.direction) for step in result.steps for change in step.changes]
    else:
        pairs += [(change, None) for change in result.changes]
    several = len({change.connection.instance for change, _ in pairs}) > 1
    phrases: list[str] = []
    for change, direction in pairs:
        phrase = _change_phrase(change, direction, labels)
        if phrase and several:
            phrase += f" on {change.connection.instance}"
        if phrase and phrase not in phrases:
            phrases.append(phrase)
    if not phrases and isinstance(result, PacketResult) and result.verdict == Verdict.ALLOW and result.tracked is False:
        return "No change (flow not tracked)"
    return "; ".join(phrases) or "No change"


def _verdict_phrase(result: PacketResult) -> str:
    step = result.steps[result.deciding_step]
    word = direction_word(step.direction)
    if result.verdict == Verdict.ALLOW:
        if result.basis == Basis.STATE:
            return "allowed automatically, as part of a tracked connection"
        if result.basis == Basis.EXEMPT:
            return "allowed, as AWS never filters this traffic"
        if result.tracked is True:
            return f"allowed by an {word} rule, and its connection is recorded"
        if result.tracked is False:
            return f"allowed by an {word} rule, without being tracked"
        return f"allowed by an {word} rule"
    if result.basis == Basis.NACL:
        return "dropped by the network ACL"
    if result.basis == Basis.CAPACITY:
        return "dropped, as the connection tracking table is full"
    if result.basis == Basis.BLOCKED:
        return "dropped, as EC2 blocks outbound mail on TCP port 25"
    if step.node.endswith("state_ok"):
        return f"dropped, as it is not part of a tracked connection and there are no {word} rules"
    return f"dropped, as no {word} rule allows it"


def caption(result: PacketResult | ChangeResult, labels: Mapping[str, str]) -> str:
    """One sentence narrating a step, for the page's live region."""
    if isinstance(result, ChangeResult):
        return f"At {result.at:g} s: {result.explanation}"
    packet = result.packet
    step = result.steps[result.deciding_step]
    heading = "Incoming" if step.direction == Direction.INGRESS else "Outgoing"
    src = _label(labels, str(packet.src))
    dst = _label(labels, str(packet.dst))
    port = f" port {packet.dst_port}" if packet.protocol in (TCP, UDP) and packet.dst_port is not None else ""
    return f"{heading} {protocol_name(packet.protocol)} packet from {src} to {dst}{port}: {_verdict_phrase(result)}."
