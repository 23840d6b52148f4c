"""Small builders for engine tests: scenarios read like the spec's sentences.

Addresses are text (``"10.0.1.10:80"``, ``"[2001:db8::1]:443"``); protocols are AWS's names or
numbers; a peer is a CIDR, ``pl-…`` or ``sg-…``.
"""

from __future__ import annotations

from typing import Iterable

from sgviz.engine.addresses import parse_cidr, parse_ip
from sgviz.engine.model import (
    ALL_PROTOCOLS,
    ICMP,
    ICMPV6,
    TCP,
    UDP,
    ChangeAction,
    Direction,
    GroupRef,
    Instance,
    NaclAction,
    NaclEntry,
    NetworkAcl,
    Packet,
    PrefixListRef,
    Rule,
    RuleChange,
    Scenario,
    SecurityGroup,
    Subnet,
    TimelineEntry,
)
from sgviz.engine.simulation import Simulation

PROTOCOLS = {"tcp": TCP, "udp": UDP, "icmp": ICMP, "icmpv6": ICMPV6, "-1": ALL_PROTOCOLS, "all": ALL_PROTOCOLS}

IN, OUT = Direction.INGRESS, Direction.EGRESS


def protocol_number(protocol: str | int) -> int:
    return protocol if isinstance(protocol, int) else PROTOCOLS.get(protocol) or int(protocol)


def peer(text: str):
    if text.startswith("sg-"):
        return GroupRef(text)
    if text.startswith("pl-"):
        return PrefixListRef(text)
    return parse_cidr(text)


def rule(group_id: str, direction: Direction, protocol: str | int = "tcp", ports: int | tuple[int, int] | None = None, to: str = "0.0.0.0/0") -> Rule:
    """One rule. ``ports`` is a port (or ICMP type), a (from, to) pair, or None for all."""
    number = protocol_number(protocol)
    if ports is None:
        low = high = -1 if number in (ICMP, ICMPV6) else None
        if number in (TCP, UDP):
            low, high = 0, 65535
    elif isinstance(ports, tuple):
        low, high = ports
    else:
        low, high = (ports, -1) if number in (ICMP, ICMPV6) else (ports, ports)
    return Rule(group_id, direction, number, low, high, peer(to))


def group(group_id: str, ingress: Iterable[tuple] = (), egress: Iterable[tuple] = ()) -> SecurityGroup:
    """A group from rule shorthands: ``("tcp", 80, "0.0.0.0/0")``."""
    return SecurityGroup(
        group_id,
        name=group_id,
        ingress=tuple(rule(group_id, IN, *spec) for spec in ingress),
        egress=tuple(rule(group_id, OUT, *spec) for spec in egress),
    )


ALL_OUT = ("-1", None, "0.0.0.0/0")
ALL_OUT_V6 = ("-1", None, "::/0")


def instance(name: str, address: str, *groups: str, ipv6: str | None = None, public_ip: str | None = None, **kwargs) -> Instance:
    return Instance(
        name,
        parse_ip(address),
        tuple(groups),
        ipv6=parse_ip(ipv6) if ipv6 else None,
        public_ip=parse_ip(public_ip) if public_ip else None,
        **kwargs,
    )


def _split(endpoint: str) -> tuple[str, int | None]:
    if endpoint.startswith("["):
        address, _, port = endpoint[1:].partition("]:")
        return address, int(port)
    if endpoint.count(":") == 1:
        address, port = endpoint.split(":")
        return address, int(port)
    return endpoint, None


def packet(src: str, dst: str, protocol: str | int = "tcp", flags: str = "", **kwargs) -> Packet:
    src_ip, src_port = _split(src)
    dst_ip, dst_port = _split(dst)
    return Packet(
        parse_ip(src_ip),
        parse_ip(dst_ip),
        protocol_number(protocol),
        src_port=src_port,
        dst_port=dst_port,
        flags=frozenset(f for f in flags.split(",") if f),
        **kwargs,
    )


