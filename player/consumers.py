"""The live player, for any scenario source, at e.g. ``/ws/lessons/<slug>/?step=k``.

A route gives the consumer a *source*: an async function from the connection's scope to a
scenario document, or None when there is nothing this user may play there (see
``player.routing.player_path``). On connect the consumer sends the page's regions for step
``k`` (0 when absent), so a browser that reconnects resumes where it was. Then the browser
sends one small JSON object per message (``player.machine`` lists the actions); the
consumer parses it, applies it to its ``PlayerState``, and sends what changed as HTML
fragments that htmx swaps by id (``templates/player/partials/``), among them
``#flow-state``, whose data-* attributes flowchart.js animates the chart from.

Frames stay small whatever the scenario's size: the table rows and tracker cells the
browser already has are never sent again, and the rules panel and connection table only
when the step changes. Stepping forward sends the new rows, at most
``ROWS_PER_MESSAGE`` a message; stepping back sends one instruction that deletes the rows
after the step. The address says how many rows the browser holds (``held=n``, counted by
player.js, which may be more than its step: a connection can drop between a frame's rows and
its state), so a connection starts from there; without it (or with a bad one) it starts
with a resynchronisation: delete all, then the rows up to its step. Never sending rows the
page already has also means a reader never sees its table emptied and refilled.

Bad input never ends the connection: a message that is not JSON, not an object, an unknown
action, a missing or out-of-range step or speed, an unexpected field, a binary frame, more
than ``MAX_MESSAGE_BYTES``, or more than ``MESSAGES_PER_SECOND`` messages a second gets an
error fragment in ``#player-error`` saying what is wrong and how to fix it, and the state
stays as it was. A bug while answering is logged and answered the same way.

Close codes (the htmx ws extension only reconnects after 1006/1011/1012/1013, so these
are final):

    4404  nothing to play here (no such lesson, or not one this user may see, or an unknown
          websocket path); sent after accepting, because a refused handshake looks like a
          network failure (1006) and the browser would retry
    4008  flood: kept sending after the rate-limit error (REFUSALS_BEFORE_CLOSE in a row)
    1009  a message over daphne's 1 MiB, closed by daphne before it gets here (config/daphne_server.py)

The player needs no channel layer (``channel_layer_alias = None``), so it keeps working when
Redis is down. Whatever ends a connection, a crash included, cancels its autoplay.
A connection from a page on another site is refused before it reaches this consumer, by
``AllowedHostsOriginValidator`` in ``config/asgi.py``.
"""

import asyncio
import logging
import time
from dataclasses import replace
from urllib.parse import parse_qs

from channels.generic.websocket import AsyncWebsocketConsumer
from django.template.loader import render_to_string

from . import machine, walkthrough
from .machine import BadMessage, PlayerState

logger = logging.getLogger(__name__)

REFUSALS_BEFORE_CLOSE = 40
ROWS_PER_MESSAGE = 50
CLOSE_NOTHING_TO_PLAY = 4404
CLOSE_FLOOD = 4008
clock = time.monotonic  # the rate limit's clock (tests freeze it to count a flood exactly)
SERVER_FAULT = BadMessage("Something went wrong on the server; it has been logged.", "Try again, or reload the page.")


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


def render_error(bad):
    return render_to_string("player/partials/error.html", {"error": bad, "oob": True})


