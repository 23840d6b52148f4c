"""Predict, then reveal: the learner says a packet's verdict and its basis before the engine
shows them; each part is marked against the engine's own typed result."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sgviz.engine import Simulation
from sgviz.engine.model import Scenario
from sgviz.engine.results import Basis, PacketResult, Verdict


def packet_results(scenario: Scenario) -> tuple[PacketResult, ...]:
    """The scenario's packets judged in order: step k of a lesson is item k-1 (changes are not steps)."""
    simulation = Simulation(scenario)
    results = (simulation.apply(index, entry) for index, entry in enumerate(scenario.timeline))
    return tuple(result for result in results if isinstance(result, PacketResult))


def revealed_scenario(scenario: Scenario, revealed: int) -> Scenario:
    """The scenario up to and including its ``revealed``-th packet (0: no entry at all).

    What the Challenge draws for the learner is made from this, never from the whole scenario:
    a flowchart laid out over every packet's path would show a drop node that only a packet
    not yet predicted reaches, and a tracker would have its columns. Every packet up to
    ``revealed`` is judged exactly as in the whole scenario, since the engine plays the
    timeline in order and no entry sees a later one.
    """
    if revealed < 0:
        raise ValueError(f"revealed must be 0 or more, not {revealed}")
    kept, packets = [], 0
    for entry in scenario.timeline:
        if packets == revealed:
            break
        kept.append(entry)
        packets += entry.packet is not None
    return replace(scenario, timeline=tuple(kept))


@dataclass(frozen=True, slots=True)
class PredictionMark:
    verdict: Verdict  # what the learner said
    basis: Basis
    result: PacketResult  # what the engine decided, with its deciding rule and explanation

    @property
    def verdict_right(self) -> bool:
        return self.verdict == self.result.verdict

    @property
    def basis_right(self) -> bool:
        return self.basis == self.result.basis

    @property
    def right(self) -> bool:
        return self.verdict_right and self.basis_right


def grade_prediction(result: PacketResult, verdict: Verdict, basis: Basis) -> PredictionMark:
    return PredictionMark(verdict, basis, result)


@dataclass(frozen=True, slots=True)
class Tally:
    right: int  # predictions with both parts right
    answered: int
    streak: int  # right answers in a row, counting back from the latest step answered
    best_streak: int


def tally(marks: list[PredictionMark | None]) -> Tally:
    """Score and streaks over the steps in order; None is a step not predicted yet, which
    neither breaks nor extends a streak (a learner may skip ahead and come back)."""
    answered = [mark for mark in marks if mark is not None]
    best = run = 0
    for mark in answered:
        run = run + 1 if mark.right else 0
        best = max(best, run)
    return Tally(right=sum(mark.right for mark in answered), answered=len(answered), streak=run, best_streak=best)
