"""Goal flows: a connection the learner's rules must let through, drop, track or leave
untracked, sent through the engine with its reply.

A flow is written as ``{"name", "from", "to", "protocol", "port", "expect"}``: the ends are
an instance's name or an IP address, the port is the destination port. Each flow gets a
source port of its own (``FIRST_SOURCE_PORT`` + its position), so no two flows share a
connection-table entry and each is judged on its own.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sgviz.engine import Fault, ScenarioError, Simulation, load_scenario
from sgviz.engine.addresses import parse_ip
from sgviz.engine.errors import MISSING, Findings, join
from sgviz.engine.model import Scenario, TimelineEntry
from sgviz.engine.results import PacketResult, Verdict

FIRST_SOURCE_PORT = 40000
FLOW_PROTOCOLS = ("tcp", "udp")  # flows with ports and a reply by the reversed tuple
FLOW_KEYS = ("name", "from", "to", "protocol", "port")
GOAL_KEYS = (*FLOW_KEYS, "expect")


class Expectation(str, Enum):
    PASSES = "passes"  # the request and its reply are allowed
    DROPPED = "dropped"  # the request is dropped
    TRACKED = "tracked"  # passes, recorded in the connection table
    UNTRACKED = "untracked"  # passes, not recorded: the reply passes by the other direction's rule


@dataclass(frozen=True, slots=True)
class Flow:
    name: str
    src: str  # an IP address (instance names are resolved when the task is read)
    dst: str
    protocol: str
    port: int


@dataclass(frozen=True, slots=True)
class Goal:
    flow: Flow
    expect: Expectation


@dataclass(frozen=True, slots=True)
class GoalMark:
    goal: Goal
    request: PacketResult
    reply: PacketResult | None  # sent only when the request was allowed

    @property
    def met(self) -> bool:
        request, reply = self.request, self.reply
        if self.goal.expect == Expectation.DROPPED:
            return request.verdict == Verdict.DROP
        passes = request.verdict == Verdict.ALLOW and reply is not None and reply.verdict == Verdict.ALLOW
        if self.goal.expect == Expectation.TRACKED:
            return passes and request.tracked is True
        if self.goal.expect == Expectation.UNTRACKED:
            return passes and request.tracked is False
        return passes

    @property
    def deciding(self) -> PacketResult:
        """The packet whose explanation says why: the reply if it was the one dropped, else the request."""
        if self.reply is not None and self.reply.verdict == Verdict.DROP and self.goal.expect != Expectation.DROPPED:
            return self.reply
        return self.request


def read_network(findings: Findings, obj: dict) -> tuple[dict | None, Scenario | None]:
    """A task's ``scenario``: the network with its starting groups, as a document and loaded;
    its faults are recorded under ``scenario``."""
    document = findings.as_object(findings.required(obj, "scenario", ""), "scenario")
    if document is None:
        return None, None
    try:
        return document, load_scenario(document)
    except ScenarioError as error:
        findings.faults.extend(Fault(join("scenario", fault.path) if fault.path else "scenario", fault.message) for fault in error.faults)
        return document, None


def read_flows(findings: Findings, value: Any, path: str, scenario: Scenario, *, expect: Expectation | None) -> tuple[Goal, ...]:
    """Goals from a task document; ``expect`` set means the list's items carry no "expect" of
    their own (a project's required or forbidden flows)."""
    items = findings.as_list(value, path) or []
    names = {instance.name: str(instance.private_ip) for instance in scenario.instances}
    addresses = {str(address) for instance in scenario.instances for address in (instance.private_ip, instance.ipv6, instance.public_ip) if address}
    goals = []
    for index, item in enumerate(items):
        item_path = join(path, index)
        goal = _read_goal(findings, item, item_path, names, addresses, expect)
        if goal is not None:
            goals.append(goal)
    return tuple(goals)


def _read_goal(findings, item, path, names, addresses, expect):
    obj = findings.as_object(item, path)
    if obj is None:
        return None
    before = len(findings.faults)
    findings.only_keys(obj, GOAL_KEYS if expect is None else FLOW_KEYS, path)
    name = findings.as_string(findings.required(obj, "name", path), join(path, "name"))
    src = _endpoint(findings, obj, "from", path, names)
    dst = _endpoint(findings, obj, "to", path, names)
    protocol = findings.required(obj, "protocol", path)
    if protocol is not MISSING and protocol not in FLOW_PROTOCOLS:
        findings.fault(join(path, "protocol"), f"expected one of {', '.join(FLOW_PROTOCOLS)}, got {protocol!r}")
    port = findings.as_int(findings.required(obj, "port", path), join(path, "port"), 0, 65535, "ports")
    if expect is None:
        raw = findings.required(obj, "expect", path)
        allowed = [member.value for member in Expectation]
        if raw is not MISSING and raw not in allowed:
            findings.fault(join(path, "expect"), f"expected one of {', '.join(allowed)}, got {raw!r}")
        else:
            expect = Expectation(raw) if raw is not MISSING else None
    if src and dst and src not in addresses and dst not in addresses:
        findings.fault(path, "the flow touches no instance: its from or to must be an instance's name or address")
    if len(findings.faults) > before:
        return None
    return Goal(Flow(name, src, dst, protocol, port), expect)


def _endpoint(findings, obj, key, path, names):
    """An instance's name (its private address) or an IP address."""
    value = findings.as_string(findings.required(obj, key, path), join(path, key))
    if value is None:
        return None
    if value in names:
        return names[value]
    try:
        return str(parse_ip(value))
    except ValueError:
        known = ", ".join(sorted(names))
        findings.fault(join(path, key), f"{value!r} is neither an instance ({known}) nor an IP address")
        return None


def goal_timeline(base: dict, goals: tuple[Goal, ...]) -> tuple[TimelineEntry, ...]:
    """A request and a reply for each goal, read once when the task is: the packets depend only
    on the task's instances, never on the learner's groups."""
    document = dict(base, timeline=[entry for index, goal in enumerate(goals) for entry in _exchange(index, goal.flow)])
    return load_scenario(document).timeline


def with_groups(base: dict, groups: Any, timeline: tuple[TimelineEntry, ...]) -> Scenario:
    """The task's network with the learner's groups and the goals' packets; ScenarioError
    (paths under ``security_groups``) when the groups do not load."""
    document = {key: value for key, value in base.items() if key not in ("security_groups", "timeline")}
    document["security_groups"] = groups
    return dataclasses.replace(load_scenario(document), timeline=timeline)


def _exchange(index: int, flow: Flow) -> list[dict]:
    client = _endpoint_text(flow.src, FIRST_SOURCE_PORT + index)
    server = _endpoint_text(flow.dst, flow.port)
    request = {"src": client, "dst": server, "protocol": flow.protocol}
    reply = {"src": server, "dst": client, "protocol": flow.protocol}
    if flow.protocol == "tcp":
        request["flags"], reply["flags"] = "SYN", "SYN,ACK"
    return [{"at": 2 * index, "packet": request}, {"at": 2 * index + 1, "packet": reply}]


def _endpoint_text(address: str, port: int) -> str:
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def judge_goals(scenario: Scenario, goals: tuple[Goal, ...]) -> tuple[GoalMark, ...]:
    """Send each goal's request and, if it passed, its reply (a dropped request has no reply)."""
    simulation = Simulation(scenario)
    marks = []
    for index, goal in enumerate(goals):
        request = simulation.apply(2 * index, scenario.timeline[2 * index])
        reply = None
        if request.verdict == Verdict.ALLOW:
            reply = simulation.apply(2 * index + 1, scenario.timeline[2 * index + 1])
        marks.append(GoalMark(goal, request, reply))
    return tuple(marks)
