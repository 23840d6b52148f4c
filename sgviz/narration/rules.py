"""The rules panel: the security groups (and network ACLs) a step's packet meets, with what
decided it.

Everything here is derived from the scenario and the engine's results: the rules in effect
come from the scenario's groups and ACLs with the timeline's changes applied in order; what
decided comes from the packet's step events (their flow-graph node, answer and ``matched``
rule) and its ``deciding_step``. Nothing is matched against the engine's English. The panel
is frozen data a template only prints: every word, glyph and CSS modifier is chosen here.

``rules_panels(scenario, results)`` gives one ``RulesPanel`` per frame: index 0 before the
first packet (every interface, nothing marked), index k after packet k (the interfaces that
packet meets).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Iterable, Mapping, Sequence

from sgviz.engine import nacl_entry_to_aws, rule_to_aws
from sgviz.engine.addresses import Cidr
from sgviz.engine.explain import ICMP_TYPE_NAMES, what_is_asked
from sgviz.engine.matching import DEFAULT_NACL_ENTRIES, implicit_deny
from sgviz.engine.model import (
    ALL_PROTOCOLS,
    ICMP,
    ICMPV6,
    PROTOCOL_NAMES,
    TCP,
    UDP,
    ChangeAction,
    Direction,
    GroupRef,
    Instance,
    NaclAction,
    NaclChange,
    NaclEntry,
    Peer,
    PrefixListRef,
    Rule,
    RuleChange,
    Scenario,
)
from sgviz.engine.results import ChangeResult, PacketResult, StepEvent, TableChange, TableChangeKind

from .timeline import PANELS_KEPT, Frames, PacketStep, connections_found, packet_steps

NO_RULES = {
    Direction.INGRESS: "No inbound rules: nothing gets in unless it answers a tracked connection",
    Direction.EGRESS: "No outbound rules: nothing leaves unless it answers a tracked connection",
}
LAST_NACL_RULE = 32767  # the "*" rule AWS prints as 32767 (IPv4) and 32768 (IPv6)
# The checks whose Yes lets a packet through; a NACL, capacity or TCP 25 check that merely
# lets it pass decides nothing (as the engine picks ``deciding_step``).
ALLOWING_CHECKS = frozenset({"exempt", "state_ok", "rules_ok"})


@dataclass(frozen=True, slots=True)
class Mark:
    """A highlight on a rule: a CSS modifier, a glyph and the words it stands for."""

    kind: str  # "decided", "matched", "added", "removed"
    glyph: str
    words: str


@dataclass(frozen=True, slots=True)
class Term:
    """One field of the rule as AWS prints it (describe-security-group-rules / -network-acls)."""

    name: str
    value: str


@dataclass(frozen=True, slots=True)
class RuleLine:
    plain: str  # "Lets in TCP to port 80 from anywhere on IPv4 (0.0.0.0/0)"
    terms: tuple[Term, ...]
    description: str
    marks: tuple[Mark, ...] = ()
    removed: bool = False  # revoked (or removed) at this step: printed struck through

    @property
    def kinds(self) -> str:
        """CSS modifiers of the marks, e.g. "is-decided is-added"."""
        return " ".join(f"is-{mark.kind}" for mark in self.marks)


@dataclass(frozen=True, slots=True)
class RuleList:
    """One direction of one group (or one ACL)."""

    title: str  # "Inbound rules"
    lines: tuple[RuleLine, ...]
    empty: str  # said when there are no lines
    checked: bool  # this step's packet was judged against these rules
    # Said when the packet met this direction but was settled before its rules were read:
    # "not checked: the reply belongs to tracked connection #1".
    unchecked: str = ""


@dataclass(frozen=True, slots=True)
class GroupPanel:
    group_id: str
    name: str
    description: str
    lists: tuple[RuleList, RuleList]  # inbound, outbound


@dataclass(frozen=True, slots=True)
class NaclPanel:
    acl_id: str
    subnet_id: str
    lists: tuple[RuleList, RuleList]  # inbound, outbound, lowest rule number first


@dataclass(frozen=True, slots=True)
class Outcome:
    """How the rules of one interface settled the packet, in one sentence."""

    kind: str  # "rule", "no-match", "no-rules", "state", "exempt", "nacl", "capacity", "blocked"
    allowed: bool
    words: str

    @property
    def glyph(self) -> str:
        return "✓" if self.allowed else "✗"


@dataclass(frozen=True, slots=True)
class InterfacePanel:
    instance: str
    heading: str  # "web server (10.0.1.10): sg-… (web-server)"
    direction: str  # "inbound" / "outbound": how the packet met it; "" before any packet
    outcome: Outcome | None
    groups: tuple[GroupPanel, ...]
    nacl: NaclPanel | None


@dataclass(frozen=True, slots=True)
class RulesPanel:
    number: int  # the frame: 0 before the first packet
    interfaces: tuple[InterfacePanel, ...]
    changes: tuple[str, ...]  # "Authorized …": the timeline's changes shown at this step


# ---------------------------------------------------------------------------------------------
# Plain words


def traffic_words(protocol: int, low: int | None, high: int | None) -> str:
    """``TCP to port 80``, ``UDP on every port``, ``ICMP echo request``, ``all traffic``."""
    if protocol == ALL_PROTOCOLS:
        return "all traffic"
    name = PROTOCOL_NAMES.get(protocol, "").upper().replace("V6", "v6")
    if protocol in (TCP, UDP):
        if low is None or low < 0 or (low == 0 and high == 65535):
            return f"{name} on every port"
        return f"{name} to port {low}" if low == high else f"{name} to ports {low}–{high}"
    if protocol in (ICMP, ICMPV6):
        if low is None or low < 0:
            return f"all {name}"
        kind = ICMP_TYPE_NAMES.get((protocol, low), f"type {low}")
        return f"{name} {kind}" if high is None or high < 0 else f"{name} {kind}, code {high}"
    return f"protocol {protocol} traffic"


def peer_words(peer: Peer | Cidr, labels: Mapping[str, str], group_names: Mapping[str, str]) -> str:
    if isinstance(peer, PrefixListRef):
        return f"the addresses of prefix list {peer.prefix_list_id}"
    if isinstance(peer, GroupRef):
        name = group_names.get(peer.group_id)
        return f"instances in {peer.group_id}" + (f" ({name})" if name else "")
    if peer.is_everything:
        return f"anywhere on IPv{peer.version} ({peer})"
    if peer.prefixlen == (32 if peer.version == 4 else 128):
        address = str(peer).split("/")[0]
        return _address_words(address, labels) if address in labels else f"the single address {address}"
    return f"any address in {peer}"


def _address_words(address: str, labels: Mapping[str, str]) -> str:
    label = labels.get(address)
    return f"{label} ({address})" if label else address


def rule_words(rule: Rule, labels: Mapping[str, str], group_names: Mapping[str, str]) -> str:
    what = traffic_words(rule.protocol, rule.from_port, rule.to_port)
    if rule.direction == Direction.INGRESS:
        return f"Lets in {what} from {peer_words(rule.peer, labels, group_names)}"
    return f"Lets out {what} to {peer_words(rule.peer, labels, group_names)}"


def nacl_words(entry: NaclEntry, labels: Mapping[str, str]) -> str:
    number = "*" if entry.rule_number >= LAST_NACL_RULE else str(entry.rule_number)
    verb = "allows" if entry.action == NaclAction.ALLOW else "denies"
    if entry.protocol in (ICMP, ICMPV6):
        what = traffic_words(entry.protocol, entry.icmp_type, entry.icmp_code)
    else:
        what = traffic_words(entry.protocol, entry.port_from, entry.port_to)
    where = f"out to {peer_words(entry.cidr, labels, {})}" if entry.egress else f"in from {peer_words(entry.cidr, labels, {})}"
    return f"Rule {number} {verb} {what} {where}"


ICMP_PORT_FIELDS = {"FromPort": "FromPort (ICMP type)", "ToPort": "ToPort (ICMP code)"}  # AWS reuses the port fields


def _terms(fields: dict, skip: Iterable[str], icmp: bool) -> tuple[Term, ...]:
    """AWS's fields as (name, value) pairs, nested objects flattened (``PortRange.From``)."""
    terms: list[Term] = []
    for name, value in fields.items():
        if name in skip:
            continue
        if isinstance(value, dict):
            terms.extend(Term(f"{name}.{key}", str(inner)) for key, inner in value.items())
        else:
            terms.append(Term(ICMP_PORT_FIELDS.get(name, name) if icmp else name, str(value)))
    return tuple(terms)


