"""Puzzles: a starting scenario, goal flows and constraints; the learner edits the security
groups and the engine checks every goal and constraint, naming each that fails.

A puzzle document: ``{"scenario": {...}, "goals": [goal, ...], "constraints": [constraint, ...]}``
(goals in flows.py; constraints below). The scenario's groups are the starting rules; its
timeline is not used (the goals are the packets).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from sgviz.engine.errors import MISSING, Findings, join
from sgviz.engine.model import TCP, UDP, Direction, Rule, SecurityGroup, TimelineEntry

from . import rules as rule_facts
from .flows import Goal, GoalMark, goal_timeline, judge_goals, read_flows, read_network, with_groups

PUZZLE_KEYS = ("scenario", "goals", "constraints")
PORT_PROTOCOLS = {"tcp": TCP, "udp": UDP}


class ConstraintKind(str, Enum):
    MAX_RULE_CHANGES = "max-rule-changes"  # {"limit": N}: at most N rules added, removed or edited
    NO_RULES_ADDED = "no-rules-added"  # {"direction": "ingress"|"egress"}
    NOT_OPEN_TO_WORLD = "not-open-to-world"  # {"protocol": "tcp"|"udp", "port": P}: no inbound 0.0.0.0/0 or ::/0 rule covers it


CONSTRAINT_KEYS = {
    ConstraintKind.MAX_RULE_CHANGES: ("kind", "limit"),
    ConstraintKind.NO_RULES_ADDED: ("kind", "direction"),
    ConstraintKind.NOT_OPEN_TO_WORLD: ("kind", "protocol", "port"),
}


@dataclass(frozen=True, slots=True)
class Constraint:
    kind: ConstraintKind
    limit: int | None = None
    direction: Direction | None = None
    protocol: str | None = None
    port: int | None = None


@dataclass(frozen=True, slots=True)
class ConstraintMark:
    constraint: Constraint
    met: bool
    offending: tuple[Rule, ...]  # the rules that break it (for a limit: every changed rule)
    changes: int  # rules changed, counted as the limit counts them


@dataclass(frozen=True, slots=True)
class Puzzle:
    scenario: dict  # the starting document
    start_groups: tuple[SecurityGroup, ...]
    goals: tuple[Goal, ...]
    constraints: tuple[Constraint, ...]
    timeline: tuple[TimelineEntry, ...]  # each goal's request and reply


@dataclass(frozen=True, slots=True)
class PuzzleOutcome:
    goals: tuple[GoalMark, ...]
    constraints: tuple[ConstraintMark, ...]

    @property
    def solved(self) -> bool:
        return all(mark.met for mark in self.goals) and all(mark.met for mark in self.constraints)


def read_puzzle(doc: Any) -> Puzzle:
    """A puzzle from its document, or ScenarioError with every fault (paths from the document's root)."""
    findings = Findings()
    obj = findings.as_object(doc, "") or {}
    findings.only_keys(obj, PUZZLE_KEYS, "")
    scenario_doc, scenario = read_network(findings, obj)
    goals = ()
    if scenario is not None:
        goals = read_flows(findings, findings.required(obj, "goals", ""), "goals", scenario, expect=None)
    constraints = tuple(
        constraint
        for index, item in enumerate(findings.as_list(obj.get("constraints", []), "constraints") or [])
        if (constraint := _read_constraint(findings, item, join("constraints", index))) is not None
    )
    findings.raise_if_faulty()
    return Puzzle(scenario_doc, scenario.security_groups, goals, constraints, goal_timeline(scenario_doc, goals))


def _read_constraint(findings: Findings, item: Any, path: str) -> Constraint | None:
    obj = findings.as_object(item, path)
    if obj is None:
        return None
    raw = findings.required(obj, "kind", path)
    kinds = [kind.value for kind in ConstraintKind]
    if raw is MISSING:
        return None
    if raw not in kinds:
        findings.fault(join(path, "kind"), f"expected one of {', '.join(kinds)}, got {raw!r}")
        return None
    kind = ConstraintKind(raw)
    before = len(findings.faults)
    findings.only_keys(obj, CONSTRAINT_KEYS[kind], path)
    if kind == ConstraintKind.MAX_RULE_CHANGES:
        limit = findings.as_int(findings.required(obj, "limit", path), join(path, "limit"), 0, 1000, "rules")
        constraint = Constraint(kind, limit=limit)
    elif kind == ConstraintKind.NO_RULES_ADDED:
        direction = _choice(findings, obj, "direction", path, [member.value for member in Direction])
        constraint = Constraint(kind, direction=direction and Direction(direction))
    else:
        protocol = _choice(findings, obj, "protocol", path, list(PORT_PROTOCOLS))
        port = findings.as_int(findings.required(obj, "port", path), join(path, "port"), 0, 65535, "ports")
        constraint = Constraint(kind, protocol=protocol, port=port)
    return constraint if len(findings.faults) == before else None


def _choice(findings: Findings, obj: dict, key: str, path: str, allowed: list[str]) -> str | None:
    value = findings.required(obj, key, path)
    if value is MISSING:
        return None
    if value not in allowed:
        findings.fault(join(path, key), f"expected one of {', '.join(allowed)}, got {value!r}")
        return None
    return value


def grade_puzzle(puzzle: Puzzle, groups: Any) -> PuzzleOutcome:
    """Every goal and constraint against the learner's ``groups`` (describe-security-groups JSON,
    whole or its list); ScenarioError when they do not load."""
    scenario = with_groups(puzzle.scenario, groups, puzzle.timeline)
    changed = rule_facts.diff(puzzle.start_groups, scenario.security_groups)
    marks = tuple(_check(constraint, scenario.security_groups, changed) for constraint in puzzle.constraints)
    return PuzzleOutcome(judge_goals(scenario, puzzle.goals), marks)


def _check(constraint: Constraint, groups: tuple[SecurityGroup, ...], changed: rule_facts.RuleDiff) -> ConstraintMark:
    if constraint.kind == ConstraintKind.MAX_RULE_CHANGES:
        over = changed.changes > constraint.limit
        offending = (*changed.removed, *changed.added) if over else ()
    elif constraint.kind == ConstraintKind.NO_RULES_ADDED:
        offending = changed.added_in(constraint.direction)
    else:
        protocol = PORT_PROTOCOLS[constraint.protocol]
        offending = tuple(
            rule
            for group in groups
            for rule in group.ingress
            if rule_facts.is_open_to_world(rule) and rule_facts.covers(rule, protocol, constraint.port)
        )
    return ConstraintMark(constraint, met=not offending, offending=offending, changes=changed.changes)
