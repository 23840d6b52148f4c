"""The class's websocket, ``/ws/class/<code>/``: one consumer for the presenter and the learners.

Who is who comes from the session (``views.is_presenter``, ``views.LEARNERS``), never from
the message. The class's state is the database row (``classroom.control``), never this
object. A presenter's action changes that row and sends one rendered frame to each group
(``classroom.frames``); the consumer only parses, applies, renders and sends.

Fan-out: a presenter's socket joins the presenters' group itself, but a follower's does not.
Each process keeps its own followers of a class in a registry and subscribes one channel of
its own to the followers' group (``classroom.fanout``): a frame costs one channel-layer
message per process, not per follower, and that process's relay hands the same rendered text
to each of its sockets, in the order the frames were sent. A follower is registered (and the
process subscribed) before it is sent the current frame, so it misses nothing in between;
the sequence number and ``sync`` still cover a frame lost on the way.

Messages (htmx's ws-send also adds a "HEADERS" object, which is ignored)::

    anyone      {"action": "sync"}                      the current frame again (after a gap)
    learner     {"action": "vote", "choice": "<key>"}   vote on the open question, or change the vote
    presenter   {"action": "step" | "back" | "first" | "play" | "pause"}
                {"action": "goto", "step": k}
                {"action": "ask", "question": "<key>"}  open a vote (classroom.questions' keys)
                {"action": "close" | "reveal" | "dismiss"}

A learner's presenter action is refused with an error fragment and never reaches the class.
Every bad message gets an error fragment in ``#player-error``; the connection stays open.
Each frame carries the class's sequence number (``#class-state``); classroom.js drops a frame
older than the one shown and asks for ``sync`` when it sees a gap.

Learners connected: each learner's connection has a ``Presence`` row, made at connect,
renewed every HEARTBEAT_SECONDS and deleted at disconnect; the count is of the rows renewed
within ``models.PRESENCE_EXPIRY_SECONDS``. A daphne process that dies without running
disconnect leaves its rows behind, unrenewed: they stop counting once they expire, and each
presenter's socket redraws the count when it changes, since no disconnect will announce it.

Close codes: 4404 no such class; 4410 the class has ended (both final: the htmx extension
only retries 1006/1011/1012/1013); 4008 flood; 1013 the channel layer (Redis) is down, so the
browser shows "Reconnecting…" and retries until it is back.
"""

import asyncio
import json
import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.db import DatabaseError
from django.template.loader import render_to_string

from learners.identity import DatabaseBusy
from player.consumers import CLOSE_FLOOD, REFUSALS_BEFORE_CLOSE, RateLimit, render_error
from player.machine import MAX_MESSAGE_BYTES, MESSAGES_PER_SECOND, BadMessage

from . import ballot_box, control, fanout, frames, models, state
from .fanout import CLOSE_TRY_AGAIN, LAYER_ERRORS
from .models import ClassSession, Learner, Presence, Vote

logger = logging.getLogger(__name__)

# LAYER_ERRORS: what a lost channel layer raises (OSError for connections and timeouts, RedisError).
CLOSE_NO_CLASS = 4404
CLOSE_ENDED = 4410
AUTOPLAY_SECONDS = 1.6
AUDIENCE_SECONDS = 0.25  # the presenter's count and tally are redrawn at most this often
HEARTBEAT_SECONDS = models.PRESENCE_HEARTBEAT_SECONDS  # a learner's presence renewal; a presenter's recount
EXAMPLE = 'Send one JSON object such as {"action": "sync"}.'
PRESENTER_ACTIONS = {
    "step": None, "back": None, "first": None, "play": None, "pause": None, "goto": "step",
    "ask": "question", "close": None, "reveal": None, "dismiss": None, "sync": None,
}
LEARNER_ACTIONS = {"sync": None, "vote": "choice"}


def group_names(class_pk):
    return (f"class-{class_pk}-followers", f"class-{class_pk}-presenters")