# Terms depend on the rule alone, a frozen value: kept across scenarios, so a draft Run again
# after an edit re-reads only the rules that changed.
TERMS_CACHED = 4096


@lru_cache(maxsize=TERMS_CACHED)
def rule_terms(rule: Rule) -> tuple[Term, ...]:
    skip = ("SecurityGroupRuleId", "GroupId", "IsEgress", "Description")
    return _terms(rule_to_aws(rule), skip, rule.protocol in (ICMP, ICMPV6))


@lru_cache(maxsize=TERMS_CACHED)
def nacl_terms(entry: NaclEntry) -> tuple[Term, ...]:
    return _terms(nacl_entry_to_aws(entry), ("Egress",), False)


# ---------------------------------------------------------------------------------------------
# The rules in effect as the timeline plays


def _same_rule(a: Rule, b: Rule) -> bool:
    """AWS identifies a rule by what it allows, not by its description (as the engine does)."""
    return (a.protocol, a.from_port, a.to_port, a.peer) == (b.protocol, b.from_port, b.to_port, b.peer)


def _same_slot(a: NaclEntry, b: NaclEntry) -> bool:
    """An ACL entry is identified by its number and direction: adding over one replaces it."""
    return (a.rule_number, a.egress) == (b.rule_number, b.egress)


