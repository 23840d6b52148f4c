"""Per-process fan-out of a class's frames to the follower sockets this process holds.

A Channels group with one channel per follower costs a channel-layer message per follower
per frame, and the in-memory layer's clean-up scans every channel on each of those sends
(quadratic in the class's size). Instead each process keeps a registry of its own follower
consumers per class and subscribes *one* channel of its own to the class's followers group:
a frame is one channel-layer message per process, rendered once, and the relay hands the same
text to each local socket in turn. One relay task per class per process receives the group's
messages in order, so each socket sees the frames in the order they were sent.

The relay dispatches any group message to each local consumer's handler (``class.frame`` →
``class_frame``, ``class.ended`` → ``class_ended``), so senders (the presenter's consumer,
``views.end_class``) address the followers group exactly as before.

A ``class.frame`` carries text to send to each follower as it is, so the relay sends it itself:
on a socket of sgviz's daphne (``config.daphne_server``) the text is framed once per process
and the same bytes are written to each socket; any other socket (a test's communicator) gets
it through its consumer's ``class_frame``. Both write at once, so each socket's order holds.
"""

import asyncio
import logging
import weakref

from redis.exceptions import RedisError

from config.daphne_server import PREPARED_SEND

logger = logging.getLogger(__name__)
LAYER_ERRORS = (OSError, RedisError)
CLOSE_TRY_AGAIN = 1013

# One registry per event loop: tests run each case in a loop of its own, daphne runs one.
_relays: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict]" = weakref.WeakKeyDictionary()


class Relay:
    """This process's channel in one class's followers group, and the sockets it serves."""

    def __init__(self, layer, group):
        self.layer = layer
        self.group = group
        self.followers = set()
        self.subscribed = asyncio.get_running_loop().create_future()
        self.task = asyncio.create_task(self.run(), name=f"sgviz-class-relay-{group}")

    async def run(self):
        try:
            # The layer's default prefix: channels_redis pops one Redis list per process for
            # every name with the same part before "!", so another prefix would never be read.
            channel = await self.layer.new_channel()
            await self.layer.group_add(self.group, channel)
            self.subscribed.set_result(channel)
            while True:
                message = await self.layer.receive(channel)
                if message.get("type") == "class.frame":
                    await self.send_frame(message)
                else:
                    await self.dispatch(message)
        except LAYER_ERRORS as error:
            if not self.subscribed.done():  # join() raises it: the consumer closes with 1013 itself
                self.subscribed.set_exception(error)
                return
            logger.warning("Class relay for %s lost the channel layer: %s", self.group, error)
            for consumer in list(self.followers):  # the browser's cue to reconnect, then sync
                try:
                    await consumer.close(code=CLOSE_TRY_AGAIN)
                except Exception:  # already gone
                    pass
        finally:
            _forget(self)
            if not self.subscribed.done():  # stopped before it subscribed: who waits reconnects
                self.subscribed.set_exception(ConnectionResetError("The class relay stopped before it subscribed."))
            elif not self.subscribed.exception():
                try:
                    await asyncio.shield(self.layer.group_discard(self.group, channel))
                except (*LAYER_ERRORS, asyncio.CancelledError):
                    pass

    async def send_frame(self, message):
        frames = {}  # the frame per server factory: one in a daphne process
        for consumer in list(self.followers):
            prepared_send = (consumer.scope.get("extensions") or {}).get(PREPARED_SEND)
            if prepared_send is None:
                await self.deliver(consumer.class_frame, message)
                continue
            try:
                frame = frames.get(prepared_send.factory)
                if frame is None:
                    frame = frames[prepared_send.factory] = prepared_send.prepare(message["text"])
                prepared_send.send(frame)
            except Exception:  # one broken socket must not stop the others' frames
                logger.exception("Sending a class frame to one follower failed")

    async def dispatch(self, message):
        handler_name = str(message.get("type", "")).replace(".", "_")
        for consumer in list(self.followers):
            handler = getattr(consumer, handler_name, None)
            if handler is None:
                logger.warning("A class relay got a message no follower handles: %s", message.get("type"))
                return
            await self.deliver(handler, message)

    @staticmethod
    async def deliver(handler, message):
        try:
            await handler(message)
        except Exception:  # one broken socket must not stop the others' messages
            logger.exception("Sending a class message to one follower failed")


def _registry():
    return _relays.setdefault(asyncio.get_running_loop(), {})


def _forget(relay):
    key = (id(relay.layer), relay.group)
    if _registry().get(key) is relay:
        del _registry()[key]


async def join(layer, group, consumer):
    """Register ``consumer`` for ``group``'s messages; returns once they reach it (so a
    frame rendered after this call is never missed). Raises the layer's error if it is down."""
    key = (id(layer), group)
    relay = _registry().get(key)
    if relay is None:
        relay = _registry()[key] = Relay(layer, group)
    relay.followers.add(consumer)
    try:
        await asyncio.shield(relay.subscribed)
    except BaseException:
        leave(relay, consumer)
        raise
    return relay


def leave(relay, consumer):
    """Unregister ``consumer``; the last follower to leave ends the process's subscription."""
    relay.followers.discard(consumer)
    if not relay.followers:
        _forget(relay)
        relay.task.cancel()


def local_followers(layer, group):
    """How many follower sockets of ``group`` this process holds (for tests and benchmarks)."""
    relay = _registry().get((id(layer), group))
    return len(relay.followers) if relay else 0
