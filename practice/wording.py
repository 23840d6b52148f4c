"""The practice pages' words for the grader's typed facts (the grader itself never phrases)."""

from dataclasses import dataclass

from sgviz.engine.explain import describe_packet, describe_rule
from sgviz.engine.model import Rule
from sgviz.engine.results import Basis, Verdict
from sgviz.grading.flows import Expectation
from sgviz.grading.projects import ReviewKind
from sgviz.grading.puzzles import ConstraintKind

VERDICTS = {Verdict.ALLOW: ("✓", "Allowed"), Verdict.DROP: ("✗", "Dropped")}
BASES = {
    Basis.RULE: "a security group rule",
    Basis.STATE: "connection state: it belongs to a tracked connection",
    Basis.NACL: "a network ACL",
    Basis.NO_MATCH: "no rule matched",
    Basis.EXEMPT: "traffic AWS never filters",
    Basis.CAPACITY: "the connection table was full",
    Basis.BLOCKED: "EC2 blocks it (outbound TCP 25)",
}
# Offered at every step; the rarer bases only in a lesson whose run has them.
COMMON_BASES = (Basis.RULE, Basis.STATE, Basis.NACL, Basis.NO_MATCH, Basis.EXEMPT)
EXPECTATIONS = {
    Expectation.PASSES: "must pass, and its reply get back",
    Expectation.DROPPED: "must be dropped",
    Expectation.TRACKED: "must pass and be tracked",
    Expectation.UNTRACKED: "must pass untracked",
}
REVIEW_CHECKS = {
    ReviewKind.GROUP_REFERENCES: "Reference a group where a CIDR holds the task's own instances",
    ReviewKind.WORLD_ONLY_ON: "0.0.0.0/0 and ::/0 only where the task allows them",
    ReviewKind.UNUSED_RULES: "Every rule is used by some flow",
}


def packet_words(packet):
    flags = ",".join(sorted(packet.flags))
    return describe_packet(packet) + (f" {flags}" if flags else "")


def verdict_words(verdict):
    glyph, word = VERDICTS[Verdict(verdict)]
    return f"{glyph} {word}"


def constraint_text(constraint):
    if constraint.kind == ConstraintKind.MAX_RULE_CHANGES:
        return f"Change at most {constraint.limit} rule{'' if constraint.limit == 1 else 's'} (an edited rule counts once)"
    if constraint.kind == ConstraintKind.NO_RULES_ADDED:
        return f"Add no {'outbound' if constraint.direction.value == 'egress' else 'inbound'} rule"
    return f"No inbound rule opens {constraint.protocol.upper()} port {constraint.port} to 0.0.0.0/0 or ::/0"


def review_text(check):
    text = REVIEW_CHECKS[check.kind]
    if check.kind == ReviewKind.WORLD_ONLY_ON and check.allow:
        allowed = ", ".join(f"{a.group_id} port {a.port}" for a in check.allow)
        text += f" ({allowed})"
    return text


def rule_text(rule):
    return f"{rule.group_id}: {'inbound' if rule.direction.value == 'ingress' else 'outbound'} {describe_rule(rule)}"


@dataclass(frozen=True)
class GroupWords:
    group_id: str
    name: str
    inbound: list
    outbound: list


def groups_in_words(groups):
    """Each group's rules in plain words, for the learner to reason from."""
    return [
        GroupWords(group.group_id, group.name, [describe_rule(rule) for rule in group.ingress], [describe_rule(rule) for rule in group.egress])
        for group in groups
    ]


@dataclass(frozen=True)
class MarkRow:
    """One graded line: what was asked, whether it is met, and why (the engine's words or the rules at fault)."""

    text: str
    met: bool
    why: str = ""
    rules: tuple = ()


def goal_rows(marks):
    return [
        MarkRow(
            f"{mark.goal.flow.name}: {EXPECTATIONS[mark.goal.expect]}",
            mark.met,
            f"{verdict_words(mark.deciding.verdict)}: {mark.deciding.explanation}",
            (rule_text(mark.deciding.rule),) if isinstance(mark.deciding.rule, Rule) else (),
        )
        for mark in marks
    ]


def puzzle_outcome(outcome):
    return {
        "solved": outcome.solved,
        "goals": goal_rows(outcome.goals),
        "constraints": [
            MarkRow(constraint_text(mark.constraint), mark.met, _changes_counted(mark), tuple(rule_text(rule) for rule in mark.offending))
            for mark in outcome.constraints
        ],
    }


def _changes_counted(mark):
    """A broken limit says how many rules were changed."""
    if mark.met or mark.constraint.kind != ConstraintKind.MAX_RULE_CHANGES:
        return ""
    return f"{mark.changes} rule{'' if mark.changes == 1 else 's'} changed"


def project_outcome(outcome):
    return {
        "correct": outcome.correct,
        "flows_met": outcome.flows_met,
        "flows_total": outcome.flows_total,
        "checks_passed": outcome.checks_passed,
        "checks_total": len(outcome.review),
        "required": goal_rows(outcome.required),
        "forbidden": goal_rows(outcome.forbidden),
        "review": [
            MarkRow(review_text(mark.check), mark.passed, "", tuple(_finding_text(finding) for finding in mark.findings))
            for mark in outcome.review
        ],
    }


def _finding_text(finding):
    held = f" (holds {', '.join(finding.instances)})" if finding.instances else ""
    return rule_text(finding.rule) + held
