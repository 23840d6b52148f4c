"""The connection-table panel: the engine's tracked connections at each step.

Rows come from ``Run.tables`` (the table after each timeline entry, indexed, never copied);
what happened to them at a step comes from the packet's ``TableChange`` events (recorded,
used, related, closed, expired). Each connection gets a number when it is recorded, kept
for its life, so that the row, the flowchart's "Record Connection State" node where it
appeared and the "Check Connection State" node that found it later show the same ``#n``:
the eye follows one connection from one lane to the other.

``connections_panels(scenario, run)`` gives one ``ConnectionsPanel`` per frame: index 0
before the first packet (a simulation starts with empty tables), index k after packet k.
Frozen data: a template only prints it.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from typing import Mapping

from sgviz.engine.addresses import Cidr
from sgviz.engine.explain import describe_rule, protocol_name
from sgviz.engine.model import ALL_PROTOCOLS, TCP, UDP, Direction, Rule, Scenario
from sgviz.engine.results import Connection, PacketResult, Run, StepEvent, TableChange, TableChangeKind, Verdict

from .rules import rules_in_effect
from .timeline import PANELS_KEPT, Frames, PacketStep, connection_identity, packet_steps

EMPTY = "No tracked connections: the table is empty."
# The rows a panel shows at most: the ones this step touched first, then the latest others.
# More would not be read on a screen, and a frame stays small whatever the scenario's size.
MOST_ROWS = 12
# The flowchart nodes a connection's number shows on: where it is recorded, and the lane's
# "Check Connection State", where a later packet finds it (``_chart_node``).
CHART_NODES = frozenset(f"{lane}.{node}" for lane in ("in", "out") for node in ("record", "state"))
DAY = 86400


@dataclass(frozen=True, slots=True)
class Mark:
    kind: str  # "recorded", "used", "related", "closed", "expired": a CSS modifier
    glyph: str
    words: str


@dataclass(frozen=True, slots=True)
class ConnectionRow:
    number: int
    instance: str  # whose table
    protocol: str  # "tcp"
    initiator: str  # "IP A 198.51.100.10:50000": the side that opened it
    responder: str  # "web server 10.0.1.10:80"
    opened: str  # "inbound: IP A opened it"
    state: str  # "new", "established", "stream", "closing", "tracked"
    timeout_left: str  # "120 s", "432000 s (5 days)"
    mark: Mark | None = None
    gone: bool = False  # expired at this step: printed struck through

    @property
    def marker(self) -> str:
        return f"#{self.number}"


@dataclass(frozen=True, slots=True)
class ChartMark:
    """A connection's number on a flowchart node at this step."""

    node: str  # a FLOW_GRAPH node id: in.record / out.record, in.state / out.state
    number: int
    words: str  # "#1 recorded", "#1 found"


@dataclass(frozen=True, slots=True)
class ConnectionsPanel:
    number: int  # the frame
    rows: tuple[ConnectionRow, ...]
    empty: str  # said when there are no rows
    hidden: str  # "488 more tracked connections not shown", or ""
    untracked: str  # "Not recorded: untracked flow. …", or ""
    chart_marks: tuple[ChartMark, ...]
    several_tables: bool  # the scenario has more than one interface: rows say whose table

    @property
    def chart_data(self) -> str:
        """``in.record:1 out.state:1``: the marks for a script to draw on the chart."""
        return " ".join(f"{mark.node}:{mark.number}" for mark in self.chart_marks)

    @property
    def chart_numbers(self) -> dict[str, int]:
        """The number each marked node shows (the first, should two connections meet one node)."""
        numbers: dict[str, int] = {}
        for mark in self.chart_marks:
            numbers.setdefault(mark.node, mark.number)
        return numbers


def duration_words(seconds: float) -> str:
    whole = max(0, round(seconds))
    if whole < DAY:
        return f"{whole} s"
    days = whole / DAY
    return f"{whole} s ({days:g} day{'s' if days != 1 else ''})" if days == int(days) else f"{whole} s (about {round(days, 1):g} days)"


