"""The live player of a lesson's Visual mode, at ``/ws/lessons/<slug>/?step=k``.

On connect the consumer sends the page's regions for step ``k`` (0 when absent), so a
browser that reconnects resumes where it was. Then the browser sends one small JSON object
per message and gets the changed regions back as HTML fragments that htmx swaps by id
(``partials/live_state.html``), among them ``#flow-state``, whose data-* attributes
lesson.js reads to animate the flowchart.

Actions (htmx's ws-send also adds a "HEADERS" object, which is ignored)::

    {"action": "step"}               the next step (at the last step: stays there)
    {"action": "back"}               the previous step (at step 0: stays there)
    {"action": "goto", "step": k}    step k, from 0 to the number of packets
    {"action": "reset"}              step 0
    {"action": "play"}               advance one step every 1.6 s / speed (from 0 if at the end)
    {"action": "pause"}              stop playing
    {"action": "speed", "speed": s}  s from 0.5 to 2

Any action that moves the player stops autoplay: the learner took over.

Bad input never ends the connection: a message that is not JSON, not an object, an unknown
action, a missing or out-of-range step or speed, an unexpected field, a binary frame, more
than 4096 bytes, or more than 20 messages a second gets an error fragment in
``#player-error`` saying what is wrong and how to fix it, and the state stays as it was.

Close codes (the htmx ws extension only reconnects after 1006/1011/1012/1013, so these
are final):

    4404  no lesson with this slug that this user may see; sent after accepting, because a
          refused handshake looks like a network failure (1006) and the browser would retry
    4008  flood: kept sending after the rate-limit error (40 refused messages in a row)

A connection from a page on another site is refused before it reaches this consumer, by
``AllowedHostsOriginValidator`` in ``config/asgi.py``.
"""

import asyncio
import json
import logging
import math
import time
from dataclasses import dataclass
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.template.loader import render_to_string

from . import walkthrough

logger = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 4096
MESSAGES_PER_SECOND = 20
REFUSALS_BEFORE_CLOSE = 40
AUTOPLAY_SECONDS = 1.6
MIN_SPEED, MAX_SPEED = 0.5, 2.0
CLOSE_NO_LESSON = 4404
CLOSE_FLOOD = 4008
clock = time.monotonic  # the rate limit's clock (tests freeze it to count a flood exactly)
EXAMPLE = 'Send one JSON object such as {"action": "step"}.'
ACTIONS = {"step": None, "back": None, "goto": "step", "reset": None, "play": None, "pause": None, "speed": "speed"}


@dataclass
class BadMessage(Exception):
    """What is wrong with a message and how to fix it, shown in #player-error."""

    problem: str
    fix: str


class RateLimit:
    """A token bucket: bursts of up to ``rate`` messages, ``rate`` a second on average."""

    def __init__(self, rate):
        self.rate = rate
        self.tokens = float(rate)
        self.checked = clock()
        self.refused_in_a_row = 0

    def allow(self):
        now = clock()
        self.tokens = min(self.rate, self.tokens + (now - self.checked) * self.rate)
        self.checked = now
        if self.tokens >= 1:
            self.tokens -= 1
            self.refused_in_a_row = 0
            return True
        self.refused_in_a_row += 1
        return False


def parse_action(text, total):
    """The action and its value from one message; raises BadMessage saying what to fix."""
    size = len(text.encode())
    if size > MAX_MESSAGE_BYTES:
        raise BadMessage(f"The message is {size} bytes; the limit is {MAX_MESSAGE_BYTES}.", EXAMPLE)
    try:
        message = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: arrays nested a thousand deep
        raise BadMessage("The message is not valid JSON.", EXAMPLE) from None
    if not isinstance(message, dict):
        raise BadMessage("The message must be a JSON object.", EXAMPLE)
    message.pop("HEADERS", None)
    action = message.get("action")
    if action not in ACTIONS:
        raise BadMessage(f"Unknown action {_shown(action)}.", f"Use one of: {', '.join(ACTIONS)}.")
    field = ACTIONS[action]
    unexpected = sorted(set(message) - {"action", field})
    if unexpected:
        raise BadMessage(f"Unexpected field “{unexpected[0][:40]}” for {action}.", _usage(action))
    if field and field not in message:
        raise BadMessage(f"{action} needs a “{field}”.", _usage(action))
    if field == "step":
        return action, _step(message.get("step"), total)
    if field == "speed":
        return action, _speed(message.get("speed"))
    return action, None


def _usage(action):
    field = ACTIONS[action]
    example = {"step": ', "step": 2', "speed": ', "speed": 1.5'}.get(field, "")
    return f'Send {{"action": "{action}"{example}}}.'