def icmp(src: str, dst: str, icmp_type: int, code: int = 0, ident: int | None = 1, **kwargs) -> Packet:
    protocol = ICMPV6 if ":" in src else ICMP
    return Packet(parse_ip(src), parse_ip(dst), protocol, icmp_type=icmp_type, icmp_code=code, icmp_id=ident, **kwargs)


def authorize(group_id: str, direction: Direction, *spec) -> RuleChange:
    return RuleChange(group_id, direction, ChangeAction.AUTHORIZE, (rule(group_id, direction, *spec),))


def revoke(group_id: str, direction: Direction, *spec) -> RuleChange:
    return RuleChange(group_id, direction, ChangeAction.REVOKE, (rule(group_id, direction, *spec),))


def nacl_entry(number: int, action: str, protocol: str | int = "-1", ports: tuple[int, int] | None = None, cidr: str = "0.0.0.0/0", egress: bool = False) -> NaclEntry:
    low, high = ports if ports else (None, None)
    return NaclEntry(number, egress, protocol_number(protocol), NaclAction(action), parse_cidr(cidr), low, high)


def nacl(acl_id: str, *entries: NaclEntry, subnets: tuple[str, ...] = (), is_default: bool = False) -> NetworkAcl:
    return NetworkAcl(acl_id, is_default=is_default, subnet_ids=subnets, entries=entries)


def subnet(subnet_id: str, block: str, ipv6: str | None = None) -> Subnet:
    return Subnet(subnet_id, parse_cidr(block), parse_cidr(ipv6) if ipv6 else None)


def scenario(groups, instances, timeline=(), **kwargs) -> Scenario:
    """``timeline`` items are ``(at, packet_or_change)``; a bare packet means at = its position."""
    entries = []
    for position, item in enumerate(timeline):
        at, thing = item if isinstance(item, tuple) else (position, item)
        if isinstance(thing, Packet):
            entries.append(TimelineEntry(at, packet=thing))
        else:
            entries.append(TimelineEntry(at, change=thing))
    return Scenario(tuple(groups), tuple(instances), tuple(entries), **kwargs)


def run(groups, instances, timeline, **kwargs):
    """Results of a timeline (the Run's results tuple)."""
    from sgviz.engine.simulation import simulate

    return simulate(scenario(groups, instances, timeline, **kwargs)).results


class Wire:
    """A simulation driven one packet at a time: ``wire.send(packet, at)`` -> PacketResult."""

    def __init__(self, groups, instances, **kwargs) -> None:
        self.simulation = Simulation(scenario(groups, instances, **kwargs))
        self.index = 0
        self.at = 0.0

    def send(self, thing, at: float | None = None):
        self.at = self.at if at is None else at
        entry = TimelineEntry(self.at, packet=thing) if isinstance(thing, Packet) else TimelineEntry(self.at, change=thing)
        result = self.simulation.apply(self.index, entry)
        self.index += 1
        return result


WEB_GROUP = "sg-0a1b2c3d4e5f60001"
IP_A = "198.51.100.10"
WEB = "10.0.1.10"


def seed_lesson() -> Scenario:
    """The first lesson, as examples/seed-lesson.json describes it."""
    return scenario(
        [group(WEB_GROUP, ingress=[("tcp", 80, "0.0.0.0/0")])],
        [instance("web server", WEB, WEB_GROUP)],
        [
            (0, packet(f"{IP_A}:50000", f"{WEB}:80", flags="SYN")),
            (1, packet(f"{WEB}:80", f"{IP_A}:50000", flags="SYN,ACK")),
            (2, packet(f"{IP_A}:50001", f"{WEB}:22", flags="SYN")),
            (3, packet(f"{WEB}:22", f"{IP_A}:50001", flags="SYN,ACK")),
        ],
        labels={IP_A: "IP A", WEB: "web server"},
    )


