"""``python -m sgviz.engine``: will these packets pass my security groups, and why?

    python -m sgviz.engine run FILE.json [--format text|jsonl]
    python -m sgviz.engine check FILE.json

``run`` plays the scenario's timeline and prints one verdict per packet (text: a table that
also shows the changes; jsonl: one JSON object per packet). ``check`` only validates.
Exit status: 0 done (warnings, if any, go to stderr), 2 bad input (each fault on its own
line, with its path), as argparse does for a bad command line.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from . import awsjson, explain
from .errors import LINE_BREAK, Fault, escaped
from .model import NaclEntry, Rule, Scenario
from .results import ChangeResult, PacketResult, Verdict
from .scenario import validate_scenario
from .simulation import simulate

BAD_INPUT = 2
VERDICT_TEXT = {Verdict.ALLOW: "✓ ALLOW", Verdict.DROP: "✗ DROP"}


def main(argv: list[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = argparse.ArgumentParser(prog="python -m sgviz.engine", description="Simulate AWS security groups, connection tracking and network ACLs.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="play a scenario's timeline and print each packet's verdict")
    run.add_argument("file", help="scenario JSON file (see docs/engine.md)")
    run.add_argument("--format", choices=("text", "jsonl"), default="text", help="text: a table (default); jsonl: one JSON object per packet")
    check = commands.add_parser("check", help="validate a scenario without running it")
    check.add_argument("file", help="scenario JSON file")
    args = parser.parse_args(argv)

    scenario = _load(args.file, err)
    if scenario is None:
        return BAD_INPUT
    if args.command == "run":
        results = simulate(scenario).results
        if args.format == "jsonl":
            write_jsonl(results, out)
        else:
            write_text(results, scenario, out)
    else:
        packets = sum(1 for entry in scenario.timeline if entry.packet is not None)
        print(f"{args.file}: valid ({packets} packets, the steps a lesson walks through)", file=out)
    return 0


def _load(path: str, err: TextIO) -> Scenario | None:
    """The scenario, or None after printing every fault; warnings are printed either way."""
    try:
        with open(path, "rb") as handle:
            text = handle.read()
    except OSError as error:
        return _refuse(path, [Fault("", f"cannot read the file: {error.strerror or error}")], err)
    scenario, faults, notices = validate_scenario(text)
    for notice in notices:
        print(f"warning: {_one_line(notice)}", file=err)
    if faults:
        return _refuse(path, faults, err)
    return scenario


def _refuse(path: str, faults: list[Fault] | tuple[Fault, ...], err: TextIO) -> None:
    for fault in faults:
        print(f"error: {_one_line(fault)}", file=err)
    count = f"{len(faults)} error{'s' if len(faults) != 1 else ''}"
    print(f"{_one_line(path)}: {count}; nothing was run", file=err)
    return None


def _one_line(said: object) -> str:
    """One fault or warning to a line, whatever line breaks the keys in its path hold."""
    return escaped(str(said), LINE_BREAK)


def deciding_rule_to_aws(rule: Rule | NaclEntry | None) -> dict | None:
    """The deciding security group rule (describe-security-group-rules shape) or NACL entry
    (describe-network-acls shape)."""
    if rule is None:
        return None
    return awsjson.rule_to_aws(rule) if isinstance(rule, Rule) else awsjson.nacl_entry_to_aws(rule)


def packet_record(result: PacketResult) -> dict:
    """One packet's verdict as the jsonl runner prints it."""
    return {
        "index": result.index,
        "at": result.at,
        "verdict": result.verdict.value,
        "basis": result.basis.value,
        "tracked": result.tracked,
        "rule": deciding_rule_to_aws(result.rule),
        "explanation": result.explanation,
    }


def write_jsonl(results: tuple[PacketResult | ChangeResult, ...], out: TextIO) -> None:
    for result in results:
        if isinstance(result, PacketResult):
            print(json.dumps(packet_record(result), ensure_ascii=False), file=out)


def write_text(results: tuple[PacketResult | ChangeResult, ...], scenario: Scenario, out: TextIO) -> None:
    """A table: one row per timeline entry; the explanation says why."""
    rows = [("#", "at", "packet", "verdict", "basis", "tracked", "why")]
    for result in results:
        if isinstance(result, PacketResult):
            tracked = "" if result.tracked is None else "yes" if result.tracked else "no (untracked)"
            rows.append((str(result.index), _seconds(result.at), explain.describe_packet(result.packet), VERDICT_TEXT[result.verdict], result.basis.value, tracked, result.explanation))
        else:
            rows.append((str(result.index), _seconds(result.at), "change", "", "", "", result.explanation))
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths)] + [row[-1]]
        print("  ".join(cells).rstrip(), file=out)
    labels = scenario.labels
    if labels:
        print("\nlabels: " + ", ".join(f"{address} = {name}" for address, name in labels.items()), file=out)


def _seconds(at: float) -> str:
    return f"{at:g}s"


if __name__ == "__main__":  # pragma: no cover - python -m sgviz.engine.cli
    sys.exit(main())
