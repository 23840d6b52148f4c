"""The questions a class can vote on, and their tallies. Pure (no Django).

Two kinds of question:

- "Will this packet be allowed, and why?" about a packet of the scenario (key
  ``packet-<step>``). Its options are the engine's possible outcomes, each a verdict with its
  basis; the right one is the engine's own verdict and basis for that packet, and the
  explanation is the engine's: no answer key is written by hand.
- A quiz question of the lesson (key ``quiz-<id>``), made by ``classroom.frames`` from the
  lesson's authored options.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sgviz.engine import load_scenario, simulate
from sgviz.engine.explain import describe_packet
from sgviz.engine.results import Basis, PacketResult, Verdict

PACKET_PROMPT = "Will this packet be allowed, and why?"


@dataclass(frozen=True, slots=True)
class Option:
    key: str
    text: str


@dataclass(frozen=True, slots=True)
class Question:
    key: str
    kind: str  # "packet" or "quiz"
    prompt: str
    detail: str  # what the question is about, e.g. the packet; "" for a quiz question
    options: tuple[Option, ...]
    right: str  # the key of the right option
    explanation: str  # the engine's words for a packet; the author's Markdown for a quiz question

    def option(self, key: str) -> Option | None:
        return next((option for option in self.options if option.key == key), None)

    @property
    def right_text(self) -> str:
        right = self.option(self.right)
        return right.text if right else ""


def outcome_key(verdict: Verdict, basis: Basis) -> str:
    return f"{verdict.value.lower()}-{basis.value}"


# Every outcome the engine can give, in the words a learner votes with. The first three are
# offered for every packet: they are the lesson of stateful filtering.
OUTCOMES = {
    outcome_key(Verdict.ALLOW, Basis.RULE): "Allowed: a rule of the security group allows it",
    outcome_key(Verdict.ALLOW, Basis.STATE): "Allowed: it answers a tracked connection, so no rule is needed",
    outcome_key(Verdict.DROP, Basis.NO_MATCH): "Dropped: no rule allows it and it answers no tracked connection",
    outcome_key(Verdict.DROP, Basis.NACL): "Dropped: a network ACL denies it",
    outcome_key(Verdict.ALLOW, Basis.EXEMPT): "Allowed: AWS never filters this traffic",
    outcome_key(Verdict.DROP, Basis.CAPACITY): "Dropped: the connection tracking table is full",
    outcome_key(Verdict.DROP, Basis.BLOCKED): "Dropped: EC2 blocks it whatever the rules say",
}
ALWAYS_OFFERED = tuple(OUTCOMES)[:3]
NACL_OUTCOME = outcome_key(Verdict.DROP, Basis.NACL)


def packet_questions(document: dict) -> dict[str, Question]:
    """One question per packet of the scenario, by key (``packet-1`` is the first packet)."""
    scenario = load_scenario(document)
    packets = [result for result in simulate(scenario).results if isinstance(result, PacketResult)]
    offered = ALWAYS_OFFERED + ((NACL_OUTCOME,) if scenario.network_acls else ())
    return {
        question.key: question
        for question in (_packet_question(number, result, offered) for number, result in enumerate(packets, 1))
    }


def _packet_question(number: int, result: PacketResult, offered: tuple[str, ...]) -> Question:
    right = outcome_key(result.verdict, result.basis)
    keys = offered if right in offered else offered + (right,)
    flags = f" ({', '.join(sorted(result.packet.flags))})" if result.packet.flags else ""
    return Question(
        key=f"packet-{number}",
        kind="packet",
        prompt=PACKET_PROMPT,
        detail=f"Packet {number}: {describe_packet(result.packet)}{flags}",
        options=tuple(Option(key, OUTCOMES.get(key, key)) for key in keys),
        right=right,
        explanation=result.explanation,
    )


@dataclass(frozen=True, slots=True)
class TallyRow:
    option: Option
    votes: int
    percent: int  # of all votes, rounded; 0 when nobody voted
    right: bool


@dataclass(frozen=True, slots=True)
class Tally:
    rows: tuple[TallyRow, ...]
    votes: int

    @property
    def most(self) -> int:
        """The largest count, for scaling the bars (at least 1, so an empty chart draws)."""
        return max([row.votes for row in self.rows] + [1])


def tally(question: Question, choices: Iterable[str] | Mapping[str, int]) -> Tally:
    """Count one choice per voter (the caller passes each voter's one stored choice, or the
    count of voters per choice); a choice that is not an option of the question is not counted."""
    given = Counter(choices)
    counts = Counter({choice: n for choice, n in given.items() if question.option(choice)})
    votes = sum(counts.values())
    return Tally(
        rows=tuple(
            TallyRow(option, counts[option.key], round(100 * counts[option.key] / votes) if votes else 0, option.key == question.right)
            for option in question.options
        ),
        votes=votes,
    )