def parse(text, presenter):
    """(action, value) from one message; raises BadMessage saying what to fix."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_MESSAGE_BYTES:
        raise BadMessage(f"The message is over {MAX_MESSAGE_BYTES} bytes.", EXAMPLE)
    try:
        message = json.loads(text)
    except (ValueError, RecursionError):
        raise BadMessage("The message is not valid JSON.", EXAMPLE) from None
    if not isinstance(message, dict):
        raise BadMessage("The message must be a JSON object.", EXAMPLE)
    message.pop("HEADERS", None)
    action = message.get("action")
    allowed = PRESENTER_ACTIONS if presenter else LEARNER_ACTIONS
    if not isinstance(action, str) or action not in allowed:
        if not presenter and isinstance(action, str) and action in PRESENTER_ACTIONS:
            raise BadMessage("Only the presenter can move the class.", "Your screen follows every step the presenter takes.")
        raise BadMessage("Unknown action.", f"Use one of: {', '.join(allowed)}.")
    field = allowed[action]
    if set(message) - {"action", field}:
        raise BadMessage(f"Unexpected field for {action}.", f'Send only "action"{f" and “{field}”" if field else ""}.')
    if field is None:
        return action, None
    value = message.get(field)
    if field == "step":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10**6:
            raise BadMessage("The step must be a whole number.", 'Send {"action": "goto", "step": 2}.')
        return action, value
    if not isinstance(value, str) or not 0 < len(value) <= 40:
        raise BadMessage(f"{action} needs a “{field}”: the key of one of the offered answers or questions.", "Press one of the buttons.")
    return action, value


@database_sync_to_async
def load_role(code, user, session):
    """(class, presenter?, learner) for this socket; the class is None when unknown."""
    from .views import LEARNERS, is_presenter  # the views import this module

    class_session = ClassSession.objects.filter(code=code).select_related("lesson").first()
    if class_session is None:
        return None, False, None
    if is_presenter(user, session, class_session):
        return class_session, True, None
    key = session.get(LEARNERS, {}).get(str(class_session.pk), "")
    return class_session, False, Learner.objects.filter(class_session=class_session, key=key).first()


@database_sync_to_async
def render_current(class_pk, role):
    applied = control.current(class_pk)
    return applied.class_session, frames.render_frame(applied.class_session, applied.state, role)


@database_sync_to_async
def apply_and_render(class_pk, action):
    """The state after ``action`` and, when it changed, the frame of each role."""
    applied = control.apply(class_pk, action)
    if not applied.changed:
        return applied, None
    return applied, {
        role: frames.render_frame(applied.class_session, applied.state, role, previous_step=applied.before.step)
        for role in (frames.FOLLOWER, frames.PRESENTER)
    }


@database_sync_to_async
def question_exists(class_pk, key):
    return frames.question_for(control.current(class_pk).class_session, key) is not None


def my_vote(ballot):
    return render_to_string("classroom/partials/my_vote.html", {"ballot": ballot})


@database_sync_to_async
def render_my_vote(class_session, learner):
    ballot = Vote.objects.filter(class_session=class_session, question=class_session.question, learner=learner).first()
    return my_vote(ballot)


@database_sync_to_async
def render_audience(class_pk):
    applied = control.current(class_pk)
    return frames.render_audience(applied.class_session, applied.state)


@database_sync_to_async
def arrive(class_session, learner, channel):
    Presence.objects.arrive(class_session, learner, channel, models.now())


@database_sync_to_async
def renew(class_session, learner, channel):
    Presence.objects.mark(class_session, learner, channel, models.now())


@database_sync_to_async
def depart(channel):
    Presence.objects.filter(channel=channel).delete()


@database_sync_to_async
def online_now(class_session):
    return class_session.online


class ClassConsumer(AsyncWebsocketConsumer):
    async def __call__(self, scope, receive, send):
        """Runs the consumer; whatever ends it (a lost channel layer included) ends its tasks,
        and a lost channel layer closes with 1013 so that the browser retries."""
        self.class_session = None
        self.tasks = set()
        self.joined = False
        self.relay = None
        try:
            await super().__call__(scope, receive, send)
        except LAYER_ERRORS as error:
            logger.warning("Channel layer unreachable, closing a class socket with %d: %s", CLOSE_TRY_AGAIN, error)
            try:
                await send({"type": "websocket.close", "code": CLOSE_TRY_AGAIN})
            except Exception:  # the connection is already gone; nothing to tell
                pass
        finally:
            await self.leave()

    async def connect(self):
        self.limit = RateLimit(MESSAGES_PER_SECOND)
        self.audience_refresh = None
        self.audience_stale = False
        await self.accept()
        code = self.scope["url_route"]["kwargs"]["code"]
        self.class_session, self.presenter, self.learner = await load_role(code, self.scope["user"], self.scope["session"])
        if self.class_session is None or not (self.presenter or self.learner):
            self.class_session = None
            await self.close(code=CLOSE_NO_CLASS)
            return
        if self.class_session.ended:
            await self.send_ended()
            return
        self.role = frames.PRESENTER if self.presenter else frames.FOLLOWER
        followers, presenters = group_names(self.class_session.pk)
        self.group = presenters if self.presenter else followers
        self.presenters_group = presenters
        if self.presenter:
            await self.channel_layer.group_add(self.group, self.channel_name)
        else:
            self.relay = await fanout.join(self.channel_layer, self.group, self)
        self.joined = True
        if self.learner:
            await arrive(self.class_session, self.learner, self.channel_name)
            self.start_task(self.heartbeat(), "heartbeat")
            await self.announce_audience()
        else:
            self.start_task(self.watch_audience(), "audience")
        await self.send_current()

    def start_task(self, coroutine, purpose):
        """A task of this connection's, cancelled when it leaves."""
        task = asyncio.create_task(coroutine, name=f"sgviz-class-{purpose}-{self.channel_name}")
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def disconnect(self, code):
        await self.leave()

    async def leave(self):
        """Once per connection: stop its tasks, hand back its clock, leave the group and the count."""
        for task in self.tasks:
            task.cancel()
        self.tasks.clear()
        if not self.joined:
            return
        self.joined = False
        if self.relay is not None:
            fanout.leave(self.relay, self)
        try:
            if self.presenter:
                await self.change(state.StopClock(self.channel_name), answer=False)
                await self.channel_layer.group_discard(self.group, self.channel_name)
            else:
                await depart(self.channel_name)
                await self.announce_audience()
        except LAYER_ERRORS:  # the layer forgets this channel by itself when it expires
            pass
        except ClassSession.DoesNotExist:  # deleted (in the admin) while connected: nothing to hand back
            pass

    async def receive(self, text_data=None, bytes_data=None):
        if not self.joined:
            return
        if not self.limit.allow():
            await self.refuse_flood()
            return
        try:
            if text_data is None:
                raise BadMessage("Binary messages are not understood.", EXAMPLE)
            action, value = parse(text_data, self.presenter)
            await getattr(self, f"do_{action}")(value)
        except BadMessage as bad:
            await self.send_error(bad)

    async def refuse_flood(self):
        if self.limit.refused_in_a_row == 1:
            await self.send_error(BadMessage(f"Too many messages: the limit is {MESSAGES_PER_SECOND} a second.", "Wait a moment."))
        elif self.limit.refused_in_a_row == REFUSALS_BEFORE_CLOSE:
            await self.close(code=CLOSE_FLOOD)

    # Anyone --------------------------------------------------------------------------------

    async def do_sync(self, _):
        await self.send_current()

    async def send_current(self):
        self.class_session, text = await render_current(self.class_session.pk, self.role)
        await self.send(text_data=text)
        if self.learner and self.class_session.question:
            await self.send(text_data=await render_my_vote(self.class_session, self.learner))

    # Learners ------------------------------------------------------------------------------

    async def do_vote(self, choice):
        try:
            ballot = await ballot_box.cast(self.class_session.pk, self.learner, choice, self.announce_audience)
        except control.VoteRefused as refused:
            raise BadMessage(str(refused), "Wait for the presenter's next question.") from None
        except DatabaseBusy:
            raise BadMessage("Your vote was not kept: the server is busy.", "Vote again in a moment.") from None
        await self.send(text_data=my_vote(ballot))

    async def announce_audience(self):
        """Tell the presenters the count or tally changed (they redraw once per burst)."""
        await self.channel_layer.group_send(self.presenters_group, {"type": "class.audience"})

    # The presenter -------------------------------------------------------------------------

    async def do_step(self, _):
        await self.change(state.Step())

    async def do_back(self, _):
        await self.change(state.Back())

    async def do_first(self, _):
        await self.change(state.First())

    async def do_goto(self, step):
        total = frames.walkthrough_for(self.class_session).total
        if step > total:
            raise BadMessage(f"Step {step} is out of range.", f"This class has steps 0 to {total}.")
        await self.change(state.GoTo(step))

    async def do_play(self, _):
        applied = await self.change(state.Play(self.channel_name))
        if applied.state.playing and applied.state.clock == self.channel_name:
            self.start_task(self.autoplay(), "autoplay")

    async def do_pause(self, _):
        await self.change(state.Pause())

    async def do_ask(self, key):
        if not await question_exists(self.class_session.pk, key):
            raise BadMessage("This class has no such question.", "Pick one from the list.")
        await self.change(state.Ask(key))

    async def do_close(self, _):
        await self.change(state.Close())

    async def do_reveal(self, _):
        await self.change(state.Reveal())

    async def do_dismiss(self, _):
        await self.change(state.Dismiss())

    async def autoplay(self):
        """This connection's clock: a task of its own, so that Pause is handled at once."""
        while True:
            await asyncio.sleep(AUTOPLAY_SECONDS)
            applied = await self.change(state.Tick(self.channel_name), answer=False)
            if not applied.changed or not applied.state.playing:
                return

    async def heartbeat(self):
        """A learner's: renew this connection's presence, so that it keeps counting."""
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            try:
                await renew(self.class_session, self.learner, self.channel_name)
            except DatabaseError as error:  # locked or unreachable: the next beat tries again
                logger.warning("Could not renew a learner's presence in class %s: %s", self.class_session.code, error)

    async def watch_audience(self):
        """A presenter's: recount every heartbeat and redraw when the count changed, so that the
        learners of a process that died drop from it once their rows expire."""
        shown = await online_now(self.class_session)
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            try:
                counted = await online_now(self.class_session)
            except DatabaseError as error:
                logger.warning("Could not count the learners of class %s: %s", self.class_session.code, error)
                continue
            if counted != shown:
                shown = counted
                await self.class_audience(None)

    async def change(self, action, answer=True):
        """Apply an action to the class and send each group its one frame. A press that
        changes nothing (Back at the first step) is answered with the presenter's own frame."""
        applied, texts = await apply_and_render(self.class_session.pk, action)
        self.class_session = applied.class_session
        if not texts and answer:
            await self.send_current()
        if texts:
            followers, presenters = group_names(self.class_session.pk)
            try:
                await self.channel_layer.group_send(followers, {"type": "class.frame", "text": texts[frames.FOLLOWER]})
                await self.channel_layer.group_send(presenters, {"type": "class.frame", "text": texts[frames.PRESENTER]})
            except LAYER_ERRORS:
                await self.send(text_data=texts[frames.PRESENTER])
                await self.send_error(BadMessage("Learners' devices cannot be reached right now.", "They catch up by themselves when the connection is back."))
        return applied

    # Group messages -------------------------------------------------------------------------

    async def class_frame(self, event):
        await self.send(text_data=event["text"])

    async def class_audience(self, event):
        """Votes and arrivals come in bursts: redraw the count and tally once per burst."""
        self.audience_stale = True
        if self.audience_refresh is None or self.audience_refresh.done():
            self.audience_refresh = self.start_task(self.refresh_audience(), "audience-refresh")

    async def refresh_audience(self):
        """Redraw until nothing new came in: a vote announced while a redraw is being read
        and rendered marks it stale again, so the last vote of a burst is always drawn."""
        while self.audience_stale:
            await asyncio.sleep(AUDIENCE_SECONDS)
            self.audience_stale = False
            await self.send(text_data=await render_audience(self.class_session.pk))

    async def class_ended(self, event):
        await self.send_ended()

    async def send_ended(self):
        await self.send(text_data=render_to_string("classroom/partials/ended.html", {"class_session": self.class_session}))
        await self.close(code=CLOSE_ENDED)

    async def send_error(self, bad):
        await self.send(text_data=render_error(bad))
