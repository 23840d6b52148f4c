"""Security group rules and network ACL entries compiled into integer lookup tables.

A packet is judged by numbers only: its protocol, a *point* (the destination port for
tcp/udp, ``type * 256 + code`` for ICMP, 0 otherwise) and its address as an integer. Each
interface's rules of one direction become a ``RuleTable``: per address family and protocol,
the point axis is cut into intervals where the set of applicable rules does not change; each
interval holds, per prefix length, a dict from network integer to the first rule with that
network, and a 64 KiB array maps each point to its interval. Matching a packet is one array
index plus one dict lookup per distinct prefix length, whatever the number of rules.

Rules are numbered in *merged order*: the interface's groups in the order the instance lists
them, each group's rules in order. When several rules allow a packet, the one reported is the
first in that order, so explanations are deterministic.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from .addresses import Cidr
from .model import ALL_PROTOCOLS, ICMP, ICMPV6, TCP, UDP, NaclAction, NaclEntry, Packet, Peer, Rule

POINTS = 1 << 16  # tcp/udp ports, and ICMP type*256+code, both fit in 0..65535
HIGHEST_POINT = POINTS - 1
PORTED = (TCP, UDP)
ICMPS = (ICMP, ICMPV6)


def packet_point(packet: Packet) -> int:
    """Where a packet sits on its protocol's point axis (see module docstring)."""
    if packet.protocol in PORTED:
        return packet.dst_port or 0
    if packet.protocol in ICMPS:
        return ((packet.icmp_type or 0) << 8) | (packet.icmp_code or 0)
    return 0


def rule_span(protocol: int, low: int | None, high: int | None) -> tuple[int, int]:
    """The inclusive interval of points a rule (or NACL entry) covers.

    tcp/udp: the destination port range. icmp/icmpv6: ``low`` is the type and ``high`` the
    code, -1 (or None) meaning all. Other protocols and -1: everything (ports are ignored).
    """
    if protocol in PORTED:
        if low is None or low < 0:
            return 0, HIGHEST_POINT
        return low, HIGHEST_POINT if high is None or high < 0 else high
    if protocol in ICMPS:
        if low is None or low < 0:
            return 0, HIGHEST_POINT
        if high is None or high < 0:
            return low << 8, (low << 8) | 0xFF
        return (low << 8) | high, (low << 8) | high
    return 0, HIGHEST_POINT


_EVERY_PROTOCOL_SLOT = 256  # where protocol -1 rules go in the table keys (real protocols are 0..255)


def _table_key(version: int, protocol: int) -> int:
    return (_EVERY_PROTOCOL_SLOT if protocol == ALL_PROTOCOLS else protocol) | (version << 9)


@dataclass(frozen=True, slots=True)
class _Compiled:
    """One rule's contribution: a point interval and one CIDR."""

    low: int
    high: int
    cidr: Cidr
    index: int


class _PointTable:
    """Rules of one family and protocol, cut into point intervals (see module docstring)."""

    __slots__ = ("buckets", "interval")

    def __init__(self, compiled: Sequence[_Compiled]) -> None:
        cuts = {0}
        for item in compiled:
            cuts.add(item.low)
            if item.high < HIGHEST_POINT:
                cuts.add(item.high + 1)
        starts = sorted(cuts)
        ends = starts[1:] + [POINTS]
        # A sweep over the cuts: a rule joins the covering set at the interval starting at its
        # low and leaves it at the one starting at high + 1 (both are cuts), so each interval
        # reads only the rules that cover it, not every rule (300 single-port rules made 601
        # intervals of 300 tests each). Every item covering an interval is still offered, so
        # the lowest index per network wins as before.
        joining: dict[int, list[int]] = {}
        leaving: dict[int, list[int]] = {}
        for position, item in enumerate(compiled):
            if item.low > item.high:
                continue  # an empty span covers no interval (the full scan never offered it either)
            joining.setdefault(item.low, []).append(position)
            if item.high < HIGHEST_POINT:
                leaving.setdefault(item.high + 1, []).append(position)
        covering: set[int] = set()
        self.buckets: list[tuple[tuple[int, dict[int, int]], ...]] = []
        for start in starts:
            covering.difference_update(leaving.get(start, ()))
            covering.update(joining.get(start, ()))
            by_mask: dict[int, dict[int, int]] = {}
            prefixes: dict[int, int] = {}
            for position in sorted(covering):  # the order the full scan offered them in
                item = compiled[position]
                networks = by_mask.setdefault(item.cidr.mask, {})
                prefixes[item.cidr.mask] = item.cidr.prefixlen
                if networks.get(item.cidr.network, item.index + 1) > item.index:
                    networks[item.cidr.network] = item.index
            ordered = sorted(by_mask.items(), key=lambda pair: -prefixes[pair[0]])
            self.buckets.append(tuple(ordered))
        # interval[point] is the bucket's position: one index instead of a bisect per packet.
        code = "B" if len(starts) <= 256 else "H"
        self.interval = array(code)
        for position, (start, end) in enumerate(zip(starts, ends)):
            self.interval.extend(array(code, (position,)) * (end - start))

_EMPTY = _PointTable(())