def _container(change: RuleChange | NaclChange) -> tuple:
    """Which list a change edits: a group's rules of one direction, or an ACL's entries."""
    return (change.group_id, change.direction) if isinstance(change, RuleChange) else (change.acl_id,)


def _removes(change: RuleChange | NaclChange) -> tuple:
    if isinstance(change, RuleChange):
        return change.rules if change.action == ChangeAction.REVOKE else ()
    return (change.entry,)  # add replaces the entry in its slot; remove removes it


def _adds(change: RuleChange | NaclChange) -> tuple:
    if isinstance(change, RuleChange):
        return change.rules if change.action == ChangeAction.AUTHORIZE else ()
    return (change.entry,) if change.action == ChangeAction.ADD else ()


class _Book:
    """The groups' rules and the ACLs' entries at one point of the timeline (private, mutable)."""

    def __init__(self, scenario: Scenario) -> None:
        self.lists: dict[tuple, list] = {}
        # Bumped on each change to a list: a list at one version reads the same at every step.
        self.versions: dict[tuple, int] = {}
        for g in scenario.security_groups:
            self.lists[(g.group_id, Direction.INGRESS)] = list(g.ingress)
            self.lists[(g.group_id, Direction.EGRESS)] = list(g.egress)
        for acl in scenario.network_acls:
            self.lists[(acl.acl_id,)] = list(acl.entries)

    def copy(self) -> _Book:
        other = object.__new__(_Book)
        other.lists = {container: list(items) for container, items in self.lists.items()}
        other.versions = dict(self.versions)
        return other

    def get(self, container: tuple) -> list:
        return self.lists.get(container, [])

    def apply(self, change: RuleChange | NaclChange) -> None:
        container = _container(change)
        self.versions[container] = self.versions.get(container, 0) + 1
        current = self.lists.setdefault(container, [])
        same = _same_rule if isinstance(change, RuleChange) else _same_slot
        current[:] = [item for item in current if not any(same(item, gone) for gone in _removes(change))]
        current.extend(item for item in _adds(change) if not any(same(item, kept) for kept in current))


