"""One Undo for a draft replaced whole: what is kept, and what the page offers. Pure, no Django.

A starting point, "Edit a copy", the JSON box and an AWS import replace the learner's draft
(an import, much of it). The draft keeps what such a change replaced (``Draft.replaced``, one
level), and Undo swaps the two back: what replaced the draft is kept in its turn, so pressing
again brings it back, and nothing is lost either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .editor import places, row_counts

START, COPY, JSON, IMPORT = "start", "copy", "json", "import"


def replacement(kind: str, title: str = "") -> dict:
    """What replaced a draft (``Draft.replace``'s ``by``), as kept in the database."""
    return {"kind": kind, "title": title, "undone": False}


def undone(by: dict) -> dict:
    """What Undo records as the swap's cause: the same replacement, undone (or redone)."""
    return {**by, "undone": not by.get("undone", False)}


@dataclass(frozen=True)
class Offer:
    text: str  # what happened, and what is kept
    button: str  # what pressing Undo does
    at: int  # the draft's version the replacement made: an Undo names it, so it undoes that one only


def offer(kept: Any) -> Offer | None:
    """What the page says after a replacement, given the draft's ``replaced`` (None: nothing
    to undo)."""
    if not isinstance(kept, dict) or not isinstance(kept.get("by"), dict):
        return None
    by = kept["by"]
    if not by.get("undone") and not (any(places(kept.get("document"))) or kept.get("json_text") or kept.get("paste_text")):
        return None  # it replaced an empty draft: nothing to bring back
    kind, title = by.get("kind"), by.get("title", "")
    summary = row_counts(kept.get("document"))
    if by.get("undone"):
        what = {START: f"the starting point “{title}”", COPY: f"the copy of shared scenario {title}", JSON: "the JSON you saved", IMPORT: "the import"}.get(kind, "what replaced it")
        return Offer(f"Your previous draft is back. What replaced it, {what} ({summary}), is kept too.", f"Redo: bring back {what}", kept.get("at"))
    happened = {
        START: f"You started from “{title}”.",
        COPY: f"You started from a copy of shared scenario {title}.",
        JSON: "You saved the JSON box over your draft.",
        IMPORT: "You imported AWS output into your draft.",
    }.get(kind, "Your draft was replaced.")
    return Offer(f"{happened} The draft it replaced ({summary}) is kept.", "Undo: bring back my previous draft", kept.get("at"))