class RuleTable:
    """The merged rules of one interface in one direction, ready for matching.

    ``resolve`` turns a rule's peer into CIDRs: itself for a CIDR, the entries of a prefix
    list, or the private addresses (as /32 and /128) of the instances carrying a group.
    """

    __slots__ = ("rules", "_tables", "_everything")

    def __init__(self, rules: Iterable[Rule], resolve: Callable[[Peer], tuple[Cidr, ...]]) -> None:
        self.rules: tuple[Rule, ...] = tuple(rules)
        grouped: dict[int, list[_Compiled]] = {}
        # Per family, the rules whose peer includes every address (0.0.0.0/0, ::/0).
        self._everything: dict[int, list[int]] = {4: [], 6: []}
        for index, rule in enumerate(self.rules):
            low, high = rule_span(rule.protocol, rule.from_port, rule.to_port)
            for cidr in resolve(rule.peer):
                grouped.setdefault(_table_key(cidr.version, rule.protocol), []).append(_Compiled(low, high, cidr, index))
                if cidr.is_everything and index not in self._everything[cidr.version]:
                    self._everything[cidr.version].append(index)
        # Every (family, protocol 0..255) has a table, so matching is one dict index, no fallback.
        self._tables: dict[int, _PointTable] = {}
        for version in (4, 6):
            every_protocol = grouped.get(_table_key(version, ALL_PROTOCOLS), [])
            shared = _PointTable(every_protocol) if every_protocol else _EMPTY
            for protocol in range(256):
                items = grouped.get(_table_key(version, protocol))
                self._tables[_table_key(version, protocol)] = _PointTable(items + every_protocol) if items else shared

    def __bool__(self) -> bool:
        return bool(self.rules)

    def match(self, version: int, protocol: int, point: int, address: int) -> int:
        """Index (in ``rules``) of the first rule allowing the packet, or -1.

        The hot path of every first packet, so the table walk is inlined here.
        """
        table = self._tables[protocol | (version << 9)]
        best = -1
        for mask, networks in table.buckets[table.interval[point]]:
            index = networks.get(address & mask)
            if index is not None and (best < 0 or index < best):
                best = index
        return best

    def rules_allowing_everything(self, version: int, protocol: int, point: int) -> tuple[Rule, ...]:
        """Every rule that allows this protocol and point from/to 0.0.0.0/0 or ::/0, in order."""
        found = []
        for index in self._everything[version]:
            rule = self.rules[index]
            low, high = rule_span(rule.protocol, rule.from_port, rule.to_port)
            if rule.protocol in (ALL_PROTOCOLS, protocol) and low <= point <= high:
                found.append(rule)
        return tuple(found)

    def returns_everything(self, version: int, protocol: int) -> tuple[str, ...]:
        """Groups with a rule letting every address of this family use every port of ``protocol``.

        This is the "other direction" half of the untracked-flow test (spec §2): protocol -1,
        or the flow's own protocol with ports 0-65535, to/from 0.0.0.0/0 or ::/0.
        """
        groups: list[str] = []
        for index in self._everything[version]:
            rule = self.rules[index]
            if rule.protocol == ALL_PROTOCOLS or (
                rule.protocol == protocol and rule_span(rule.protocol, rule.from_port, rule.to_port) == (0, HIGHEST_POINT)
            ):
                if rule.group_id not in groups:
                    groups.append(rule.group_id)
        return tuple(groups)


def _everything(version: int) -> Cidr:
    return Cidr(version, 0, 0)


def implicit_deny(version: int, egress: bool) -> NaclEntry:
    """The ``*`` entry every NACL ends with: 32767 for IPv4, 32768 for IPv6."""
    return NaclEntry(32767 if version == 4 else 32768, egress, ALL_PROTOCOLS, NaclAction.DENY, _everything(version))


# AWS's default network ACL: allow everything, rule 100 (IPv4) and 101 (IPv6), both ways.
DEFAULT_NACL_ENTRIES = tuple(
    NaclEntry(number, egress, ALL_PROTOCOLS, NaclAction.ALLOW, _everything(version))
    for egress in (False, True)
    for number, version in ((100, 4), (101, 6))
)


class NaclTable:
    """One NACL direction: entries lowest number first; the first match decides (spec §3)."""

    __slots__ = ("_entries", "_denies")

    def __init__(self, entries: Iterable[NaclEntry], egress: bool) -> None:
        ordered = sorted((e for e in entries if e.egress == egress), key=lambda e: e.rule_number)
        self._entries = {
            version: tuple(
                (e, e.protocol, *(_nacl_span(e)), e.cidr.mask, e.cidr.network) for e in ordered if e.cidr.version == version
            )
            for version in (4, 6)
        }
        self._denies = {version: implicit_deny(version, egress) for version in (4, 6)}

    def decide(self, version: int, protocol: int, point: int, address: int) -> NaclEntry:
        """The deciding entry for a packet whose remote end is ``address``."""
        for entry, entry_protocol, low, high, mask, network in self._entries[version]:
            if (
                (entry_protocol == ALL_PROTOCOLS or entry_protocol == protocol)
                and low <= point <= high
                and address & mask == network
            ):
                return entry
        return self._denies[version]


def _nacl_span(entry: NaclEntry) -> tuple[int, int]:
    if entry.protocol in ICMPS:
        return rule_span(entry.protocol, entry.icmp_type, entry.icmp_code)
    return rule_span(entry.protocol, entry.port_from, entry.port_to)