class PlayerConsumer(AsyncWebsocketConsumer):
    channel_layer_alias = None  # no broadcast: the player must not depend on Redis

    def __init__(self, *args, source, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source
        self.steps = None  # the Walkthrough, once loaded
        self.state = None
        self.shown = None  # the step whose rows the browser holds; None: unknown
        self.autoplay = None
        self.limit = RateLimit(machine.MESSAGES_PER_SECOND)

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:  # however the connection ends, a crash included, its autoplay ends with it
            self.stop_autoplay()

    async def connect(self):
        await self.accept()
        document = await self.source(self.scope)
        if document is None:
            await self.close(code=CLOSE_NOTHING_TO_PLAY)
            return
        self.steps = await asyncio.to_thread(walkthrough.for_document, document)
        query = parse_qs(self.scope["query_string"].decode("latin-1"))
        self.shown = rows_held(query, self.steps.total)
        requested = query.get("step", ["0"])[-1]
        try:
            step = machine.parse_step(requested, self.steps.total)
        except BadMessage as bad:
            self.state = PlayerState(0, self.steps.total)
            await self.send_frame()
            await self.send(text_data=render_error(bad))
            return
        self.state = PlayerState(step, self.steps.total)
        await self.send_frame()

    async def disconnect(self, code):
        self.stop_autoplay()

    async def receive(self, text_data=None, bytes_data=None):
        if self.steps is None:  # nothing to play and the socket is closing
            return
        if not self.limit.allow():
            await self.refuse_flood()
            return
        try:
            if text_data is None:
                raise BadMessage("Binary messages are not understood.", machine.EXAMPLE)
            await self.apply(machine.parse(text_data, self.steps.total))
        except BadMessage as bad:
            await self.send(text_data=render_error(bad))
        except Exception:  # a bug must not close the socket (1011 makes the browser reconnect in a loop)
            logger.exception("The player failed to answer a message on %s", self.scope["path"])
            await self.send(text_data=render_error(SERVER_FAULT))

    async def apply(self, action):
        self.state = action.apply(self.state)
        self.stop_autoplay()
        if self.state.playing:
            self.autoplay = asyncio.create_task(self.play(), name=f"sgviz-autoplay-{id(self)}")
        await self.send_frame()

    async def refuse_flood(self):
        if self.limit.refused_in_a_row == 1:
            await self.send(
                text_data=render_error(
                    BadMessage(
                        f"Too many messages: the limit is {machine.MESSAGES_PER_SECOND} a second.",
                        "Wait a moment, then press one key or button at a time.",
                    )
                )
            )
        elif self.limit.refused_in_a_row == REFUSALS_BEFORE_CLOSE:
            logger.warning("Closing a websocket that kept flooding %s (code %d)", self.scope["path"], CLOSE_FLOOD)
            self.stop_autoplay()
            await self.close(code=CLOSE_FLOOD)

    async def play(self):
        """Autoplay, a task of its own so that pause (or any other message) is handled at once."""
        try:
            while self.state.playing:
                await asyncio.sleep(machine.autoplay_delay(self.state))
                self.state = machine.tick(self.state)
                await self.send_frame()
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("Autoplay failed on %s", self.scope["path"])
            self.state = replace(self.state, playing=False)
        finally:
            if self.autoplay is asyncio.current_task():
                self.autoplay = None

    def stop_autoplay(self):
        if self.autoplay is not None:
            self.autoplay.cancel()
            self.autoplay = None

    async def send_frame(self):
        """What changed since the last frame: the rows and the panels, then the regions of the
        current step (the last error cleared)."""
        moved = self.shown != self.state.step
        for message in row_messages(self.steps, self.shown, self.state.step):
            await self.send(text_data=message)
        self.shown = self.state.step
        if moved:
            await self.send(text_data=panels_message(self.steps, self.state.step))
        await self.send(text_data=state_message(self.steps, self.state))


def state_message(steps, state):
    """The regions of one step, the same text for everyone at that step, playing state and speed."""
    context = {"frame": steps.frame(state.step), "playing": state.playing, "speed": state.speed}
    return walkthrough.fragment(
        steps, "state", (state.step, state.playing, state.speed),
        lambda: render_to_string("player/partials/frame.html", context),
    )


def panels_message(steps, step):
    """The rules panel and the connection table at a step, the same text for everyone."""
    context = {"frame": steps.frame(step), "oob": True}
    return walkthrough.fragment(steps, "panels", (step, True), lambda: render_to_string("player/partials/panels.html", context))


def rows_held(query, total):
    """How many rows the browser says it holds; None (resynchronise) when it does not say or
    says something impossible."""
    try:
        return machine.parse_step(query["held"][-1], total)
    except (KeyError, BadMessage):
        return None


def row_messages(steps, shown, step):
    """The messages that take a browser holding the rows of step ``shown`` (None: unknown) to
    those of ``step``: one deletion when going back, or a reset of the table and the tracker
    when resynchronising, then the new rows in chunks of ROWS_PER_MESSAGE."""
    if shown == step:
        return
    if shown is None:
        # Reset, not delete: a deletion of every row finds nothing on a page that holds none,
        # which htmx reports (oobErrorNoTarget); see rows_reset.html.
        yield walkthrough.fragment(steps, "reset", (), lambda: render_to_string("player/partials/rows_reset.html", {"start": steps.tracker_start}))
        start = 0
    elif shown > step:
        yield walkthrough.fragment(steps, "delete", (step,), lambda: render_to_string("player/partials/rows_delete.html", {"keep": step}))
        start = step
    else:
        start = shown
    for first in range(start, step, ROWS_PER_MESSAGE):
        last = min(first + ROWS_PER_MESSAGE, step)
        rows = steps.steps[first:last]
        yield walkthrough.fragment(steps, "rows", (first, last), lambda: render_to_string("player/partials/rows_added.html", {"rows": rows}))


class NothingHereConsumer(AsyncWebsocketConsumer):
    """Any websocket path no route knows: a clean refusal, not a server error."""

    channel_layer_alias = None

    async def connect(self):
        await self.accept()
        await self.close(code=CLOSE_NOTHING_TO_PLAY)
