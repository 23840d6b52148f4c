"""Faults and notices found while reading a scenario or AWS JSON.

A validator reports *every* problem it finds, each with the path of the offending value
(``security_groups[0].IpPermissions[2].IpRanges[0].CidrIp``) and a sentence saying what is
wrong and what is allowed, so an author can fix a file in one pass. Faults stop a scenario
from loading; notices (warnings) do not.
"""

from __future__ import annotations

import json
import math
import re
import sys
from dataclasses import dataclass, field
from typing import Any

# What every place a scenario is kept or shown can hold (PostgreSQL's jsonb, SQLite, Django's
# JSON encoder, a browser, a UTF-8 terminal), so a document that validates is never refused
# later, when it is saved or played:
# - whole numbers within a 64-bit integer: SQLite's JSON functions turn larger ones into
#   approximate reals, and Python refuses to print one of more than 4,300 digits at all;
MAX_WHOLE_NUMBER = 2**63 - 1
# - containers nested at most this deep: the format's deepest value is 8 levels down
#   (security_groups.SecurityGroups[0].IpPermissions[0].IpRanges[0].CidrIp), and JSON
#   readers and writers, Python's included, recurse once per level;
MAX_NESTING = 32
# - no NaN or Infinity (not JSON; PostgreSQL refuses them, SQLite's JSON check too), no
#   lone surrogate (half a UTF-16 pair: UTF-8 cannot encode it), no NUL (PostgreSQL's text
#   and jsonb cannot hold U+0000).
_UNSTORABLE_CHARACTER = re.compile("[\x00\ud800-\udfff]")


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

    def as_string(self, value: Any, path: str, *, empty_ok: bool = False, what: str = "some text") -> str | None:
        """A string; an empty one only if ``empty_ok``. ``what`` says what to write instead of an
        empty one ("a subnet id, e.g. subnet-web"): a form's field left empty reads
        "this is empty; write a subnet id, e.g. subnet-web"."""
        if value is MISSING:
            return None
        if isinstance(value, str) and (empty_ok or value.strip()):
            return value
        if isinstance(value, str):
            self.fault(path, f"{blank(value)}; write {what}")
        else:
            self.fault(path, f"expected a non-empty string, got {describe(value)}")
        return None

    def as_bool(self, value: Any, path: str) -> bool | None:
        return self._of_type(value, path, bool, "true or false")

    def as_int(self, value: Any, path: str, low: int, high: int, what: str = "") -> int | None:
        """A whole number in low..high; ``what`` names the range in the message (e.g. "ports")."""
        if value is MISSING:
            return None
        allowed = f"{low}-{high}" + (f" ({what})" if what else "")
        if isinstance(value, str) and not value.strip():
            self.fault(path, f"{blank(value)}; write a whole number {allowed}")
            return None
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


def blank(text: str) -> str:
    """What a string with nothing in it holds, said of the field or value that holds it."""
    return "this holds only spaces" if text else "this is empty"


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


class LongNumber(float):
    """What ``parse_json`` reads a whole number of more than 4,300 digits as (Python refuses to
    convert one): infinity, for any reader, remembering its digits so that ``storage_faults``
    can say what it was."""

    digits: int

    def __new__(cls, digits: int) -> LongNumber:
        number = super().__new__(cls, math.inf)
        number.digits = digits
        return number


def _whole_number(text: str) -> int | LongNumber:
    try:
        return int(text)
    except ValueError:  # over Python's int-conversion limit
        return LongNumber(len(text.lstrip("-")))


