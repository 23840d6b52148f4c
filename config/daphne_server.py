"""daphne as sgviz runs it: daphne's own command line and server, except that a websocket
message over daphne's size limit (``--websocket_max_message_size``, 1 MiB by default) gets a
close frame with code 1009 ("message too big") and a reason, instead of a dropped TCP
connection, and that the heap made at startup is frozen out of the garbage collector's scans
(see below), and that Twisted does not parse a posted form that daphne hands to
Django unread (see ``leave_forms_to_django``).

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

At that moment it also freezes the heap the process has made so far (``gc.freeze()``), after
collecting its garbage: the modules, classes and functions of Django, Twisted and sgviz, the
apps' registry, the routing: 108,000 objects the collector tracks. CPython's full collections
scan every tracked object, and every socket of the process waits meanwhile: with the first
pages served (124,000 objects) one took 44 ms of CPU on this machine, however little else the
process kept (measured in daphne, benchmarks/_gc_probe.py). Those objects live as long as the
process, so scanning them finds nothing; frozen, they are in the permanent generation, which
collections skip: the same collection then scanned 16,000 objects, in 3 ms. Frozen objects are
still freed when no longer referenced; what is given up is only collecting a reference cycle
among them, and they were made to last the process's life.
"""

import gc

import daphne.cli
import daphne.server
from daphne.http_protocol import WebRequest

PREPARED_SEND = "sgviz.prepared_send"


def freeze_startup_heap():
    """Move every object the process has now (after collecting the garbage) out of the
    collector's reach: full collections no longer scan the startup heap (see above)."""
    gc.collect()
    gc.freeze()


def close_instead_of_dropping(server):
    """Make the websocket connections of ``server`` (a daphne Server whose ``run()`` has built
    its factories) close with a code when they fail, instead of dropping TCP."""
    server.ws_factory.setProtocolOptions(failByDrop=False)


class FormLeftToDjango(WebRequest):
    """daphne's request, without Twisted's parse of a posted form into ``request.args``, which
    daphne never reads: it passes the body to Django as it came. A post of the sandbox's
    editor is thousands of fields, parsed for nothing, and the parse outlived the request in a
    reference cycle, feeding the full collections (benchmarks/try.py)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, parsePOSTFormSubmission=False, **kwargs)


def leave_forms_to_django(server):
    """Make the HTTP connections of ``server`` (whose ``run()`` has built its factories) read
    requests with ``FormLeftToDjango``: daphne's factory sets each connection's request class
    as it builds it."""
    factory = server.http_factory
    build_protocol = factory.buildProtocol

    def build(address):
        protocol = build_protocol(address)
        if protocol is not None:
            protocol.requestFactory = FormLeftToDjango
        return protocol

    factory.buildProtocol = build


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
            leave_forms_to_django(self)
            freeze_startup_heap()
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