def _end(address: str, endpoint: str, labels: Mapping[str, str]) -> str:
    label = labels.get(address)
    return f"{label} {endpoint}" if label else endpoint


def _row(number: int, connection: Connection, now: float, labels: Mapping[str, str], mark: Mark | None = None, gone: bool = False) -> ConnectionRow:
    local = _end(connection.local_ip, connection.local, labels)
    remote = _end(connection.remote_ip, connection.remote, labels)
    initiator, responder = (remote, local) if connection.initiated_inbound else (local, remote)
    opener = labels.get(connection.remote_ip if connection.initiated_inbound else connection.local_ip) or initiator
    way = "inbound" if connection.initiated_inbound else "outbound"
    return ConnectionRow(
        number=number,
        instance=connection.instance,
        protocol=protocol_name(connection.protocol),
        initiator=initiator,
        responder=responder,
        opened=f"{way}: {opener} opened it",
        state=connection.state,
        timeout_left="gone" if gone else duration_words(connection.expires_at - now),
        mark=mark,
        gone=gone,
    )


def _change_mark(change: TableChange, direction: Direction | None) -> Mark | None:
    """How a row shows what happened to it; None for ESTABLISHED, which accompanies USED and
    says nothing the State column does not."""
    kind = change.kind
    if kind == TableChangeKind.RECORDED:
        return Mark("recorded", "+", "recorded at this step")
    if kind == TableChangeKind.USED:
        reply = direction is not None and change.connection.initiated_inbound != (direction == Direction.INGRESS)
        return Mark("used", "▶", f"found: let this {'reply' if reply else 'packet'} through")
    if kind == TableChangeKind.RELATED:
        return Mark("related", "▶", "found: let its ICMP error through")
    if kind == TableChangeKind.CLOSED:
        return Mark("closed", "▶", "found: let it through, now closing")
    if kind == TableChangeKind.EXPIRED:
        return Mark("expired", "−", "expired: idle past its timeout")
    return None


def _chart_node(event: StepEvent, kind: TableChangeKind) -> str:
    """Where on the chart a change shows: the record node where it was recorded, the lane's
    "Check Connection State" node where it was found."""
    lane = event.node.split(".", 1)[0]
    return f"{lane}.record" if kind == TableChangeKind.RECORDED else f"{lane}.state"


def _covers_every_port(rule: Rule) -> bool:
    if rule.protocol not in (TCP, UDP):
        return True  # ports are not looked at
    return rule.from_port is None or (rule.from_port <= 0 and rule.to_port == 65535)


def _untracked_words(result: PacketResult, scenario: Scenario, rules: Mapping[tuple, tuple]) -> str:
    """Why the packet's flow is not recorded, from the rules in effect: the rule that allowed
    it admits every address, and the other direction lets everything through to every address
    (AWS: such a flow is not tracked; its replies pass by the rules, not by state)."""
    rule = result.rule
    step = result.steps[result.deciding_step]
    instance = next(i for i in scenario.instances if i.name == step.instance)
    other = Direction.EGRESS if step.direction == Direction.INGRESS else Direction.INGRESS
    version = result.packet.src.version
    back = next(
        (
            r
            for group in instance.security_groups
            for r in rules.get((group, other), ())
            if isinstance(r.peer, Cidr) and r.peer.is_everything and r.peer.version == version
            and r.protocol in (ALL_PROTOCOLS, result.packet.protocol) and _covers_every_port(r)
        ),
        None,
    )
    words = "Not recorded: untracked flow."
    if isinstance(rule, Rule) and back is not None:
        way = "inbound" if step.direction == Direction.INGRESS else "outbound"
        return (
            f"{words} The {way} rule “{describe_rule(rule)}” ({rule.group_id}) and the rule “{describe_rule(back)}” "
            f"({back.group_id}) together allow every address both ways, so AWS keeps no state for it: "
            "each of its packets is judged by the rules."
        )
    return f"{words} Its rules allow every address both ways, so AWS keeps no state for it: each of its packets is judged by the rules."