def parse_json(text: str | bytes) -> Any:
    """Parse JSON text; a syntax error becomes a ScenarioError naming line and column."""
    try:
        return json.loads(text, parse_int=_whole_number)
    except json.JSONDecodeError as error:
        raise ScenarioError([Fault("", f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}")]) from None
    except UnicodeDecodeError as error:
        raise ScenarioError([Fault("", f"unreadable JSON: {error}")]) from None
    except RecursionError:
        text = text.decode("utf-8") if isinstance(text, bytes) else text  # it decoded, or this error would have come first
        line, column = _too_deep(text)
        raise ScenarioError([Fault("", f"invalid JSON at line {line}, column {column}: {_nesting_message()}")]) from None


_BRACKET_OR_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _too_deep(text: str) -> tuple[int, int]:
    """Line and column of the first bracket nested deeper than MAX_NESTING (only called when
    the text is nested far deeper, so there is one)."""
    depth = 0
    for match in _BRACKET_OR_STRING.finditer(text):
        bracket = match.group()
        if bracket in "[{":
            depth += 1
            if depth > MAX_NESTING:
                start = match.start()
                return text.count("\n", 0, start) + 1, start - text.rfind("\n", 0, start)
        elif bracket in "]}":
            depth -= 1
    return 1, 1


def _nesting_message() -> str:
    return (f"nested more than {MAX_NESTING} levels deep; nothing in a scenario is more than 8 levels down "
            "(security_groups.SecurityGroups[0].IpPermissions[0].IpRanges[0].CidrIp): remove or flatten it")


def storage_faults(doc: Any) -> list[Fault]:
    """Values no store or page of a scenario can hold (see MAX_WHOLE_NUMBER above), wherever
    they are, also under keys the format ignores, in document order. The walk keeps its own
    stack: a document nested 100,000 deep must not exhaust Python's."""
    faults: list[Fault] = []
    # (value, where, nesting) with ``where`` a (parent's where, key) chain, made into a path
    # only for a fault, and ``nesting`` the containers around the value.
    stack: list[tuple[Any, tuple, int]] = [(doc, (), 0)]
    while stack:
        value, where, nesting = stack.pop()
        if isinstance(value, str):
            problem = _text_problem(value)
            if problem:
                faults.append(Fault(_path(where), problem))
        elif isinstance(value, float):
            if not math.isfinite(value):
                faults.append(Fault(_path(where), _number_problem(value)))
        elif isinstance(value, int) and not isinstance(value, bool):
            if not -MAX_WHOLE_NUMBER <= value <= MAX_WHOLE_NUMBER:
                faults.append(Fault(_path(where), _number_problem(value)))
        elif isinstance(value, (dict, list)):
            if nesting == MAX_NESTING:
                faults.append(Fault(_path(where), _nesting_message()))
                continue
            members = value.items() if isinstance(value, dict) else enumerate(value)
            children = []
            for key, child in members:
                problem = _text_problem(key) if isinstance(key, str) else ""
                if problem:
                    faults.append(Fault(_path((where, key)), f"this key {problem}"))
                children.append((child, (where, key), nesting + 1))
            stack.extend(reversed(children))
    return faults


def _path(where: tuple) -> str:
    keys = []
    while where:
        where, key = where
        keys.append(key)
    path = ""
    for key in reversed(keys):
        path = join(path, escaped(key) if isinstance(key, str) else key)
    return path


# The characters str.splitlines breaks a line at: a key may hold any of them, and a path names
# its key, so a message printed one to a line escapes them (the command line).
LINE_BREAK = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def escaped(text: str, characters: re.Pattern = _UNSTORABLE_CHARACTER) -> str:
    """``text`` with each of ``characters`` (by default NUL and lone surrogates) written as its
    \\u escape: printable, and inside a JSON string the same value."""
    return characters.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def _text_problem(text: str) -> str:
    found = _UNSTORABLE_CHARACTER.search(text)
    if found is None:
        return ""
    character = ord(found.group())
    if character == 0:
        return f"contains the NUL character (\\u0000) at position {found.start()}, which PostgreSQL cannot store: remove it"
    return (f"contains a lone surrogate (\\u{character:04x}) at position {found.start()}: half of a UTF-16 pair, "
            "which cannot be stored or shown as text; remove it or write the whole character")


def _digits(number: int | LongNumber) -> str:
    if isinstance(number, LongNumber):
        return f"{number.digits:,}"
    try:
        return f"{len(str(abs(number))):,}"
    except ValueError:  # a dict built in Python can hold what no JSON text gives
        return f"more than {sys.get_int_max_str_digits():,}"


def _number_problem(number: int | float) -> str:
    if isinstance(number, (LongNumber, int)):
        return (f"a whole number of {_digits(number)} digits is too large; numbers in a scenario are at most "
                f"{MAX_WHOLE_NUMBER} (2^63-1, a 64-bit integer), which is all a database stores exactly: write a smaller number")
    if math.isnan(number):
        return "NaN is not a number JSON allows, and the database refuses it: write a number"
    sign = "-" if number < 0 else ""
    return (f"{sign}Infinity is not a number JSON allows (a number as large as 1e400 reads as Infinity too), "
            "and the database refuses it: write a finite number")
