"""A demo's scenario replayed for the page: every timeline entry, as the engine judged it.

Pure (no Django): the Why and Deep pages render these steps on the server, so a demo
replays without JavaScript through ``?demo=N&step=k`` links. Each step carries the engine's
verdict, basis and explanation and the connection table right after it; nothing is worded here
but the connection rows (``explain.describe_connection``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from sgviz.engine import load_scenario, simulate
from sgviz.engine.explain import describe_connection, describe_packet
from sgviz.engine.results import Basis, ChangeResult, Connection, Verdict


@dataclass(frozen=True, slots=True)
class TableRow:
    """One live connection-table entry after a step."""

    instance: str
    connection: str  # "198.51.100.10:50000 → 10.0.1.10:80/tcp", initiator first
    state: str
    expires_at: float  # seconds on the scenario's clock


@dataclass(frozen=True, slots=True)
class DemoStep:
    number: int  # from 1, counting every timeline entry (packets and rule changes)
    at: float
    what: str  # the packet, or "Rule change"
    verdict: Verdict | None  # None for a rule change
    basis: Basis | None
    tracked: bool | None
    explanation: str
    table: tuple[TableRow, ...]

    @property
    def is_packet(self) -> bool:
        return self.verdict is not None

    @property
    def allowed(self) -> bool:
        return self.verdict == Verdict.ALLOW


def _row(connection: Connection) -> TableRow:
    return TableRow(connection.instance, describe_connection(connection), connection.state, connection.expires_at)


def replay(document: dict) -> tuple[DemoStep, ...]:
    """Every step of the scenario. Raises ``ScenarioError`` when the document is invalid."""
    return _replay(json.dumps(document, sort_keys=True))


@lru_cache(maxsize=256)  # keyed by the canonical document: an edited demo replays afresh
def _replay(canonical: str) -> tuple[DemoStep, ...]:
    run = simulate(load_scenario(json.loads(canonical)))
    steps = []
    for number, (result, table) in enumerate(zip(run.results, run.tables), 1):
        table_rows = tuple(_row(connection) for connection in table)
        if isinstance(result, ChangeResult):
            steps.append(DemoStep(number, result.at, "Rule change", None, None, None, result.explanation, table_rows))
        else:
            steps.append(
                DemoStep(
                    number, result.at, describe_packet(result.packet), result.verdict, result.basis,
                    result.tracked, result.explanation, table_rows,
                )
            )
    return tuple(steps)


def requested_step(value: str | None, total: int) -> int:
    """The step a ``?step=`` asks for, within 1..total; the last one when absent or invalid
    (a demo shown whole reads well without any stepping)."""
    if value and value.isascii() and value.isdigit() and 1 <= int(value) <= total:
        return int(value)
    return total
