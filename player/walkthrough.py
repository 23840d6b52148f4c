"""A scenario's walkthrough: every step of its run, each shaped for the page when first read.

Built from a scenario *document*, whatever it comes from (a lesson, a lesson's mode, a stored
sandbox scenario, a class), validated by the engine, and cached by the content hash of the
canonical document and the engine's parameters: two sources holding the same scenario share
one walkthrough and one set of rendered fragments. The engine judges the packets;
``sgviz.narration.visual`` words them; ``layout`` draws the chart. A ``Frame`` is the player
at one step; the page and the consumer render the same frames.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass, replace
from functools import cached_property
from threading import Lock
from typing import Sequence

from sgviz.engine import (
    FLOW_GRAPH, NodeKind, PacketResult, Parameters, ScenarioError, Validation, Verdict, simulate, validate_scenario,
)
from sgviz.engine.results import Run
from sgviz.narration import visual
from sgviz.narration.connections import CHART_NODES, ConnectionsPanel, connections_panels
from sgviz.narration.rules import RulesPanel, rules_panels
from sgviz.narration.timeline import Frames, PacketStep, packet_steps

from .layout import Lane, layout

CACHE_SIZE = 256  # rendered fragments kept (strings: cheap to keep, never scanned by the collector)
# The checked cache keeps each content's engine run with all that is made from it (its
# walkthrough, the sandbox's analysis: see ``Checked.derived``): thousands of small objects
# for a big scenario, and every full garbage collection scans all that are kept, stalling
# every socket of the process meanwhile. Bounded by a count of contents (64), it let 64 big
# sandbox drafts make collections of 260 ms (898,879 objects scanned, benchmarks/try.py). So
# it is bounded by what its contents keep, in tracked objects, estimated from each content's
# size when it is checked (``Checked.objects``), and forgets the least recently used first:
# a classroom's lessons stay while big drafts come and go. 60,000 is three drafts like
# benchmarks/try.py's (17,300 each: 5 groups of 60 rules, 200 packets) or about a hundred
# lessons (540 to 1,100 each). The estimates run 10 to 80 % above what is kept, so the cache
# holds about 45,000 objects at most: during benchmarks/try.py the longest full collection,
# over them and the rest of the process (58,000 objects), took 20 to 25 ms of CPU here.
CHECKED_CACHE_OBJECTS = 60_000
# The estimate's terms, measured for the examples, the lessons and big sandbox scenarios, each
# analysed and its every step read, valid or not (tests/test_checked_cache.py checks that no
# content keeps more than its estimate).
OBJECTS_PER_CONTENT = 200  # the validation, the walkthrough's chart and panels at step 0, the analysis
OBJECTS_PER_INSTANCE = 100  # an instance or subnet: its place in each panel kept and in the analysis
OBJECTS_PER_ENTRY = 55  # a timeline entry: its result and events, its step, the analysis's row and comparison
OBJECTS_PER_RULE = 20  # a rule, NACL entry or prefix-list address: the engine's, the editor's row, the panels' lines
# An invalid document has no run: the sandbox's analysis keeps a form row per object of it
# (measured: 4 tracked objects per JSON object of the document) and its faults.
OBJECTS_PER_INVALID_OBJECT = 5
OBJECTS_PER_FAULT = 3


@dataclass(frozen=True, slots=True)
class Step:
    """One packet of the timeline, as the page shows it after that packet (numbered from 1)."""

    number: int
    row: visual.TableRow
    tracker: visual.TrackerCell
    caption: str
    verdict: Verdict
    nodes: tuple[str, ...]  # flow-graph node ids, in the order the packet visits them
    edges: tuple[str, ...]  # "source>target" keys of the edges it travels, in order
    verdict_node: str  # the allow or drop node that settles it

    @property
    def allowed(self) -> bool:
        return self.verdict == Verdict.ALLOW


@dataclass(frozen=True, slots=True)
class Walkthrough:
    key: str  # content_key of the document it was built from
    steps: Sequence[Step]  # each made when first read (see ``build``)
    tracker_start: visual.TrackerCell
    lanes: tuple[Lane, ...]
    # The model on screen, one panel per frame (index 0: before the first packet), each made
    # when a learner first reaches its frame.
    rules: Frames[RulesPanel]
    connections: Frames[ConnectionsPanel]

    @property
    def total(self) -> int:
        return len(self.steps)

    def frame(self, number: int) -> Frame:
        if not 0 <= number <= self.total:
            raise ValueError(f"step {number} is outside 0..{self.total}")
        return Frame(self, number)


@dataclass(frozen=True, slots=True)
class TrackerColumn:
    number: int  # 0 is the Start column
    text: str  # "" for a step the player has not reached yet
    current: bool


BADGE_WIDTH, BADGE_HEIGHT = 48, 26  # SVG units; its number is 15 units tall (panels.css)


@dataclass(frozen=True, slots=True)
class ChartBadge:
    """A connection's number on a chart node, drawn over the node's top-right corner."""

    node: str
    cx: int
    cy: int
    number: int | None

    @property
    def x(self) -> int:
        return self.cx - BADGE_WIDTH // 2

    @property
    def y(self) -> int:
        return self.cy - BADGE_HEIGHT // 2

    @property
    def text_y(self) -> int:
        return self.cy + 5  # the number's baseline, centred at 15 units

    width, height = BADGE_WIDTH, BADGE_HEIGHT  # the same for every badge: class attributes, not fields


@dataclass(frozen=True)
class LanePath:
    lane: str  # a Lane's name
    description: str


@dataclass(frozen=True)
class Frame:
    """The player at one step: 0 is before the first packet, ``total`` after the last."""

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
    def tracker(self) -> tuple[TrackerColumn, ...]:
        start = TrackerColumn(0, self.walkthrough.tracker_start.text, self.number == 0)
        # A column not reached yet is empty: its step is not read, so not made (see ``build``).
        return (start,) + tuple(
            TrackerColumn(number, self.walkthrough.steps[number - 1].tracker.text if number <= self.number else "", number == self.number)
            for number in range(1, self.total + 1)
        )

    @property
    def caption(self) -> str:
        return visual.step_caption(self.number, self.total, self.current.caption if self.current else "")

    @cached_property
    def visited(self) -> frozenset[str]:
        return frozenset(self.current.nodes) if self.current else frozenset()

    @cached_property
    def taken(self) -> frozenset[str]:
        return frozenset(self.current.edges) if self.current else frozenset()

    @property
    def verdict_node(self) -> str:
        return self.current.verdict_node if self.current else ""

    @property
    def rules(self) -> RulesPanel:
        return self.walkthrough.rules[self.number]

    @property
    def connections(self) -> ConnectionsPanel:
        return self.walkthrough.connections[self.number]

    @cached_property
    def badges(self) -> tuple[ChartBadge, ...]:
        """A place for a connection's number on each chart node that can show one, with the
        number it shows at this step (None: hidden until a frame brings one)."""
        numbers = self.connections.chart_numbers
        return tuple(
            ChartBadge(node.id, node.x + node.width - BADGE_WIDTH // 2, node.y, numbers.get(node.id))
            for lane in self.walkthrough.lanes
            for node in lane.nodes
            if node.id in CHART_NODES
        )

    @property
    def lane_paths(self) -> tuple[LanePath, ...]:
        """Each lane's accessible description: the current step's path through it."""
        nodes = self.current.nodes if self.current else ()
        return tuple(
            LanePath(lane.name, visual.chart_path(self.number, [FLOW_GRAPH.node(n).label for n in nodes if FLOW_GRAPH.node(n).lane == lane.name]))
            for lane in self.walkthrough.lanes
        )


def content_key(document: dict) -> str:
    """The cache key of a scenario document: a hash of its canonical JSON (keys sorted, no
    spacing) and of the engine's default parameters, which judge whatever it leaves unset."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(f"{canonical}\n{Parameters()!r}".encode()).hexdigest()