def _shown(value):
    """A value from a message as JSON, cut short: what the sender wrote, not Python's repr."""
    return json.dumps(value, ensure_ascii=False)[:40]


def _number(value):
    """A JSON number, or a string holding one (as a form field sends it); else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    return value if isinstance(value, (int, float)) and math.isfinite(value) else None


def _step(value, total):
    number = _number(value)
    if number is None or number != int(number):
        raise BadMessage(f"The step must be a whole number, not {_shown(value)}.", f"Give a step from 0 to {total}.")
    if not 0 <= number <= total:
        raise BadMessage(f"Step {int(number)} is out of range.", f"This lesson has steps 0 to {total}.")
    return int(number)


def _speed(value):
    number = _number(value)
    if number is None or not MIN_SPEED <= number <= MAX_SPEED:
        raise BadMessage(f"The speed must be a number from 0.5 to 2, not {_shown(value)}.", "Pick 0.5, 0.75, 1, 1.5 or 2.")
    return number


@database_sync_to_async
def load_walkthrough(slug, user):
    lesson = walkthrough.visible_lessons(user).filter(slug=slug).first()
    return walkthrough.for_lesson(lesson) if lesson else None


class LessonConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        self.steps = None
        self.autoplay = None
        self.speed = 1.0
        self.limit = RateLimit(MESSAGES_PER_SECOND)
        await self.accept()
        slug = self.scope["url_route"]["kwargs"]["slug"]
        self.steps = await load_walkthrough(slug, self.scope["user"])
        if self.steps is None:
            await self.close(code=CLOSE_NO_LESSON)
            return
        requested = parse_qs(self.scope["query_string"].decode("latin-1")).get("step", ["0"])[-1]
        try:
            self.number = _step(requested, self.steps.total)
        except BadMessage as bad:
            self.number = 0
            await self.send_frame()
            await self.send_error(bad)
            return
        await self.send_frame()

    async def disconnect(self, code):
        self.stop_autoplay()

    async def receive(self, text_data=None, bytes_data=None):
        if self.steps is None:  # the lesson was not found and the socket is closing
            return
        if not self.limit.allow():
            await self.refuse_flood()
            return
        try:
            if text_data is None:
                raise BadMessage("Binary messages are not understood.", EXAMPLE)
            action, value = parse_action(text_data, self.steps.total)
        except BadMessage as bad:
            await self.send_error(bad)
            return
        await getattr(self, f"do_{action}")(value)

    async def refuse_flood(self):
        if self.limit.refused_in_a_row == 1:
            await self.send_error(
                BadMessage(
                    f"Too many messages: the limit is {MESSAGES_PER_SECOND} a second.",
                    "Wait a moment, then press one key or button at a time.",
                )
            )
        elif self.limit.refused_in_a_row == REFUSALS_BEFORE_CLOSE:
            logger.warning("Closing a websocket that kept flooding %s (code %d)", self.scope["path"], CLOSE_FLOOD)
            self.stop_autoplay()
            await self.close(code=CLOSE_FLOOD)

    async def do_step(self, _):
        await self.move_to(min(self.number + 1, self.steps.total))

    async def do_back(self, _):
        await self.move_to(max(self.number - 1, 0))

    async def do_goto(self, number):
        await self.move_to(number)

    async def do_reset(self, _):
        await self.move_to(0)

    async def do_play(self, _):
        self.stop_autoplay()
        if self.number == self.steps.total:
            self.number = 0
        if self.number < self.steps.total:
            self.autoplay = asyncio.create_task(self.play(), name=f"sgviz-autoplay-{self.channel_name}")
        await self.send_frame()

    async def do_pause(self, _):
        self.stop_autoplay()
        await self.send_frame()

    async def do_speed(self, speed):
        self.speed = speed
        await self.send_frame()

    async def move_to(self, number):
        self.stop_autoplay()
        self.number = number
        await self.send_frame()

    async def play(self):
        """Autoplay, a task of its own so that pause (or any other message) is handled at once."""
        while self.number < self.steps.total:
            await asyncio.sleep(AUTOPLAY_SECONDS / self.speed)
            self.number += 1
            if self.number == self.steps.total:
                self.autoplay = None  # so that the last frame shows the player stopped
            await self.send_frame()

    def stop_autoplay(self):
        if self.autoplay is not None:
            self.autoplay.cancel()
            self.autoplay = None

    async def send_frame(self):
        """The regions of the current step, the last error cleared."""
        context = {
            "frame": self.steps.frame(self.number),
            "playing": self.autoplay is not None,
            "speed": self.speed,
        }
        await self.send(text_data=render_to_string("lessons/partials/live_state.html", context))

    async def send_error(self, bad):
        await self.send(text_data=render_to_string("lessons/partials/error.html", {"error": bad, "oob": True}))
