"""Scenario documents the I/O tests start from (each test changes one thing)."""

import json
from pathlib import Path

HERE = Path(__file__).parent
# Real describe-security-groups output, copied with its sources and licences (see aws/README.md).
FIXTURES = HERE / "aws"
SEED = HERE.parents[2] / "examples" / "seed-lesson.json"


def scenario_doc() -> dict:
    """A fresh copy of a valid scenario using every part of the format."""
    return json.loads((HERE / "scenario.json").read_text())


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text()