class Checked:
    """A document as the engine reads it: its validation and, for a valid one, its run (made
    when first asked for). Shared by whatever needs the engine's view of one content (the
    sandbox's analysis, then the walkthrough Run plays), so the document is validated and
    simulated once, not once by each."""

    __slots__ = ("validation", "objects", "_run", "_derived")

    def __init__(self, validation: Validation, objects: int) -> None:
        self.validation = validation
        self.objects = objects  # the tracked objects it keeps at most, with all made from it (see CHECKED_CACHE_OBJECTS)
        self._run: Run | None = None
        self._derived: dict[str, object] = {}

    def derived(self, name: str, make):
        """What ``make()`` gives for this content (its walkthrough, its analysis), made once
        and kept here, not in a cache of its own: it holds the run (a walkthrough's lazy steps
        read it), so it is dropped with the run when the checked cache evicts this content,
        and CHECKED_CACHE_OBJECTS bounds all that is retained."""
        value = self._derived.get(name)
        if value is None:
            value = self._derived[name] = make()
        return value

    @property
    def run(self) -> Run:
        if self.validation.scenario is None:
            raise ScenarioError(self.validation.faults)
        if self._run is None:
            self._run = simulate(self.validation.scenario)
        return self._run


def _check(document: dict) -> Checked:
    validation = validate_scenario(document)
    return Checked(validation, _objects_kept(document, validation))


