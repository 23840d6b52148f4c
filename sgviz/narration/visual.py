"""The Visual mode's wording: each step's table row, status-tracker cell and caption.

Built on the engine's own phrasing (``sgviz.engine.explain``, which the CLI shares), and
typed, so that the shell decides from facts, never from words: a tracker cell says whether
the connection table changed (``TrackerCell.changed``) instead of the shell matching
"No change".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from sgviz.engine import ChangeResult, PacketResult, Scenario, TableChangeKind, explain

TableRow = explain.TableRow
# The table changes explain.tracker_cell leaves unsaid: a connection becoming established
# always comes with the USED change that is told.
UNTOLD_CHANGES = frozenset({TableChangeKind.ESTABLISHED})


@dataclass(frozen=True, slots=True)
class TrackerCell:
    """What happened to the connection table at one step."""

    text: str
    changed: bool  # False: the text is the engine's "no change" wording


def table_row(result: PacketResult) -> TableRow:
    return explain.table_row(result)


def tracker_start(scenario: Scenario) -> TrackerCell:
    return TrackerCell(explain.tracker_start(scenario), changed=False)


def tracker_cell(result: PacketResult | ChangeResult, labels: Mapping[str, str]) -> TrackerCell:
    changes = list(result.changes) if isinstance(result, ChangeResult) else [
        *result.expired, *(change for step in result.steps for change in step.changes)
    ]
    changed = any(change.kind not in UNTOLD_CHANGES for change in changes)
    return TrackerCell(explain.tracker_cell(result, labels), changed)


def joined(cells: Iterable[TrackerCell]) -> TrackerCell:
    """Several results told in one tracker column: what changed, or else the last cell."""
    cells = list(cells)
    changed = [cell for cell in cells if cell.changed]
    if not changed:
        return cells[-1]
    return TrackerCell("; ".join(cell.text for cell in changed), changed=True)


def caption(results: Iterable[PacketResult | ChangeResult], labels: Mapping[str, str]) -> str:
    """The sentences of one step: the rule changes since the last packet, then the packet."""
    return " ".join(explain.caption(result, labels) for result in results)


def step_caption(number: int, total: int, told: str) -> str:
    """The caption of step ``number`` of ``total``; ``told`` is the step's own ``caption``."""
    if number:
        return f"Step {number} of {total}. {told}"
    if not total:
        return "This scenario sends no packets yet: there is nothing to step through."
    return f"Step 0 of {total}: no packet sent yet. Press Step (or →) to send the first packet."


def chart_path(number: int, stops: Sequence[str]) -> str:
    """The accessible description of one lane of the flowchart at step ``number``: the labels
    of the nodes the step's packet passes in that lane, in order."""
    if not number:
        return "No packet sent yet."
    if not stops:
        return f"Step {number} does not pass through this lane."
    return f"Step {number}: " + " → ".join(stops) + "."
