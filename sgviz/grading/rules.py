"""Facts about rules the constraints and the review ask: what was changed, what is open to
the world, what covers a port."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sgviz.engine.addresses import Cidr
from sgviz.engine.model import ALL_PROTOCOLS, Direction, Rule, SecurityGroup


def rule_key(rule: Rule) -> tuple:
    """What a rule allows, without its description or id (editing a description changes nothing)."""
    return (rule.group_id, rule.direction, rule.protocol, rule.from_port, rule.to_port, rule.peer)


def all_rules(groups: tuple[SecurityGroup, ...]) -> tuple[Rule, ...]:
    return tuple(rule for group in groups for rule in (*group.ingress, *group.egress))


def is_open_to_world(rule: Rule) -> bool:
    return isinstance(rule.peer, Cidr) and rule.peer.is_everything


def covers(rule: Rule, protocol: int, port: int) -> bool:
    """Does ``rule`` allow ``protocol`` traffic to ``port``? (-1 and portless rules allow every port.)"""
    if rule.protocol not in (ALL_PROTOCOLS, protocol):
        return False
    return rule.from_port is None or rule.from_port <= port <= rule.to_port


@dataclass(frozen=True, slots=True)
class RuleDiff:
    added: tuple[Rule, ...]
    removed: tuple[Rule, ...]

    def added_in(self, direction: Direction) -> tuple[Rule, ...]:
        return tuple(rule for rule in self.added if rule.direction == direction)

    @property
    def changes(self) -> int:
        """Rules changed: per group and direction, a removed rule and an added one count as one
        edit of a rule (the learner changed its port or source), so it is the larger of the two."""
        def per_side(rules):
            return Counter((rule.group_id, rule.direction) for rule in rules)

        added, removed = per_side(self.added), per_side(self.removed)
        return sum(max(added[side], removed[side]) for side in added.keys() | removed.keys())


def diff(start: tuple[SecurityGroup, ...], learner: tuple[SecurityGroup, ...]) -> RuleDiff:
    before = Counter(rule_key(rule) for rule in all_rules(start))
    after = Counter(rule_key(rule) for rule in all_rules(learner))
    added = _take(all_rules(learner), after - before)
    removed = _take(all_rules(start), before - after)
    return RuleDiff(added, removed)


def _take(rules: tuple[Rule, ...], wanted: Counter) -> tuple[Rule, ...]:
    """The rules whose keys ``wanted`` counts, as many of each as it says, in document order."""
    left = Counter(wanted)
    taken = []
    for rule in rules:
        key = rule_key(rule)
        if left[key] > 0:
            left[key] -= 1
            taken.append(rule)
    return tuple(taken)