def rules_in_effect(scenario: Scenario, results: Sequence[PacketResult | ChangeResult], indexes: Iterable[int]) -> dict[int, Mapping[tuple, tuple]]:
    """For the packets at these timeline indexes, the lists in effect when each was judged,
    keyed by ``(group_id, Direction)`` for a group's rules and ``(acl_id,)`` for an ACL's entries."""
    wanted = set(indexes)
    book = _Book(scenario)
    effect: dict[int, Mapping[tuple, tuple]] = {}
    for result in results:
        if isinstance(result, ChangeResult):
            book.apply(result.entry.change)
        elif result.index in wanted:
            effect[result.index] = {container: tuple(items) for container, items in book.lists.items()}
    return effect


@dataclass(frozen=True, slots=True)
class _Row:
    item: Rule | NaclEntry
    change: Mark | None = None
    removed: bool = False


def _change_mark(adding: bool, after_packet: bool) -> Mark:
    when = "after this packet" if after_packet else "before this packet"
    return Mark("added", "+", f"added {when}") if adding else Mark("removed", "−", f"removed {when}")


def _rows(prior: list, container: tuple, shown: Sequence[tuple[RuleChange | NaclChange, bool]]) -> list[_Row]:
    """A list as the step shows it: as it was before the step's changes, what they removed
    struck through, what they added appended."""
    rows = [_Row(item) for item in prior]
    for change, after_packet in shown:
        if _container(change) != container:
            continue
        same = _same_rule if isinstance(change, RuleChange) else _same_slot
        for gone in _removes(change):
            rows = [_Row(r.item, _change_mark(False, after_packet), True) if not r.removed and same(r.item, gone) else r for r in rows]
        rows.extend(_Row(item, _change_mark(True, after_packet)) for item in _adds(change))
    return rows


# ---------------------------------------------------------------------------------------------
# What decided


@dataclass(frozen=True, slots=True)
class _Side:
    """The events of one packet on one interface (a packet between two instances has two)."""

    instance: str
    direction: Direction
    events: tuple[StepEvent, ...]
    first: int  # index of events[0] in the packet's steps


def _sides(result: PacketResult) -> tuple[_Side, ...]:
    sides: list[_Side] = []
    start = 0
    for i, event in enumerate(result.steps + (None,)):
        head = result.steps[start]
        if event is None or (event.instance, event.direction) != (head.instance, head.direction):
            sides.append(_Side(head.instance, head.direction, result.steps[start:i], start))
            start = i
    return tuple(sides)


def _check(event: StepEvent) -> str:
    """The node's name within its lane: ``rules_ok`` for ``in.rules_ok``."""
    return event.node.split(".", 1)[1]


def _allowed(side: _Side) -> bool:
    """Did the packet get past this interface (its allow node; a record node may follow)?"""
    return any(_check(event) == "allow" for event in side.events)


def _settling(side: _Side, result: PacketResult) -> int:
    """Index (in the packet's steps) of the decision that settled this side: the packet's own
    deciding step on its deciding side; elsewhere the last Yes that let it through, or the last
    decision asked before a drop."""
    last = side.first + len(side.events)
    if side.first <= result.deciding_step < last:
        return result.deciding_step
    if _allowed(side):
        return max(side.first + i for i, e in enumerate(side.events) if e.answer and _check(e) in ALLOWING_CHECKS)
    return max(side.first + i for i, e in enumerate(side.events) if e.answer is not None)


def _rules_read(side: _Side) -> bool:
    """Were this side's security group rules read for the packet? The engine visits the rules
    nodes when they were; with no rules at all it skips them and the connection state's No
    drops the packet, the empty lists having left nothing else to allow it."""
    return any(_check(event) == "rules_ok" or (_check(event) == "state_ok" and event.answer is False) for event in side.events)