@dataclass(frozen=True, slots=True)
class _Told:
    """What one packet did to the table, from its events alone (the table itself is read
    only when the frame is made)."""

    step: PacketStep
    numbers: Mapping[tuple, int]  # the live connections' numbers after this packet
    gone: tuple[tuple[int, TableChange], ...]  # expired since the previous packet, with their numbers
    marks: Mapping[tuple, Mark]
    touched: Mapping[tuple, Connection]  # as the table holds them after this packet
    chart: tuple[ChartMark, ...]


def _told(steps: tuple[PacketStep, ...]) -> list[_Told]:
    """Numbers each connection as it is recorded, in timeline order: the one pass every
    frame depends on."""
    numbers: dict[tuple, int] = {}  # live connections by identity
    counter = 0
    told = []
    for step in steps:
        result = step.result
        # Connections that timed out since the previous packet: reported by the changes in
        # between and by this packet (``changes`` / ``expired``).
        expired = [change for before in step.before for change in before.changes] + list(result.expired)
        gone = tuple((numbers.pop(connection_identity(change.connection)), change) for change in expired)
        marks: dict[tuple, Mark] = {}
        touched: dict[tuple, Connection] = {}
        chart: list[ChartMark] = []
        for event in result.steps:
            for change in event.changes:
                identity = connection_identity(change.connection)
                if change.kind == TableChangeKind.RECORDED:
                    counter += 1
                    numbers[identity] = counter
                mark = _change_mark(change, event.direction)
                if mark is None:
                    continue
                marks.setdefault(identity, mark)
                touched[identity] = change.connection
                words = "recorded" if change.kind == TableChangeKind.RECORDED else "found"
                chart.append(ChartMark(_chart_node(event, change.kind), numbers[identity], f"#{numbers[identity]} {words}"))
        told.append(_Told(step, dict(numbers), gone, marks, touched, tuple(chart)))
    return told


def connections_panels(scenario: Scenario, run: Run) -> Frames[ConnectionsPanel]:
    """One panel per frame (see the module docstring), each made when first read."""
    labels = scenario.labels
    several = len(scenario.instances) > 1
    steps = packet_steps(run.results)
    told = _told(steps)
    untracked_at = {s.index for s in steps if s.result.verdict == Verdict.ALLOW and s.result.tracked is False}
    books = rules_in_effect(scenario, run.results, untracked_at)

    def panel(number: int) -> ConnectionsPanel:
        if not number:
            return ConnectionsPanel(0, (), EMPTY, "", "", (), several)
        step = told[number - 1]
        numbers, result = step.numbers, step.step.result
        table = run.tables[step.step.index]
        # The connections this step touched, then the latest others, found from the table's end
        # without reading all of it.
        room = max(0, MOST_ROWS - len(step.touched) - len(step.gone))
        latest = islice((c for c in reversed(table) if connection_identity(c) not in step.touched), room)
        live = sorted([*step.touched.values(), *latest], key=lambda c: numbers[connection_identity(c)])[:MOST_ROWS]
        rows = [_row(numbers[connection_identity(c)], c, result.at, labels, step.marks.get(connection_identity(c))) for c in live]
        rows += [_row(n, change.connection, result.at, labels, _change_mark(change, None), gone=True) for n, change in step.gone]
        hidden = len(table) - len(live)
        more = f"{hidden} more tracked connection{'s' if hidden != 1 else ''} not shown" if hidden else ""
        untracked = _untracked_words(result, scenario, books[step.step.index]) if step.step.index in books else ""
        return ConnectionsPanel(number, tuple(rows[:MOST_ROWS]), EMPTY, more, untracked, step.chart, several)

    return Frames(len(steps) + 1, panel, keep=PANELS_KEPT)
