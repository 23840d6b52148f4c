"""A timeline as the player counts it: steps are packets, numbered from 1.

Rule and network ACL changes are not steps of their own: a change is shown with the next
packet (``before``), and changes after the last packet with the last step (``after``), as
the execution table and the caption tell them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from sgviz.engine.results import ChangeResult, PacketResult


@dataclass(frozen=True, slots=True)
class PacketStep:
    number: int  # from 1
    index: int  # the packet's position in the timeline, counting changes too
    result: PacketResult
    before: tuple[ChangeResult, ...] = ()  # changes since the previous packet
    after: tuple[ChangeResult, ...] = ()  # changes after the last packet (last step only)


def packet_steps(results: Sequence[PacketResult | ChangeResult]) -> tuple[PacketStep, ...]:
    steps: list[PacketStep] = []
    pending: list[ChangeResult] = []
    for result in results:
        if isinstance(result, ChangeResult):
            pending.append(result)
            continue
        steps.append(PacketStep(len(steps) + 1, result.index, result, tuple(pending)))
        pending = []
    if pending and steps:
        last = steps[-1]
        steps[-1] = PacketStep(last.number, last.index, last.result, last.before, tuple(pending))
    return tuple(steps)