def _why_unread(side: _Side, found: tuple[int, TableChange] | None) -> str:
    """Why this side's rules were not read, from the check that settled the packet first;
    ``found``: the tracked connection that let it through here, numbered as the table shows it."""
    for event in side.events:
        check = _check(event)
        if check == "exempt" and event.answer:
            return "not checked: AWS never filters this traffic"
        if check == "nacl_ok" and event.answer is False:
            return "not reached: the network ACL denied it first"
        if check == "state_ok" and event.answer:
            if found is None:  # denied by the outbound ACL before the connection was used
                return "not checked: it belongs to a tracked connection"
            number, change = found
            if change.kind == TableChangeKind.RELATED:
                return f"not checked: it is an ICMP error about tracked connection #{number}"
            reply = change.connection.initiated_inbound != (side.direction == Direction.INGRESS)
            return f"not checked: the {'reply' if reply else 'packet'} belongs to tracked connection #{number}"
    return ""


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _outcome(side: _Side, result: PacketResult, settling: StepEvent, labels: Mapping[str, str], group_names: Mapping[str, str]) -> Outcome:
    check = _check(settling)
    word = "inbound" if side.direction == Direction.INGRESS else "outbound"
    allowed = _allowed(side)
    packet = result.packet
    remote = packet.src if side.direction == Direction.INGRESS else packet.dst
    if check == "exempt":
        return Outcome("exempt", True, "Never filtered: AWS applies no rule to this traffic")
    if check == "state_ok" and settling.answer:
        return Outcome("state", True, f"No rule needed: it belongs to a tracked connection (see the connection table), so the {word} rules are not checked")
    if check == "state_ok":
        return Outcome("no-rules", False, NO_RULES[side.direction])
    if check == "nacl_ok":
        return Outcome("nacl", False, f"Denied by the network ACL: {nacl_words(settling.matched, labels)}")
    if check == "capacity":
        return Outcome("capacity", False, "A rule allows it, but the connection tracking table is full: no new connection can be recorded")
    if check == "smtp":
        return Outcome("blocked", False, "A rule allows it, but EC2 blocks outbound mail on TCP port 25")
    if settling.answer:
        return Outcome("rule", allowed, f"Allowed by the {word} rule that {_lower_first(rule_words(settling.matched, labels, group_names))}")
    towards = "from" if side.direction == Direction.INGRESS else "to"
    return Outcome("no-match", False, f"No rule matched: no {word} rule allows {what_is_asked(packet)} {towards} {_address_words(str(remote), labels)}")


def _matched_marks(side: _Side, result: PacketResult) -> dict[object, Mark]:
    """The rule or ACL entry each check on this side matched, with its mark: "decided" for the
    packet's deciding check, "matched" for a check that only let it pass here."""
    marks: dict[object, Mark] = {}
    for offset, event in enumerate(side.events):
        if event.matched is None:
            continue
        if side.first + offset != result.deciding_step:
            marks[event.matched] = Mark("matched", "✓", "matched: let it through here")
        elif isinstance(event.matched, NaclEntry) and event.matched.action == NaclAction.DENY:
            marks[event.matched] = Mark("decided", "✗", "decided: denied this packet")
        else:
            marks[event.matched] = Mark("decided", "▶", "decided: allowed this packet")
    return marks


# ---------------------------------------------------------------------------------------------
# Building the panels


@dataclass(frozen=True, slots=True)
class _Context:
    """What every panel of one scenario reads, and what they share.

    A big scenario shows hundreds of rules at hundreds of steps, nearly all of them unmarked
    and unchanged from one step to the next: each rule is worded once (``plain``), and a
    group's list with nothing marked is built once per version of that list (``unmarked``)
    and shared by every step that shows it so.
    """

    scenario: Scenario
    group_names: Mapping[str, str]
    instances: Mapping[str, Instance]
    acl_of_subnet: Mapping[str, str]
    plain: dict = field(default_factory=dict)  # rule or ACL entry -> its RuleLine without marks
    unmarked: dict = field(default_factory=dict)  # (container, version) -> (lines, the rules in them)


