"""A timeline as the player counts it: steps are packets, numbered from 1.

Rule and network ACL changes are not steps of their own: a change is shown with the next
packet (``before``), and changes after the last packet with the last step (``after``), as
the execution table and the caption tell them.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Sequence, TypeVar

from sgviz.engine.model import Direction
from sgviz.engine.results import ChangeResult, Connection, PacketResult, TableChange, TableChangeKind

T = TypeVar("T")
# The panels (rules panel, connection table) a walkthrough keeps made: the ones made last
# (``Frames``' keep). A panel is read to render its frame, whose HTML the player keeps as text
# (player.walkthrough.fragment), and is made again in under 0.1 ms; kept, a frame's two panels
# are about 40 small objects that every full garbage collection scans. Reading every frame of
# benchmarks/try.py's 200-packet scenario kept 8,634 more objects; with 16 kept, 1,197 (most
# of them the steps' words, which every frame reads and which are all kept).
PANELS_KEPT = 16


def connection_identity(connection: Connection) -> tuple:
    """What stays the same over a connection's life (its state and expiry change)."""
    return (connection.instance, connection.protocol, connection.local, connection.remote, connection.icmp_id, connection.initiated_inbound)


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
    """One panel per frame, each made the first time it is read, then kept (with ``keep``:
    only the ``keep`` made last).

    A learner reaches a frame at a time, and a big scenario has hundreds: making them all
    before the first is shown is what made Run slow. ``make(number)`` must not depend on
    which frames were made before it (the tests read them out of order and in order), so a
    frame no longer kept is made again, the same, when read again.
    """

    __slots__ = ("_count", "_make", "_made", "_keep")

    def __init__(self, count: int, make: Callable[[int], T], keep: int | None = None) -> None:
        self._count = count
        self._make = make
        self._made: OrderedDict[int, T] = OrderedDict()
        self._keep = keep

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
            # The oldest made go first; popitem is one step, so threads reading the same
            # walkthrough never see the dict half changed (at worst one is made twice).
            while self._keep is not None and len(self._made) > self._keep:
                self._made.popitem(last=False)
        return made


# The table changes that say a tracked connection let the packet through on that side.
FOUND_BY_STATE = frozenset({TableChangeKind.USED, TableChangeKind.RELATED})


def connections_found(steps: Sequence[PacketStep]) -> list[dict[tuple[str, Direction], tuple[int, TableChange]]]:
    """Per step, the tracked connection that let its packet through (its number and the
    change that says how), by the (instance, direction) it did so on. Connections are numbered from 1 as they are recorded,
    in timeline order: the numbers the connection table and the flowchart show."""
    numbers: dict[tuple, int] = {}  # by identity: the latest connection so identified
    recorded = 0
    found = []
    for step in steps:
        here: dict[tuple[str, Direction], tuple[int, TableChange]] = {}
        for event in step.result.steps:
            for change in event.changes:
                identity = connection_identity(change.connection)
                if change.kind == TableChangeKind.RECORDED:
                    recorded += 1
                    numbers[identity] = recorded
                elif change.kind in FOUND_BY_STATE and identity in numbers:
                    here[(event.instance, event.direction)] = (numbers[identity], change)
        found.append(here)
    return found
