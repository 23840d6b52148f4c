"""The flowchart laid out in SVG coordinates, so that templates only print numbers. Pure.

Each lane is its own SVG, one column of nodes in rank order (so the lanes sit side by side on
a wide screen and stack on a phone). An edge to the next node in the column is a straight
line; an edge to a drop node runs down a channel on the right; any other edge that skips
nodes runs down a channel on the left; an edge into the other lane ends in a short stub on
the left labelled "next": the packet continues in the other lane.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from sgviz.engine import FlowGraph, Node, NodeKind

LANE_TITLES = {"in": "Inbound: a packet arrives", "out": "Outbound: a packet leaves"}


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