def _context(scenario: Scenario) -> _Context:
    default = next((acl.acl_id for acl in scenario.network_acls if acl.is_default), "")
    by_subnet = {subnet_id: acl.acl_id for acl in scenario.network_acls for subnet_id in acl.subnet_ids}
    # Which ACL each subnet uses, as the engine resolves it: its association, else the
    # scenario's default ACL, else AWS's default ("" here), which allows everything.
    acl_of_subnet = {s.subnet_id: by_subnet.get(s.subnet_id, default) for s in scenario.subnets}
    return _Context(
        scenario,
        {g.group_id: g.name for g in scenario.security_groups if g.name},
        {i.name: i for i in scenario.instances},
        acl_of_subnet,
    )


def _plain_line(item: Rule | NaclEntry, ctx: _Context) -> RuleLine:
    line = ctx.plain.get(item)
    if line is None:
        labels = ctx.scenario.labels
        if isinstance(item, Rule):
            line = RuleLine(rule_words(item, labels, ctx.group_names), rule_terms(item), item.description or "")
        else:
            line = RuleLine(nacl_words(item, labels), nacl_terms(item), "")
        ctx.plain[item] = line
    return line


def _lines(rows: list[_Row], marks: Mapping, ctx: _Context) -> tuple[RuleLine, ...]:
    lines = []
    for row in rows:
        line = _plain_line(row.item, ctx)
        found = () if row.removed else tuple(m for matched, m in marks.items() if matched == row.item)
        if found or row.change or row.removed:
            line = replace(line, marks=found + ((row.change,) if row.change else ()), removed=row.removed)
        lines.append(line)
    return tuple(lines)


def _unmarked(container: tuple, book: _Book, ctx: _Context) -> tuple[tuple[RuleLine, ...], frozenset]:
    key = (container, book.versions.get(container, 0))
    if key not in ctx.unmarked:
        items = book.get(container)
        ctx.unmarked[key] = (_lines([_Row(item) for item in items], {}, ctx), frozenset(items))
    return ctx.unmarked[key]


def _group_panel(group_id: str, book: _Book, shown, marks, met: Direction | None, read: bool, unread: str, ctx: _Context) -> GroupPanel:
    """``met``: the direction the packet met the group in; ``read``: whether its rules were
    read then; ``unread``: else why not."""
    group = next((g for g in ctx.scenario.security_groups if g.group_id == group_id), None)

    def rule_list(direction: Direction) -> RuleList:
        container = (group_id, direction)
        lines, members = _unmarked(container, book, ctx)
        if any(_container(change) == container for change, _ in shown) or not members.isdisjoint(marks):
            lines = _lines(_rows(book.get(container), container, shown), marks, ctx)
        title = f"{'Inbound' if direction == Direction.INGRESS else 'Outbound'} rules"
        if met != direction:
            return RuleList(title, lines, NO_RULES[direction], False)
        return RuleList(title, lines, NO_RULES[direction], read, "" if read else unread)

    return GroupPanel(group_id, group.name if group else "", group.description if group else "", (rule_list(Direction.INGRESS), rule_list(Direction.EGRESS)))


