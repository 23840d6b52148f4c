"""daphne as sgviz runs it: daphne's own command line and server, except that a websocket
message over daphne's size limit (``--websocket_max_message_size``, 1 MiB by default) gets a
close frame with code 1009 ("message too big") and a reason, instead of a dropped TCP
connection.

It also offers each websocket's application a prepared send (``PREPARED_SEND`` in the scope's
``extensions``, as ASGI lets a server offer extensions): a text framed once with autobahn's
``prepareMessage`` can be written to many sockets without being encoded and framed per socket.
The classroom's fan-out uses it to send one frame to hundreds of followers (``classroom.fanout``).

Run it as daphne, with daphne's arguments (``make run`` and the README's scaled deployment do)::

    .venv/bin/python -m config.daphne_server -e tcp:port=8000:interface=127.0.0.1:backlog=1024 config.asgi:application

Why: autobahn, daphne's websocket layer, fails a connection by dropping its TCP socket while
its ``failByDrop`` option is on (its default). The browser reports a drop as 1006, which the
htmx ws extension retries. With the option off, autobahn sends the close frame instead, with
the code it already chose: 1009 for a message or frame over the limit (1002 for a protocol
error, 1007 for invalid UTF-8), then waits for the client's close (at most 1 s) and closes.
daphne has no argument for the option, but it calls a server's ``ready_callable`` after it
has built its websocket factory and before it accepts a connection: the moment to set it.
"""

import daphne.cli
import daphne.server

PREPARED_SEND = "sgviz.prepared_send"


def close_instead_of_dropping(server):
    """Make the websocket connections of ``server`` (a daphne Server whose ``run()`` has built
    its factories) close with a code when they fail, instead of dropping TCP."""
    server.ws_factory.setProtocolOptions(failByDrop=False)


class PreparedSend:
    """One websocket's way to send a message framed once for many sockets."""

    def __init__(self, protocol, factory):
        self.protocol = protocol
        self.factory = factory

    def prepare(self, text):
        """The frame of ``text``, to send on any socket of the same factory."""
        return self.factory.prepareMessage(text.encode("utf8"), isBinary=False)

    def send(self, prepared):
        """Write the frame if the socket is still open (as daphne drops a send to a closed one)."""
        if self.protocol.state == self.protocol.STATE_OPEN:
            self.protocol.sendPreparedMessage(prepared)


class Server(daphne.server.Server):
    def __init__(self, *args, ready_callable=None, **kwargs):
        def ready():
            close_instead_of_dropping(self)
            if ready_callable is not None:
                ready_callable()

        super().__init__(*args, ready_callable=ready, **kwargs)

    def create_application(self, protocol, scope):
        if scope["type"] == "websocket":
            scope.setdefault("extensions", {})[PREPARED_SEND] = PreparedSend(protocol, self.ws_factory)
        return super().create_application(protocol, scope)


class CommandLineInterface(daphne.cli.CommandLineInterface):
    server_class = Server


if __name__ == "__main__":
    CommandLineInterface.entrypoint()