def _objects_kept(document: dict, validation: Validation) -> int:
    """The tracked objects the document's checked entry keeps at most, once its run, its
    walkthrough and its analysis are made (see CHECKED_CACHE_OBJECTS)."""
    scenario = validation.scenario
    if scenario is None:
        return OBJECTS_PER_CONTENT + OBJECTS_PER_INVALID_OBJECT * _json_objects(document) + OBJECTS_PER_FAULT * len(validation.faults)
    rules = (
        sum(len(group.ingress) + len(group.egress) for group in scenario.security_groups)
        + sum(len(acl.entries) for acl in scenario.network_acls)
        + sum(len(cidrs) for cidrs in scenario.prefix_lists.values())
    )
    return (
        OBJECTS_PER_CONTENT
        + OBJECTS_PER_INSTANCE * (len(scenario.instances) + len(scenario.subnets))
        + OBJECTS_PER_ENTRY * len(scenario.timeline)
        + OBJECTS_PER_RULE * rules
    )


def _json_objects(document) -> int:
    """How many JSON objects (dicts) the document holds, at any depth (without recursion: an
    invalid document may nest deeper than Python recurses)."""
    count, pending = 0, [document]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            count += 1
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return count


class _CheckedCache:
    """Checked contents by key, least recently used first, forgotten from the first until the
    objects they keep (``Checked.objects``) fit ``limit``; the content just checked is always
    kept (the page that checked it and the websocket that follows read it). Views run on
    several threads: the bookkeeping is under a lock, the checking is not (two threads that
    check one new content at once make the same entry twice; one is kept)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._entries: OrderedDict[str, Checked] = OrderedDict()
        self._objects = 0
        self._lock = Lock()

    @property
    def objects(self) -> int:
        """What the contents kept now are estimated to hold, in tracked objects."""
        return self._objects

    def clear(self) -> None:
        """Forget every content (the tests measure from an empty cache)."""
        with self._lock:
            self._entries.clear()
            self._objects = 0

    def get(self, key: str, make) -> Checked:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        made = make()
        with self._lock:
            replaced = self._entries.pop(key, None)
            self._objects += made.objects - (replaced.objects if replaced else 0)
            self._entries[key] = made
            while self._objects > self.limit and len(self._entries) > 1:
                _, forgotten = self._entries.popitem(last=False)
                self._objects -= forgotten.objects
        return made


_checked = _CheckedCache(CHECKED_CACHE_OBJECTS)


def checked(document: dict, key: str = "") -> Checked:
    """The engine's validation (and run) of the document, made once per content while it is cached."""
    key = key or content_key(document)
    return _checked.get(key, lambda: _check(document))


