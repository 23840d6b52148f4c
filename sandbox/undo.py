"""One Undo for a draft replaced whole: what is kept, and what the page offers. Pure, no Django.

A starting point, "Edit a copy", the JSON box and an AWS import replace the learner's draft
(an import, much of it), and removing a group, an instance, a subnet, a network ACL or a
prefix list takes its rules, entries or fields with it. The draft keeps what such a change
replaced (``Draft.replaced``, one level), and Undo swaps the two back: what replaced the draft
is kept in its turn, so pressing again brings it back, and nothing is lost either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sgviz.engine.where import where

from .editor import REMOVED_FROM, places, row_counts

START, COPY, JSON, IMPORT, REMOVE = "start", "copy", "json", "import", "remove"
# The removals kept for Undo: those of a whole object of a top-level section (a group, an
# instance, a subnet, a network ACL, a prefix list), which takes its rules, entries or fields
# with it. A timeline entry, a rule or an ACL entry is one row, quickly typed again, and keeping
# each would push the Undo of a bigger change out of its one level.
KEPT_REMOVALS = frozenset(action for action, section in REMOVED_FROM.items() if section != "timeline")


def replacement(kind: str, title: str = "") -> dict:
    """What replaced a draft (``Draft.replace``'s ``by``), as kept in the database."""
    return {"kind": kind, "title": title, "undone": False}


def removal(action: str, doc: Any) -> dict | None:
    """What a removal kept for Undo replaced (``Draft.replace``'s ``by``), naming the object
    as the page does ("group sg-web (web)") in ``doc``, the draft it is removed from; None for
    any other editor action."""
    name, _, index = action.partition(":")
    if name not in KEPT_REMOVALS:
        return None
    section = REMOVED_FROM[name]
    return {**replacement(REMOVE, where(f"{section}[{index}]", doc)), "section": section}


def undone(by: dict) -> dict:
    """What Undo records as the swap's cause: the same replacement, undone (or redone)."""
    return {**by, "undone": not by.get("undone", False)}


@dataclass(frozen=True)
class Offer:
    text: str  # what happened, and what is kept
    button: str  # what pressing Undo does
    at: int  # the draft's version the replacement made: an Undo names it, so it undoes that one only
    section: str = ""  # the editor section a removal was in, where the offer is shown ("": above the editor)


def offer(kept: Any, version: int | None = None) -> Offer | None:
    """What the page says after a replacement, given the draft's ``replaced`` and its
    ``version`` now (None: nothing to undo). A removal's Undo is offered only until the draft
    changes again, as an editor's "Removed. Undo" is: pressed after later edits, it would put
    them aside with the draft it swaps out, a surprise for one row removed."""
    if not isinstance(kept, dict) or not isinstance(kept.get("by"), dict):
        return None
    by = kept["by"]
    if by.get("kind") == REMOVE and version != kept.get("at"):
        return None
    if not by.get("undone") and not (any(places(kept.get("document"))) or kept.get("json_text") or kept.get("paste_text")):
        return None  # it replaced an empty draft: nothing to bring back
    kind, title = by.get("kind"), by.get("title", "")
    summary = row_counts(kept.get("document"))
    if kind == REMOVE:
        return _removal_offer(by, title, summary, kept.get("at"))
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


def _removal_offer(by: dict, title: str, summary: str, at: Any) -> Offer:
    section = str(by.get("section", ""))
    if by.get("undone"):
        return Offer(f"{title[:1].upper()}{title[1:]} is back, as the draft was before you removed it. The draft after the removal ({summary}) is kept too.", f"Redo: remove {title} again", at, section)
    return Offer(f"You removed {title}. The draft before the removal ({summary}) is kept.", f"Undo: bring back {title}", at, section)
