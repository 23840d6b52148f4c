"""The player as a pure state machine: a state (step, playing, speed) and an action give the
next state. No Django, no I/O, no clock: the consumer parses a message into an ``Action``,
applies it, renders the new state and sends it; autoplay is the consumer calling ``tick``.

Every action, its one argument and that argument's limits are declared once, in ``ACTIONS``:
the same table parses messages, words the error messages, and gives the page the constants
its script needs (``client_constants``, printed as data-* attributes).

Message format (htmx's ws-send also adds a "HEADERS" object, which is ignored)::

    {"action": "step"}               the next step (at the last step: stays there)
    {"action": "back"}               the previous step (at step 0: stays there)
    {"action": "goto", "step": k}    step k, from 0 to the number of packets
    {"action": "reset"}              step 0
    {"action": "last"}               the last step
    {"action": "play"}               advance one step every AUTOPLAY_SECONDS / speed (from 0 if at the end)
    {"action": "pause"}              stop playing
    {"action": "toggle"}             play when paused, pause when playing
    {"action": "speed", "speed": s}  s one of SPEEDS

Any action that moves the player stops autoplay: the learner took over.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Callable

AUTOPLAY_SECONDS = 1.6  # one step at 1x
SPEEDS = (0.5, 0.75, 1.0, 1.5, 2.0)
MAX_MESSAGE_BYTES = 4096
MESSAGES_PER_SECOND = 20
# A number written with more characters than this (in a string or an address) is refused
# before it is converted; no scenario has a step with more than a few digits.
MAX_NUMBER_CHARACTERS = 20
EXAMPLE = 'Send one JSON object such as {"action": "step"}.'
SHOWN_CHARACTERS = 40
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class PlayerState:
    step: int
    total: int
    playing: bool = False
    speed: float = 1.0

    def __post_init__(self):
        if not 0 <= self.step <= self.total:
            raise ValueError(f"step {self.step} is outside 0..{self.total}")

    @property
    def at_end(self) -> bool:
        return self.step == self.total


@dataclass(frozen=True, slots=True)
class BadMessage(Exception):
    """What is wrong with a message and how to fix it, shown in #player-error."""

    problem: str
    fix: str


def printable(text: str) -> str:
    """Text from a message cut short and made sendable: a lone surrogate (which no UTF-8
    frame can carry, so sending it would crash the socket) becomes U+FFFD."""
    return LONE_SURROGATE.sub("\ufffd", text[:SHOWN_CHARACTERS])


def shown(value) -> str:
    """A value from a message as the sender wrote it (JSON, not Python's repr), cut short."""
    try:
        return printable(json.dumps(value, ensure_ascii=False))
    except (ValueError, RecursionError):
        return "that value"


