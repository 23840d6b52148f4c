"""Reading content/modes/<lesson-slug>/<mode>.md (the mode's Markdown body) and <mode>.json
(its structured parts: Learn's "steps", Why's and Deep's "demos", Perf's "scenario" and
"load"). Pure (no Django): the load_modes command writes what this reads."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .apps import MODES

CONTENT = Path(__file__).resolve().parent.parent / "content" / "modes"


@dataclass(frozen=True)
class ModeContent:
    lesson_slug: str
    mode: str
    body: str
    parts: dict  # the <mode>.json object, {} when there is none


def read(folder: Path = CONTENT) -> list[ModeContent]:
    found = []
    for lesson_folder in sorted(p for p in folder.iterdir() if p.is_dir()):
        for mode in MODES:
            body = lesson_folder / f"{mode}.md"
            if not body.exists():
                continue
            parts = lesson_folder / f"{mode}.json"
            found.append(
                ModeContent(lesson_folder.name, mode, body.read_text(), json.loads(parts.read_text()) if parts.exists() else {})
            )
    return found
