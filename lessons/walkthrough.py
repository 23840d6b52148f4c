"""A lesson's Visual mode as data: every step of its scenario, ready to render.

The engine judges the packets; this module only reshapes its results for the page and the
websocket: each step's process-table row, tracker cell and caption (worded by
``sgviz.engine.explain``), the flow-graph nodes and edges the packet visits (from its step
events), and the flowchart laid out in SVG coordinates so that templates only print numbers.
A ``Frame`` is the page at one step; the view and the consumer render the same frames.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, replace
from functools import cached_property

from sgviz.engine import explain
from sgviz.engine.graph import FLOW_GRAPH, FlowGraph, Node, NodeKind
from sgviz.engine.results import ChangeResult, PacketResult, Verdict
from sgviz.engine.scenario import load_scenario
from sgviz.engine.simulation import simulate

from .models import Lesson

NO_CHANGE = "No change"
LANE_TITLES = {"in": "Inbound: a packet arrives", "out": "Outbound: a packet leaves"}


@dataclass(frozen=True, slots=True)
class Step:
    """One packet of the timeline, as the page shows it after that packet (numbered from 1)."""

    number: int
    row: explain.TableRow
    tracker: str
    caption: str
    verdict: Verdict
    nodes: tuple[str, ...]  # flow-graph node ids, in the order the packet visits them
    edges: tuple[str, ...]  # "source>target" keys of the edges it travels, in order
    verdict_node: str  # the allow or drop node that settles it

    @property
    def allowed(self) -> bool:
        return self.verdict == Verdict.ALLOW


@dataclass(frozen=True, slots=True)
class ChartNode:
    id: str
    kind: str  # a NodeKind value, used as a CSS class
    lines: tuple[str, ...]  # the label, wrapped to fit the shape
    verdict_word: str  # "✓ ALLOW" / "✗ DROP" on allow and drop nodes, else ""
    cx: int
    cy: int
    width: int
    height: int

    @property
    def x(self) -> int:
        return self.cx - self.width // 2

    @property
    def y(self) -> int:
        return self.cy - self.height // 2

    @property
    def diamond(self) -> str:
        """The polygon points of a decision node."""
        half_w, half_h = self.width // 2, self.height // 2
        return f"{self.cx},{self.cy - half_h} {self.cx + half_w},{self.cy} {self.cx},{self.cy + half_h} {self.cx - half_w},{self.cy}"

    @property
    def text_lines(self) -> tuple[tuple[int, str], ...]:
        """(baseline y, text) of each label line, the whole block centred on the node."""
        lines = self.lines + ((self.verdict_word,) if self.verdict_word else ())
        first = self.cy - (len(lines) - 1) * LINE_HEIGHT // 2 + BASELINE_SHIFT
        return tuple((first + i * LINE_HEIGHT, line) for i, line in enumerate(lines))


@dataclass(frozen=True, slots=True)
class ChartEdge:
    key: str  # "source>target", as in Step.edges
    label: str  # "Yes" / "No" on decision branches, else ""
    path: str  # SVG path data, drawn from source to target (the packet token follows it)
    label_x: int
    label_y: int
    label_anchor: str  # "start" or "end"


@dataclass(frozen=True, slots=True)
class Lane:
    name: str  # "in" / "out", as FLOW_GRAPH's lanes
    title: str
    width: int
    height: int
    nodes: tuple[ChartNode, ...]
    edges: tuple[ChartEdge, ...]


@dataclass(frozen=True, slots=True)
class Walkthrough:
    steps: tuple[Step, ...]
    tracker_start: str
    lanes: tuple[Lane, ...]

    @property
    def total(self) -> int:
        return len(self.steps)

    def frame(self, number: int) -> Frame:
        if not 0 <= number <= self.total:
            raise ValueError(f"step {number} is outside 0..{self.total}")
        return Frame(self, number)


@dataclass(frozen=True)
class TrackerCell:
    number: int  # 0 is the Start column
    text: str  # "" for a step the player has not reached yet
    current: bool


@dataclass(frozen=True)
class Frame:
    """The Visual mode at one step: 0 is before the first packet, ``total`` after the last."""

    walkthrough: Walkthrough
    number: int

    @property
    def total(self) -> int:
        return self.walkthrough.total

    @property
    def current(self) -> Step | None:
        return self.walkthrough.steps[self.number - 1] if self.number else None

    @property
    def rows(self) -> tuple[Step, ...]:
        return self.walkthrough.steps[: self.number]

    @property
    def tracker(self) -> tuple[TrackerCell, ...]:
        start = TrackerCell(0, self.walkthrough.tracker_start, self.number == 0)
        return (start,) + tuple(
            TrackerCell(step.number, step.tracker if step.number <= self.number else "", step.number == self.number)
            for step in self.walkthrough.steps
        )

    @property
    def caption(self) -> str:
        if self.current:
            return f"Step {self.number} of {self.total}. {self.current.caption}"
        if not self.total:
            return "This lesson's scenario sends no packets yet: there is nothing to step through."
        return f"Step 0 of {self.total}: no packet sent yet. Press Step (or →) to send the first packet."

    @cached_property
    def visited(self) -> frozenset[str]:
        return frozenset(self.current.nodes) if self.current else frozenset()

    @cached_property
    def taken(self) -> frozenset[str]:
        return frozenset(self.current.edges) if self.current else frozenset()

    @property
    def verdict_node(self) -> str:
        return self.current.verdict_node if self.current else ""


def build(document: dict) -> Walkthrough:
    """Run a lesson's scenario document and shape every step for the page.

    Raises ``sgviz.engine.errors.ScenarioError`` when the document is invalid.
    """
    scenario = load_scenario(document)
    labels = scenario.labels
    steps: list[Step] = []
    pending: list[ChangeResult] = []  # rule changes since the last packet: told with the next one
    for result in simulate(scenario).results:
        if isinstance(result, ChangeResult):
            pending.append(result)
            continue
        steps.append(_step(len(steps) + 1, result, pending, labels))
        pending = []
    if pending and steps:  # changes after the last packet are told with the last step
        last = steps[-1]
        steps[-1] = replace(
            last,
            tracker=_joined_cells([last.tracker] + [explain.tracker_cell(change, labels) for change in pending]),
            caption=" ".join([last.caption] + [explain.caption(change, labels) for change in pending]),
        )
    visited = frozenset(node for step in steps for node in step.nodes)
    travelled = frozenset(edge for step in steps for edge in step.edges)
    return Walkthrough(
        steps=tuple(steps),
        tracker_start=explain.tracker_start(scenario),
        lanes=layout(FLOW_GRAPH.subgraph(visited), travelled),
    )


CACHE_SIZE = 256
_walkthroughs: dict[tuple, Walkthrough] = {}
_fragments: dict[tuple, str] = {}


def for_lesson(lesson) -> Walkthrough:
    """The lesson's walkthrough, built once per saved version of the lesson in this process."""
    return _cached(_walkthroughs, (lesson.pk, lesson.updated), lambda: build(lesson.scenario))


