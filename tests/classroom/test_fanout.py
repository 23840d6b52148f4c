"""The relay's frame path: on sgviz's daphne a class frame is framed once per process and the
same bytes go to every follower socket; a socket without the prepared send (a test's
communicator) gets it through its consumer, and one broken socket does not stop the rest."""

import asyncio

from autobahn.websocket.protocol import WebSocketProtocol
from autobahn.twisted.websocket import WebSocketServerFactory
from channels.layers import InMemoryChannelLayer

from classroom.fanout import Relay
from config.daphne_server import PREPARED_SEND, PreparedSend

TEXT = '<div id="caption">Step 2 — the reply is allowed ✓</div>'


class CountingFactory(WebSocketServerFactory):
    def __init__(self):
        super().__init__()
        self.prepared = 0

    def prepareMessage(self, payload, isBinary=False, doNotCompress=False):  # noqa: N802 - autobahn's name
        self.prepared += 1
        return super().prepareMessage(payload, isBinary, doNotCompress)


class Socket:
    """Stands in for daphne's websocket protocol: its state and what was written to it."""

    STATE_OPEN = WebSocketProtocol.STATE_OPEN

    def __init__(self, state=WebSocketProtocol.STATE_OPEN, broken=False):
        self.state = state
        self.broken = broken
        self.written = []

    def sendPreparedMessage(self, prepared):  # noqa: N802 - autobahn's name
        if self.broken:
            raise ConnectionResetError("gone")
        self.written.append(prepared.payloadHybi)


class Follower:
    def __init__(self, socket=None, factory=None):
        self.scope = {"extensions": {PREPARED_SEND: PreparedSend(socket, factory)}} if socket else {}
        self.received = []

    async def class_frame(self, event):
        self.received.append(event["text"])


def test_a_frame_is_prepared_once_and_the_same_bytes_reach_every_open_socket():
    factory = CountingFactory()
    sockets = [Socket(), Socket(broken=True), Socket(), Socket(state=WebSocketProtocol.STATE_CLOSED)]
    followers = [Follower(socket, factory) for socket in sockets] + [Follower()]

    async def scenario():
        relay = Relay(InMemoryChannelLayer(), "class-1-followers")
        relay.followers.update(followers)
        await relay.send_frame({"type": "class.frame", "text": TEXT})
        relay.task.cancel()

    asyncio.run(scenario())
    assert factory.prepared == 1
    frame = sockets[0].written[0]
    assert frame.endswith(TEXT.encode("utf8")) and frame[0] == 0x81  # one final text frame, unmasked
    assert sockets[2].written == [frame]
    assert sockets[1].written == [] and sockets[3].written == []
    assert followers[-1].received == [TEXT]
