""""What if security groups were stateless?": pure, no Django.

The same packets under the same rules, each judged alone, with no connection table, the way a
network ACL judges them. The engine does the judging: a packet is run on a copy of the scenario
whose timeline keeps only the rule and ACL changes before it, so nothing can be remembered and
the verdict comes from the rules alone.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from sgviz.engine import simulate

EPHEMERAL_PORTS = "1024-65535"


@dataclass(frozen=True)
class Comparison:
    step: int  # the packet's number, from 1 (as the player counts steps)
    index: int  # its position in the timeline
    stateful: object  # the engine's PacketResult with the connection table
    stateless: object  # the same packet judged alone
    reason: str = ""  # why the two differ; "" when they agree

    @property
    def differs(self) -> bool:
        return self.stateful.verdict != self.stateless.verdict


def _reason(stateful, stateless) -> str:
    if stateful.basis.value == "state":
        decided = stateless.steps[stateless.deciding_step] if stateless.steps else None
        word = "outbound" if decided is not None and decided.direction.value == "egress" else "inbound"
        port = stateless.packet.dst_port
        to_port = f" to port {port}" if port is not None else ""
        need = f" It would need an {word} rule for the other side's ephemeral ports, e.g. {EPHEMERAL_PORTS}." if port is not None else ""
        return (
            f"With state it passes as part of a tracked connection. Judged alone, nothing allows {word} traffic{to_port}, "
            f"so a stateless filter drops it.{need}"
        )
    return f"With state: {stateful.explanation} Judged alone: {stateless.explanation}"


def compare_stateless(scenario) -> list[Comparison]:
    """One comparison per packet of a valid scenario (the engine's Scenario)."""
    stateful = simulate(scenario).results
    comparisons = []
    changes_so_far = []
    step = 0
    for index, entry in enumerate(scenario.timeline):
        if entry.packet is None:
            changes_so_far.append(entry)
            continue
        step += 1
        alone = dataclasses.replace(scenario, timeline=(*changes_so_far, entry))
        result = simulate(alone).results[-1]
        with_state = stateful[index]
        reason = _reason(with_state, result) if with_state.verdict != result.verdict else ""
        comparisons.append(Comparison(step, index, with_state, result, reason))
    return comparisons
