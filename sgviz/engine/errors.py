"""Faults and notices found while reading a scenario or AWS JSON.

A validator reports *every* problem it finds, each with the path of the offending value
(``security_groups[0].IpPermissions[2].IpRanges[0].CidrIp``) and a sentence saying what is
wrong and what is allowed, so an author can fix a file in one pass. Faults stop a scenario
from loading; notices (warnings) do not.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


class _Missing:
    """What ``Findings.required`` returns for an absent key, after reporting it once."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


@dataclass(frozen=True, slots=True)
class Fault:
    """Something that makes the input unusable."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


@dataclass(frozen=True, slots=True)
class Notice:
    """Something that loads but probably surprises the author (a warning)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ScenarioError(ValueError):
    """Invalid input; ``faults`` lists every problem found, in document order."""

    def __init__(self, faults: tuple[Fault, ...] | list[Fault]) -> None:
        self.faults = tuple(faults)
        super().__init__("\n".join(str(fault) for fault in self.faults))


@dataclass(slots=True)
class Findings:
    """Collects faults and notices while a document is walked; the readers share one."""

    faults: list[Fault] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    # (path, id) of every group and prefix list a rule names; resolved once all are read.
    references: list[tuple[str, str]] = field(default_factory=list)
    # Ids of things (groups, ACLs) that loaded with faults inside: checks that depend on their
    # contents are skipped, so one mistake is reported once rather than again downstream.
    suspect: set[str] = field(default_factory=set)

    def fault(self, path: str, message: str) -> None:
        self.faults.append(Fault(path, message))

    def notice(self, path: str, message: str) -> None:
        self.notices.append(Notice(path, message))

    def raise_if_faulty(self) -> None:
        if self.faults:
            raise ScenarioError(self.faults)

    # Typed reads: each returns the value, or None after recording a fault that says what
    # was expected, so a caller can carry on and find the next problem.

    def _of_type(self, value: Any, path: str, kind: type, expected: str) -> Any:
        """``value`` if it is a ``kind``; else a fault saying what was expected (None if absent)."""
        if value is MISSING:
            return None
        if isinstance(value, kind):
            return value
        self.fault(path, f"expected {expected}, got {describe(value)}")
        return None

    def as_object(self, value: Any, path: str) -> dict | None:
        return self._of_type(value, path, dict, "an object {...}")

    def as_list(self, value: Any, path: str) -> list | None:
        return self._of_type(value, path, list, "a list [...]")

    def as_string(self, value: Any, path: str, *, empty_ok: bool = False) -> str | None:
        if value is MISSING:
            return None
        if isinstance(value, str) and (empty_ok or value.strip()):
            return value
        self.fault(path, f"expected a non-empty string, got {describe(value)}")
        return None

    def as_bool(self, value: Any, path: str) -> bool | None:
        return self._of_type(value, path, bool, "true or false")

    def as_int(self, value: Any, path: str, low: int, high: int, what: str = "") -> int | None:
        """A whole number in low..high; ``what`` names the range in the message (e.g. "ports")."""
        if value is MISSING:
            return None
        allowed = f"{low}-{high}" + (f" ({what})" if what else "")
        if isinstance(value, bool) or not isinstance(value, int):
            self.fault(path, f"expected a whole number {allowed}, got {describe(value)}")
            return None
        if not low <= value <= high:
            self.fault(path, f"{value} is outside {allowed}")
            return None
        return value

    def only_keys(self, obj: dict, allowed: tuple[str, ...], path: str) -> None:
        """Refuse keys the format does not define (typos would otherwise be silently ignored)."""
        for key in obj:
            if key not in allowed:
                self.fault(join(path, key), f"unknown key; allowed keys here: {', '.join(allowed)}")

    def required(self, obj: dict, key: str, path: str) -> Any:
        """obj[key], or MISSING after a fault; the as_* reads pass MISSING on silently."""
        if key not in obj:
            self.fault(join(path, key), "is required")
            return MISSING
        return obj[key]


def join(path: str, key: str | int) -> str:
    """The path of a member: join("a", "b") == "a.b", join("a", 0) == "a[0]"."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def describe(value: Any) -> str:
    """A JSON value's kind and (short) content, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the string {value!r}"
    return "a list" if isinstance(value, list) else "an object"


def parse_json(text: str | bytes) -> Any:
    """Parse JSON text; a syntax error becomes a ScenarioError naming line and column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ScenarioError([Fault("", f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}")]) from None
    except (UnicodeDecodeError, RecursionError) as error:
        raise ScenarioError([Fault("", f"unreadable JSON: {error}")]) from None
