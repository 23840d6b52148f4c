"""A timeline as the player counts it: steps are packets, numbered from 1.

Rule and network ACL changes are not steps of their own: a change is shown with the next
packet (``before``), and changes after the last packet with the last step (``after``), as
the execution table and the caption tell them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence, TypeVar

from sgviz.engine.results import ChangeResult, PacketResult

T = TypeVar("T")


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


class Frames(Sequence[T]):
    """One panel per frame, each made the first time it is read, then kept.

    A learner reaches a frame at a time, and a big scenario has hundreds: making them all
    before the first is shown is what made Run slow. ``make(number)`` must not depend on
    which frames were made before it (the tests read them out of order and in order).
    """

    __slots__ = ("_count", "_make", "_made")

    def __init__(self, count: int, make: Callable[[int], T]) -> None:
        self._count = count
        self._make = make
        self._made: dict[int, T] = {}

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, number):
        if isinstance(number, slice):
            return tuple(self[i] for i in range(self._count)[number])
        if not -self._count <= number < self._count:
            raise IndexError(f"frame {number} is outside 0..{self._count - 1}")
        number %= self._count
        made = self._made.get(number)
        if made is None:
            made = self._made[number] = self._make(number)
        return made
