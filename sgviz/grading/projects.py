"""Projects: secure a network so that required flows pass and forbidden flows are dropped,
graded by the engine flow by flow; a least-privilege review of the same rules is scored apart.

A project document: ``{"scenario": {...}, "required": [flow, ...], "forbidden": [flow, ...],
"review": [check, ...]}``; flows as in flows.py without "expect"; checks below.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from sgviz.engine.errors import MISSING, Findings, join
from sgviz.engine.addresses import Cidr
from sgviz.engine.model import Instance, Rule, Scenario, TimelineEntry

from . import rules as rule_facts
from .flows import Expectation, Goal, GoalMark, goal_timeline, judge_goals, read_flows, read_network, with_groups
from .puzzles import PORT_PROTOCOLS

PROJECT_KEYS = ("scenario", "required", "forbidden", "review")
ALLOWANCE_KEYS = ("group", "protocol", "port")


class ReviewKind(str, Enum):
    # a rule's CIDR holds an instance of the task: reference that instance's group instead
    GROUP_REFERENCES = "group-references"
    # 0.0.0.0/0 or ::/0 only where "allow" says ({"group", "protocol", "port"}), in either direction
    WORLD_ONLY_ON = "world-only-on"
    # every rule decided some flow of the task
    UNUSED_RULES = "unused-rules"


@dataclass(frozen=True, slots=True)
class WorldAllowance:
    group_id: str
    protocol: int
    port: int

    def permits(self, rule: Rule) -> bool:
        return rule.group_id == self.group_id and rule.protocol == self.protocol and rule.from_port == rule.to_port == self.port


@dataclass(frozen=True, slots=True)
class ReviewCheck:
    kind: ReviewKind
    allow: tuple[WorldAllowance, ...] = ()


@dataclass(frozen=True, slots=True)
class Finding:
    rule: Rule
    instances: tuple[str, ...] = ()  # group-references: the instances the CIDR holds


@dataclass(frozen=True, slots=True)
class ReviewMark:
    check: ReviewCheck
    findings: tuple[Finding, ...]

    @property
    def passed(self) -> bool:
        return not self.findings


@dataclass(frozen=True, slots=True)
class Project:
    scenario: dict
    required: tuple[Goal, ...]
    forbidden: tuple[Goal, ...]
    review: tuple[ReviewCheck, ...]
    timeline: tuple[TimelineEntry, ...]  # each flow's request and reply, required flows first

    @property
    def goals(self) -> tuple[Goal, ...]:
        return (*self.required, *self.forbidden)


@dataclass(frozen=True, slots=True)
class ProjectOutcome:
    required: tuple[GoalMark, ...]
    forbidden: tuple[GoalMark, ...]
    review: tuple[ReviewMark, ...]

    @property
    def flows_met(self) -> int:
        return sum(mark.met for mark in (*self.required, *self.forbidden))

    @property
    def flows_total(self) -> int:
        return len(self.required) + len(self.forbidden)

    @property
    def checks_passed(self) -> int:
        return sum(mark.passed for mark in self.review)

    @property
    def correct(self) -> bool:
        return self.flows_met == self.flows_total


def read_project(doc: Any) -> Project:
    """A project from its document, or ScenarioError with every fault (paths from the root)."""
    findings = Findings()
    obj = findings.as_object(doc, "") or {}
    findings.only_keys(obj, PROJECT_KEYS, "")
    document, scenario = read_network(findings, obj)
    required = forbidden = ()
    if scenario is not None:
        required = read_flows(findings, findings.required(obj, "required", ""), "required", scenario, expect=Expectation.PASSES)
        forbidden = read_flows(findings, obj.get("forbidden", []), "forbidden", scenario, expect=Expectation.DROPPED)
    review = tuple(
        check
        for index, item in enumerate(findings.as_list(obj.get("review", []), "review") or [])
        if (check := _read_check(findings, item, join("review", index), scenario)) is not None
    )
    findings.raise_if_faulty()
    return Project(document, required, forbidden, review, goal_timeline(document, (*required, *forbidden)))


def _read_check(findings: Findings, item: Any, path: str, scenario: Scenario | None) -> ReviewCheck | None:
    obj = findings.as_object(item, path)
    if obj is None:
        return None
    raw = findings.required(obj, "kind", path)
    kinds = [kind.value for kind in ReviewKind]
    if raw is MISSING:
        return None
    if raw not in kinds:
        findings.fault(join(path, "kind"), f"expected one of {', '.join(kinds)}, got {raw!r}")
        return None
    kind = ReviewKind(raw)
    findings.only_keys(obj, ("kind", "allow") if kind == ReviewKind.WORLD_ONLY_ON else ("kind",), path)
    allow = []
    if kind == ReviewKind.WORLD_ONLY_ON:
        # Without a loaded scenario the groups are unknown: the scenario's own faults say why.
        group_ids = {group.group_id for group in scenario.security_groups} if scenario else None
        for index, entry in enumerate(findings.as_list(obj.get("allow", []), join(path, "allow")) or []):
            allowance = _read_allowance(findings, entry, join(join(path, "allow"), index), group_ids)
            if allowance is not None:
                allow.append(allowance)
    return ReviewCheck(kind, tuple(allow))


def _read_allowance(findings: Findings, entry: Any, path: str, group_ids: set[str] | None) -> WorldAllowance | None:
    obj = findings.as_object(entry, path)
    if obj is None:
        return None
    before = len(findings.faults)
    findings.only_keys(obj, ALLOWANCE_KEYS, path)
    group = findings.as_string(findings.required(obj, "group", path), join(path, "group"))
    if group is not None and group_ids is not None and group not in group_ids:
        findings.fault(join(path, "group"), f"{group!r} is not one of the scenario's groups ({', '.join(sorted(group_ids))})")
    protocol = findings.required(obj, "protocol", path)
    if protocol is not MISSING and protocol not in PORT_PROTOCOLS:
        findings.fault(join(path, "protocol"), f"expected one of {', '.join(PORT_PROTOCOLS)}, got {protocol!r}")
    port = findings.as_int(findings.required(obj, "port", path), join(path, "port"), 0, 65535, "ports")
    if len(findings.faults) > before:
        return None
    return WorldAllowance(group, PORT_PROTOCOLS[protocol], port)


def grade_project(project: Project, groups: Any) -> ProjectOutcome:
    """Every required and forbidden flow, and the review, against the learner's ``groups``
    (describe-security-groups JSON, whole or its list); ScenarioError when they do not load."""
    scenario = with_groups(project.scenario, groups, project.timeline)
    marks = judge_goals(scenario, project.goals)
    rules = rule_facts.all_rules(scenario.security_groups)
    review = tuple(ReviewMark(check, _review(check, rules, marks, scenario.instances)) for check in project.review)
    split = len(project.required)
    return ProjectOutcome(marks[:split], marks[split:], review)


def _review(check: ReviewCheck, rules: tuple[Rule, ...], marks: tuple[GoalMark, ...], instances: tuple[Instance, ...]) -> tuple[Finding, ...]:
    if check.kind == ReviewKind.GROUP_REFERENCES:
        findings = []
        for rule in rules:
            if isinstance(rule.peer, Cidr) and not rule.peer.is_everything:
                held = tuple(instance.name for instance in instances if rule.peer.contains(instance.private_ip))
                if held:
                    findings.append(Finding(rule, held))
        return tuple(findings)
    if check.kind == ReviewKind.WORLD_ONLY_ON:
        return tuple(
            Finding(rule)
            for rule in rules
            if rule_facts.is_open_to_world(rule) and not any(allowance.permits(rule) for allowance in check.allow)
        )
    used = {
        rule_facts.rule_key(step.matched)
        for mark in marks
        for result in (mark.request, mark.reply)
        if result is not None
        for step in result.steps
        if isinstance(step.matched, Rule)
    }
    return tuple(Finding(rule) for rule in rules if rule_facts.rule_key(rule) not in used)