def build(document: dict, key: str = "") -> Walkthrough:
    """Run a scenario document and shape its steps for the page.

    The engine runs the whole timeline now (every step's state depends on those before it),
    and the chart is laid out from every packet's path; each step's words (its table row,
    tracker cell and caption) are made when that step is first read (``timeline.Frames``),
    so the first frame of a big scenario does not wait for the words of the other steps.

    Raises ``sgviz.engine.ScenarioError`` when the document is invalid.
    """
    engine = checked(document, key)
    run = engine.run  # raises the ScenarioError of an invalid document
    scenario = engine.validation.scenario
    told = packet_steps(run.results)
    routes = [_route(step.result) for step in told]
    visited = frozenset(node for nodes in routes for node in nodes)
    travelled = frozenset(edge for nodes in routes for edge in _edges(nodes))
    return Walkthrough(
        key=key,
        steps=Frames(len(told), lambda index: _step(told[index], routes[index], scenario.labels)),
        tracker_start=visual.tracker_start(scenario),
        lanes=layout(FLOW_GRAPH.subgraph(visited), travelled),
        rules=rules_panels(scenario, run.results),
        connections=connections_panels(scenario, run),
    )


_fragments: dict[tuple, str] = {}


def for_document(document: dict, key: str = "") -> Walkthrough:
    """The document's walkthrough, built once per content while its run is cached (``key``:
    its ``content_key``, when the caller has it)."""
    key = key or content_key(document)
    return checked(document, key).derived("walkthrough", lambda: build(document, key))


def fragment(walkthrough: Walkthrough, name: str, variant: tuple, render) -> str:
    """HTML of a region made only from the walkthrough, rendered once per content, region
    and ``variant`` (such as the step) in this process."""
    return content_fragment(walkthrough.key, name, variant, render)


def content_fragment(key: str, name: str, variant: tuple, render) -> str:
    """HTML of a region made only from the content whose ``content_key`` is ``key``, rendered
    once per content, region and ``variant`` in this process."""
    cache_key = (key, name, *variant)
    html = _fragments.get(cache_key)
    if html is None:
        if len(_fragments) >= CACHE_SIZE:
            _fragments.clear()
        html = _fragments[cache_key] = render()
    return html


def _route(result: PacketResult) -> tuple[str, ...]:
    """The flow-graph nodes a packet visits, in order (two events at one node are one stop)."""
    return _without_repeats(event.node for event in result.steps)


def _edges(nodes: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{a}>{b}" for a, b in zip(nodes, nodes[1:]))


def _step(told: PacketStep, nodes: tuple[str, ...], labels) -> Step:
    """One step's row, tracker cell and caption: the changes since the last packet, the packet,
    and, on the last step, the changes after it."""
    result = told.result
    verdict_kind = NodeKind.ALLOW if result.verdict == Verdict.ALLOW else NodeKind.DROP
    before = [*told.before, result]
    tracker = visual.joined(visual.tracker_cell(item, labels) for item in before)
    caption = visual.caption(before, labels)
    if told.after:
        tracker = visual.joined([tracker] + [visual.tracker_cell(change, labels) for change in told.after])
        caption = " ".join([caption, visual.caption(told.after, labels)])
    return Step(
        number=told.number,
        row=visual.table_row(result),
        tracker=tracker,
        caption=caption,
        verdict=result.verdict,
        nodes=nodes,
        edges=_edges(nodes),
        verdict_node=next(n for n in reversed(nodes) if FLOW_GRAPH.node(n).kind == verdict_kind),
    )


def _without_repeats(node_ids) -> tuple[str, ...]:
    """Node ids with consecutive repeats removed (two events at one node are one stop)."""
    nodes: list[str] = []
    for node in node_ids:
        if not nodes or nodes[-1] != node:
            nodes.append(node)
    return tuple(nodes)