def _number(value) -> Decimal | None:
    """A JSON number, or a string holding one (as a form field sends it), as an exact Decimal;
    None for anything else and for NaN or infinities. Decimal, not float: a 309-digit integer
    overflows a float."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    if isinstance(value, str) and len(value) > MAX_NUMBER_CHARACTERS:
        return None  # before converting: int() refuses over 4,300 digits, slowly
    try:
        number = Decimal(value) if isinstance(value, int) else Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def parse_step(value, total: int) -> int:
    """A step from 0 to ``total``, from a message or an address; raises BadMessage."""
    number = _number(value)
    if number is None or number != number.to_integral_value():
        raise BadMessage(f"The step must be a whole number, not {shown(value)}.", f"Give a step from 0 to {total}.")
    if not 0 <= number <= total:
        raise BadMessage(f"Step {printable(format(number, 'f'))} is out of range.", f"This scenario has steps 0 to {total}.")
    return int(number)


def parse_speed(value, total: int) -> float:
    number = _number(value)
    if number is None or float(number) not in SPEEDS:
        raise BadMessage(f"The speed must be one of {SPEED_WORDS}, not {shown(value)}.", f"Pick {SPEED_WORDS}.")
    return float(number)


SPEED_WORDS = ", ".join(f"{speed:g}" for speed in SPEEDS[:-1]) + f" or {SPEEDS[-1]:g}"


@dataclass(frozen=True, slots=True)
class Argument:
    name: str
    parse: Callable[[object, int], object]  # (value, total) -> parsed value; raises BadMessage
    example: object


STEP = Argument("step", parse_step, 2)
SPEED = Argument("speed", parse_speed, 1.5)


def _moved(state: PlayerState, step: int) -> PlayerState:
    return replace(state, step=step, playing=False)


def _play(state: PlayerState, _) -> PlayerState:
    start = 0 if state.at_end else state.step
    return replace(state, step=start, playing=start < state.total)


def _toggle(state: PlayerState, _) -> PlayerState:
    return replace(state, playing=False) if state.playing else _play(state, None)


@dataclass(frozen=True, slots=True)
class ActionSpec:
    name: str
    argument: Argument | None
    apply: Callable[[PlayerState, object], PlayerState]

    def usage(self) -> str:
        example = f', "{self.argument.name}": {self.argument.example}' if self.argument else ""
        return f'Send {{"action": "{self.name}"{example}}}.'


ACTIONS = {
    spec.name: spec
    for spec in (
        ActionSpec("step", None, lambda s, _: _moved(s, min(s.step + 1, s.total))),
        ActionSpec("back", None, lambda s, _: _moved(s, max(s.step - 1, 0))),
        ActionSpec("goto", STEP, _moved),
        ActionSpec("reset", None, lambda s, _: _moved(s, 0)),
        ActionSpec("last", None, lambda s, _: _moved(s, s.total)),
        ActionSpec("play", None, _play),
        ActionSpec("pause", None, lambda s, _: replace(s, playing=False)),
        ActionSpec("toggle", None, _toggle),
        ActionSpec("speed", SPEED, lambda s, speed: replace(s, speed=speed)),
    )
}


@dataclass(frozen=True, slots=True)
class Action:
    spec: ActionSpec
    value: object = None

    def apply(self, state: PlayerState) -> PlayerState:
        return self.spec.apply(state, self.value)


def parse(text: str, total: int) -> Action:
    """The action in one websocket message; raises BadMessage saying what to fix."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_MESSAGE_BYTES:
        raise BadMessage(f"The message is {size} bytes; the limit is {MAX_MESSAGE_BYTES}.", EXAMPLE)
    try:
        message = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: arrays nested a thousand deep
        raise BadMessage("The message is not valid JSON.", EXAMPLE) from None
    if not isinstance(message, dict):
        raise BadMessage("The message must be a JSON object.", EXAMPLE)
    message.pop("HEADERS", None)
    name = message.get("action")
    spec = ACTIONS.get(name) if isinstance(name, str) else None
    if spec is None:
        raise BadMessage(f"Unknown action {shown(name)}.", f"Use one of: {', '.join(ACTIONS)}.")
    expected = {"action", spec.argument.name} if spec.argument else {"action"}
    unexpected = sorted(set(message) - expected)
    if unexpected:
        raise BadMessage(f"Unexpected field “{printable(unexpected[0])}” for {spec.name}.", spec.usage())
    if spec.argument is None:
        return Action(spec)
    if spec.argument.name not in message:
        raise BadMessage(f"{spec.name} needs a “{spec.argument.name}”.", spec.usage())
    return Action(spec, spec.argument.parse(message[spec.argument.name], total))


def tick(state: PlayerState) -> PlayerState:
    """One autoplay step: forward, and stopped once the last step is shown."""
    if not state.playing:
        return state
    step = min(state.step + 1, state.total)
    return replace(state, step=step, playing=step < state.total)


def autoplay_delay(state: PlayerState) -> float:
    return AUTOPLAY_SECONDS / state.speed


def client_constants() -> dict[str, str]:
    """What the page's script needs from here, as data-* attribute values (never copied into JS)."""
    return {
        "autoplay-seconds": f"{AUTOPLAY_SECONDS:g}",
        "speeds": " ".join(f"{speed:g}" for speed in SPEEDS),
        "messages-per-second": str(MESSAGES_PER_SECOND),
        "max-message-bytes": str(MAX_MESSAGE_BYTES),
    }