def fragment(lesson, name: str, variant: tuple, render) -> str:
    """HTML of a page region made only from the lesson's own fields and its walkthrough,
    rendered once per saved version of the lesson and ``variant`` (such as the step) in this
    process. Saving the lesson changes ``updated``, so an edit is seen at once."""
    return _cached(_fragments, (lesson.pk, lesson.updated, name, *variant), render)


def _cached(cache: dict, key: tuple, make):
    value = cache.get(key)
    if value is None:
        if len(cache) >= CACHE_SIZE:
            cache.clear()
        value = cache[key] = make()
    return value


def _step(number: int, result: PacketResult, changes: list[ChangeResult], labels) -> Step:
    nodes = _without_repeats(event.node for event in result.steps)
    verdict_kind = NodeKind.ALLOW if result.verdict == Verdict.ALLOW else NodeKind.DROP
    return Step(
        number=number,
        row=explain.table_row(result),
        tracker=_tracker_text([*changes, result], labels),
        caption=" ".join(explain.caption(item, labels) for item in [*changes, result]),
        verdict=result.verdict,
        nodes=nodes,
        edges=tuple(f"{a}>{b}" for a, b in zip(nodes, nodes[1:])),
        verdict_node=next(n for n in reversed(nodes) if FLOW_GRAPH.node(n).kind == verdict_kind),
    )


def _tracker_text(results, labels) -> str:
    return _joined_cells([explain.tracker_cell(result, labels) for result in results])


def _joined_cells(cells: list[str]) -> str:
    """Several tracker cells in one column: what changed, or the engine's "No change"."""
    changed = [cell for cell in cells if not cell.startswith(NO_CHANGE)]
    return "; ".join(changed) if changed else cells[-1]


def _without_repeats(node_ids) -> tuple[str, ...]:
    """Node ids with consecutive repeats removed (two events at one node are one stop)."""
    nodes: list[str] = []
    for node in node_ids:
        if not nodes or nodes[-1] != node:
            nodes.append(node)
    return tuple(nodes)