def _nacl_panel(instance: Instance, book: _Book, shown, marks, checked: Direction | None, ctx: _Context) -> NaclPanel | None:
    if not ctx.scenario.network_acls or instance.subnet is None:
        return None
    acl_id = ctx.acl_of_subnet.get(instance.subnet, "")
    container = (acl_id,)
    prior = book.get(container) if container in book.lists else list(DEFAULT_NACL_ENTRIES)
    rows = _rows(prior, container, shown)
    # Every ACL ends with the "*" deny, written in the scenario or not (IPv6's where it applies).
    families = {4} | ({6} if instance.ipv6 is not None or any(e.cidr.version == 6 for e in prior) else set())
    for egress in (False, True):
        for version in sorted(families):
            last = implicit_deny(version, egress)
            if not any(_same_slot(row.item, last) for row in rows):
                rows.append(_Row(last))
    rows.sort(key=lambda row: row.item.rule_number)

    def entry_list(egress: bool) -> RuleList:
        lines = _lines([r for r in rows if r.item.egress == egress], marks, ctx)
        direction = Direction.EGRESS if egress else Direction.INGRESS
        title = f"{'Outbound' if egress else 'Inbound'} entries, lowest number first"
        return RuleList(title, lines, "No entries: everything is denied", checked == direction)

    return NaclPanel(acl_id or "the default network ACL", instance.subnet, (entry_list(False), entry_list(True)))


def _heading(instance: Instance, ctx: _Context) -> str:
    label = ctx.scenario.labels.get(str(instance.private_ip))
    name = instance.name if not label or label == instance.name else f"{instance.name}, {label}"
    return f"{name} ({instance.private_ip})"


def _interface(instance: Instance, book: _Book, shown, ctx: _Context, side: _Side | None = None, result: PacketResult | None = None, found: tuple[int, TableChange] | None = None) -> InterfacePanel:
    marks: dict = {}
    outcome = None
    met = nacl_checked = None  # the direction the packet met this interface in
    read, unread = False, ""
    if side is not None and result is not None:
        settling = _settling(side, result)
        marks = _matched_marks(side, result)
        outcome = _outcome(side, result, result.steps[settling], ctx.scenario.labels, ctx.group_names)
        met = side.direction
        nacl_checked = side.direction if any(_check(e) == "nacl_ok" for e in side.events) else None
        read = _rules_read(side)
        unread = "" if read else _why_unread(side, found)
    return InterfacePanel(
        instance=instance.name,
        heading=_heading(instance, ctx),
        direction="" if met is None else ("inbound" if met == Direction.INGRESS else "outbound"),
        outcome=outcome,
        groups=tuple(_group_panel(g, book, shown, marks, met, read, unread, ctx) for g in instance.security_groups),
        nacl=_nacl_panel(instance, book, shown, marks, nacl_checked, ctx),
    )


def _step_panel(step: PacketStep, book: _Book, found: Mapping[tuple[str, Direction], tuple[int, TableChange]], ctx: _Context) -> RulesPanel:
    """The panel after ``step``; ``book`` holds the lists as they were before its changes
    (the packet was judged after ``before``, not after ``after``); ``found``: the tracked
    connections that let the packet through, by side."""
    shown = [(c.entry.change, False) for c in step.before] + [(c.entry.change, True) for c in step.after]
    interfaces = tuple(
        _interface(ctx.instances[side.instance], book, shown, ctx, side, step.result, found.get((side.instance, side.direction)))
        for side in _sides(step.result)
    )
    return RulesPanel(step.number, interfaces, tuple(c.explanation for c in step.before + step.after))


def rules_panels(scenario: Scenario, results: Sequence[PacketResult | ChangeResult]) -> Frames[RulesPanel]:
    """One panel per frame (see the module docstring), each made when first read."""
    ctx = _context(scenario)
    steps = packet_steps(results)
    found = connections_found(steps)
    book = _Book(scenario)
    books = []  # books[k]: the lists before step k + 1's changes, which it is shown from
    kept = book.copy()  # the lists as they stand, shared by every step until the next change
    for step in steps:
        books.append(kept)
        changes = step.before + step.after
        for change in changes:
            book.apply(change.entry.change)
        if changes:  # a copy per change, not per step: most steps of a big timeline change nothing
            kept = book.copy()

    def panel(number: int) -> RulesPanel:
        if not number:
            return RulesPanel(0, tuple(_interface(i, _Book(scenario), (), ctx) for i in scenario.instances), ())
        return _step_panel(steps[number - 1], books[number - 1], found[number - 1], ctx)

    return Frames(len(steps) + 1, panel, keep=PANELS_KEPT)
