"""The puzzle page's rule editor: pure, no Django.

The editor is the sandbox's group rows (sandbox.editor) over a document that holds only
``security_groups``. Its form carries ``base``, the groups JSON the page was drawn from; a
post lays the edited fields over ``base`` and then applies the button pressed: "check" (grade
what was typed) or one of the sandbox's group actions (add or remove a rule or a group).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sandbox import document as documents
from sandbox.editor import apply_form, places

CHECK = "check"
# The sandbox's actions that the group rows' buttons send (document.apply_action).
GROUP_ACTIONS = ("add_group", "remove_group", "add_rule", "remove_rule")
STALE = "This editor is out of date or was changed on the way: nothing was checked or stored. Reload the page and edit the rules again."


class EditError(ValueError):
    """A post the editor cannot apply: a garbled or stale ``base``, or an unknown button."""


def groups_document(groups: Any) -> dict:
    """The editor's document for security groups as the JSON form takes them (the output of
    describe-security-groups, whole or its list): one rule per peer, as the rows show them."""
    return documents.normalize({"security_groups": groups})


def base_text(doc: dict) -> str:
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


def read_base(text: str, max_characters: int) -> dict:
    """The document a posted ``base`` holds; EditError when it is not one this page drew."""
    if len(text) > max_characters:
        raise EditError(STALE)
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        raise EditError(STALE) from None
    if not isinstance(doc, dict) or set(doc) != {"security_groups"} or not isinstance(doc["security_groups"], list):
        raise EditError(STALE)
    return doc


@dataclass(frozen=True)
class Edit:
    doc: dict  # the groups after the post: typing laid over base, then the action applied
    check: bool  # grade doc (else show it again, nothing stored)


def edit(base: dict, data: dict[str, str], action: str) -> Edit:
    """Apply a post of the editor to ``base``. A post whose rows are not base's rows (a page
    drawn from other groups) is refused rather than laid over the wrong rules."""
    posted_rows = {name.removesuffix("-present") for name in data if name.endswith("-present")}
    if posted_rows != {place.key for place in places(base)}:
        raise EditError(STALE)
    doc = apply_form(base, data)
    if action == CHECK:
        return Edit(doc, check=True)
    if action.partition(":")[0] not in GROUP_ACTIONS:
        raise EditError(f"The editor has no button {action[:40]!r}: nothing was checked or stored. Reload the page.")
    try:
        return Edit(documents.apply_action(doc, action), check=False)
    except documents.ActionError:
        raise EditError(STALE) from None