# ---------------------------------------------------------------------------------------------
# Flowchart layout. Each lane is its own SVG, one column of nodes in rank order (so the lanes
# sit side by side on a wide screen and stack on a phone). An edge to the next node in the
# column is a straight line; an edge to a drop node runs down a channel on the right; any
# other edge that skips nodes runs down a channel on the left; an edge into the other lane
# ends in a short stub on the left labelled "next": the packet continues in the other lane.

# Sizes in SVG units; lesson.css sets the labels' font size (.flow-node__text, 18 units). The
# lane is only as wide as its boxes and edge channels need, so that on screen (a lane is about
# 290 px wide at 1280 px) a label is still 16 px or more.
LANE_WIDTH = 320
CENTER_X = 160
LEFT_CHANNEL_X = 16
RIGHT_CHANNEL_X = 304
TOP = 14
GAP = 32
LINE_HEIGHT = 22
BASELINE_SHIFT = 6  # from a line's middle to its baseline, at the label's font size
BOX_WIDTH = 240
BOX_HEIGHT = 48
DECISION_WIDTH = 256
BOX_WRAP = 20  # characters per line that fit a box at the chart's font size
DECISION_WRAP = 13  # a diamond is narrower where the text sits
VERDICT_WORDS = {NodeKind.ALLOW: "✓ ALLOW", NodeKind.DROP: "✗ DROP"}


def layout(graph: FlowGraph, travelled: frozenset[str]) -> tuple[Lane, ...]:
    """Lay the chart out, drawing only the edges some packet of the lesson travels.

    The subgraph of visited nodes also holds edges no packet takes (a decision's second "No"
    branch, the hop between instances); drawing them would show paths the lesson never uses.
    """
    lanes = []
    for name in dict.fromkeys(node.lane for node in graph.nodes):
        nodes = _place(sorted((n for n in graph.nodes if n.lane == name), key=lambda n: n.rank))
        edges = tuple(
            _route(edge.source, edge.target, edge.label or "", nodes)
            for edge in graph.edges
            if f"{edge.source}>{edge.target}" in travelled and edge.source in nodes
        )
        height = max(node.y + node.height for node in nodes.values()) + TOP
        lanes.append(Lane(name, LANE_TITLES.get(name, name), LANE_WIDTH, height, tuple(nodes.values()), edges))
    return tuple(lanes)


def _place(nodes: list[Node]) -> dict[str, ChartNode]:
    placed: dict[str, ChartNode] = {}
    top = TOP
    for node in nodes:
        decision = node.kind == NodeKind.DECISION
        lines = tuple(textwrap.wrap(node.label, DECISION_WRAP if decision else BOX_WRAP))
        verdict_word = VERDICT_WORDS.get(node.kind, "")
        text_lines = len(lines) + (1 if verdict_word else 0)
        height = (48 + LINE_HEIGHT * len(lines)) if decision else max(BOX_HEIGHT, 20 + LINE_HEIGHT * text_lines)
        placed[node.id] = ChartNode(
            id=node.id,
            kind=node.kind.value,
            lines=lines,
            verdict_word=verdict_word,
            cx=CENTER_X,
            cy=top + height // 2,
            width=DECISION_WIDTH if decision else BOX_WIDTH,
            height=height,
        )
        top += height + GAP
    return placed


def _route(source_id: str, target_id: str, label: str, nodes: dict[str, ChartNode]) -> ChartEdge:
    key = f"{source_id}>{target_id}"
    source = nodes[source_id]
    order = list(nodes)
    target = nodes.get(target_id)
    if target is None:  # into the other lane
        path = f"M{source.x},{source.cy} H{LEFT_CHANNEL_X - 16}"
        return ChartEdge(key, label or "next", path, source.x - 6, source.cy - 8, "end")
    if order.index(target_id) == order.index(source_id) + 1:
        bottom = source.cy + source.height // 2
        path = f"M{source.cx},{bottom} V{target.y}"
        return ChartEdge(key, label, path, source.cx + 8, bottom + 15, "start")
    to_right = target.kind == NodeKind.DROP.value
    side = 1 if to_right else -1
    start_x = source.cx + side * source.width // 2
    channel = RIGHT_CHANNEL_X if to_right else LEFT_CHANNEL_X
    end_x = target.cx + side * target.width // 2
    path = f"M{start_x},{source.cy} H{channel} V{target.cy} H{end_x}"
    return ChartEdge(key, label, path, start_x + side * 6, source.cy - 7, "start" if to_right else "end")


def visible_lessons(user):
    """The lessons a user may open: published ones, and drafts too for staff (the admin's preview)."""
    return Lesson.objects.all() if user.is_staff else Lesson.objects.published()
