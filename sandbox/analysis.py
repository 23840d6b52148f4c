"""What the sandbox's pages show about a document: pure, no Django.

Validation with every fault placed at its form field, the engine's warnings, the run with
the stateless verdict beside each packet, and the groups explained. The same document always
gives the same analysis, so it is computed once per content and kept beside the content's
engine run (player.walkthrough's checked cache): a shared snapshot, a draft reloaded
unchanged or played by Run costs no new runs.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from typing import Any

from player.walkthrough import Checked, checked
from sgviz.engine import validate_scenario
from sgviz.engine.where import said

from .compare import compare_stateless
from .document import canonical_json, items
from .editor import editor_rows, incomplete_rows
from .explain import explain_groups
from .paste import non_canonical_cidrs

ANALYSES_CACHED = 64  # analyses of documents that are not a JSON object (no run: small) kept in memory


def analysis(doc: Any) -> dict:
    """A fresh dict per call (pages add to it); its values are shared and never changed.

    A document that is a JSON object is analysed through the walkthrough's checked cache and
    its analysis kept beside the run (``Checked.derived``): the results it shows are the run's
    own objects, so they live and go with the run, and Run on this draft reuses the run."""
    if isinstance(doc, dict):
        engine = checked(doc)
        # A private copy: the kept analysis holds the document's rows, which the caller's
        # document may later be edited in place from.
        kept = engine.derived("analysis", lambda: _analyse(json.loads(canonical_json(doc)), engine))
    else:
        kept = _analysis_of_text(canonical_json(doc))
    # The editor's rows are made for each page, not kept: a page draws them once, and a big
    # draft's rows were a quarter of the objects its cached analysis kept for the collector
    # to scan. What is kept is where its faults go.
    return {**kept, "editor": editor_rows(doc, kept["faults"])}


@lru_cache(maxsize=ANALYSES_CACHED)
def _analysis_of_text(text: str) -> dict:
    return _analyse(json.loads(text), None)


def _analyse(doc: Any, engine: Checked | None) -> dict:
    """The analysis of ``doc``, checked as ``engine`` (None: a document that is not an object)."""
    validation = engine.validation if engine else validate_scenario(doc)
    found = _faults(doc, validation)
    return {
        "faults": found,
        "fault_count": len(found),
        # Standing: a CIDR with host bits set is read as AWS reads it, and said so while it is there.
        "notices": [said(notice.path, notice.message, doc) for notice in (*validation.notices, *non_canonical_cidrs(doc))],
        **(_results(doc, engine) if engine and not found else _NO_RESULTS),
        "valid": validation.scenario is not None and not found,
        "explained": explain_groups(doc) if isinstance(doc, dict) else [],
    }


_NO_RESULTS = {"results": [], "differences": 0}


def _faults(doc: Any, validation) -> list[tuple[str, str]]:
    """(path, message) of every fault: the engine's, then the form rows left incomplete."""
    return [(fault.path, fault.message) for fault in validation.faults] + incomplete_rows(doc)


def _results(doc: dict, engine: Checked) -> dict:
    """A runnable document's run: each timeline entry's result beside its stateless verdict."""
    def make():
        run = engine.run
        compared = {c.index: c for c in compare_stateless(engine.validation.scenario, run.results)}
        timeline = copy.deepcopy(items(doc, "timeline"))  # kept: the caller may edit its document in place later
        results = [{"result": r, "entry": timeline[r.index], "comparison": compared.get(r.index)} for r in run.results]
        return {"results": results, "differences": sum(1 for row in results if row["comparison"] and row["comparison"].differs)}

    return engine.derived("results", make)


def run_results(doc: Any, key: str = "") -> dict:
    """What the player's pages show beside the player (``results``, ``differences``, ``valid``),
    without the editor's rows and the groups explained: for a document that runs (``key``:
    its content key, when the caller has it)."""
    engine = checked(doc, key) if isinstance(doc, dict) else None
    if engine is None or engine.validation.scenario is None or incomplete_rows(doc):
        return {**_NO_RESULTS, "valid": False}
    return {**_results(doc, engine), "valid": True}


def runnable(doc: Any) -> bool:
    """Whether the document runs as it stands: no engine fault, no form row left incomplete
    (the engine's validation, made once per content; not the whole analysis)."""
    return isinstance(doc, dict) and checked(doc).validation.scenario is not None and not incomplete_rows(doc)
