"""The command line against hostile files (tests/engine/hostile.py): ``check`` and ``run``
(both formats) either succeed or exit 2 with one ``error:`` line per fault and a summary line,
never an exception. Run in-process, with output streams that encode UTF-8 strictly as a real
stdout does, so a lone surrogate that reached the output would fail here as it did there."""

import io
import json
import os
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sgviz.engine.cli import BAD_INPUT, main

from .hostile import hostile_files

COMMANDS = [["check"], ["run"], ["run", "--format", "jsonl"]]


def strict_stream():
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict", newline="\n")


def read(stream):
    stream.flush()
    return stream.buffer.getvalue().decode("utf-8")


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(hostile_files(), st.sampled_from(COMMANDS))
def test_a_hostile_file_is_run_or_refused_with_one_line_per_fault(data, command):
    handle, path = tempfile.mkstemp(suffix=".json")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        out, err = strict_stream(), strict_stream()
        status = main([*command, path], out, err)
        printed, complaints = read(out), read(err).splitlines()
    finally:
        os.unlink(path)
    errors = [line for line in complaints if line.startswith("error: ")]
    warnings = [line for line in complaints if line.startswith("warning: ")]
    if status == BAD_INPUT:
        assert printed == "" and errors
        summary = f"{path}: {len(errors)} error{'s' if len(errors) != 1 else ''}; nothing was run"
        assert complaints == warnings + errors + [summary]
        return
    assert status == 0 and complaints == warnings and not errors
    if command == ["check"]:
        assert printed.startswith(f"{path}: valid (")
    elif "jsonl" in command:
        assert all(json.loads(line)["verdict"] in ("ALLOW", "DROP") for line in printed.splitlines())
    else:
        assert printed.splitlines()[0].split()[:3] == ["#", "at", "packet"]
