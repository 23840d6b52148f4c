"""Learn's mental model, taken from the engine: the lesson's first tracked request, the
connection-table entry it leaves, and the reply that entry lets out. Pure (no Django)."""

from __future__ import annotations

from dataclasses import dataclass

from sgviz.engine.results import Basis

from .demos import replay


@dataclass(frozen=True, slots=True)
class MentalModel:
    request: str  # "198.51.100.10:50000 → 10.0.1.10:80/tcp"
    request_why: str  # the engine's explanation
    entry: str  # the connection-table row it recorded
    reply: str
    reply_why: str


def mental_model(document: dict) -> MentalModel | None:
    """None when the scenario has no tracked request answered by state (nothing to draw)."""
    steps = replay(document)
    request = next((s for s in steps if s.is_packet and s.allowed and s.tracked), None)
    if request is None:
        return None
    reply = next((s for s in steps[request.number:] if s.basis == Basis.STATE), None)
    if reply is None:
        return None
    return MentalModel(request.what, request.explanation, request.table[-1].connection, reply.what, reply.explanation)
