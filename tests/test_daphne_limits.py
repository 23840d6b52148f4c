"""What daphne itself does at its limits, a real daphne on loopback each time.

A websocket message over daphne's 1 MiB limit (issue 7): sgviz's daphne
(config/daphne_server.py) closes the connection with 1009 and a reason, where daphne alone
drops it (the browser's 1006), and goes on serving.

A websocket upgrade request trickled one byte at a time (issue 7, item 9): the reason the
README's nginx example sets the timeouts that bound one.

daphne's own timeouts (``--websocket_connect_timeout``, ``--http-timeout``) start only once
a request is complete and handed to daphne's protocol; until then Twisted's HTTP parser
holds it, and its idle timer restarts with every byte. So a request that never completes,
sent slowly enough, is held for as long as it keeps trickling. A real daphne on loopback,
with both of its timeouts at 1 s, shows it; the test takes about 6 s.
"""

import json
import socket
import time

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.frames import CloseCode
from websockets.sync.client import connect

from benchmarks._harness import HOST, SEED_SLUG, benchmark_site, daphne, site_env

DAPHNE_MESSAGE_LIMIT = 1024 * 1024  # bytes: daphne's default --websocket_max_message_size
TIMEOUT = 15  # seconds for any one websocket operation

DAPHNE_TIMEOUT = 1  # seconds, for --websocket_connect_timeout and --http-timeout
TRICKLE_SECONDS = 6  # several times daphne's timeouts plus its 2 s timeout sweep
# The head of an upgrade request, never finished (the blank line that ends it is never sent).
PARTIAL_UPGRADE = (
    b"GET /ws/lessons/seed/ HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
)


def given_up(connection: socket.socket) -> bool:
    """Has daphne closed the connection or answered (an error response ends the request too)?"""
    connection.settimeout(0.01)
    try:
        connection.recv(1)  # b"" when closed, bytes when answered
        return True
    except TimeoutError:
        return False
    except OSError:  # reset
        return True


def test_daphne_holds_a_trickled_upgrade_request_past_its_own_timeouts(tmp_path):
    options = ("--websocket_connect_timeout", str(DAPHNE_TIMEOUT), "--http-timeout", str(DAPHNE_TIMEOUT))
    with daphne("config.asgi:application", site_env(), tmp_path / "daphne.log", *options) as server:
        with socket.create_connection((HOST, server.port), timeout=5) as connection:
            start = time.monotonic()
            sent = 0
            while time.monotonic() - start < TRICKLE_SECONDS and not given_up(connection):
                connection.send(PARTIAL_UPGRADE[sent : sent + 1])
                sent += 1
                time.sleep(0.2)
            held = time.monotonic() - start
            assert not given_up(connection), f"daphne ended the trickled request after {held:.1f} s: update the README's nginx note"
    assert sent < len(PARTIAL_UPGRADE)  # the request never completed
    assert held >= TRICKLE_SECONDS > 2 * DAPHNE_TIMEOUT + 2


def player_socket(server):
    # No compression: the message crosses the wire at its full size.
    return connect(server.ws_url(f"/ws/lessons/{SEED_SLUG}/"), origin=server.origin, compression=None, open_timeout=TIMEOUT)


def receive_until(socket_, text):
    """The first message that holds ``text``, skipping those before it."""
    while text not in (message := socket_.recv(timeout=TIMEOUT)):
        pass
    return message


def test_a_message_over_daphnes_limit_gets_close_code_1009_and_the_server_keeps_serving():
    with benchmark_site() as server:
        with player_socket(server) as socket_:
            receive_until(socket_, "Step 0 of 4")
            with pytest.raises(ConnectionClosed) as closed:
                socket_.send("x" * (DAPHNE_MESSAGE_LIMIT + 1))
                socket_.recv(timeout=TIMEOUT)  # the server never answers it: the close ends the wait
        close = closed.value.rcvd  # the close frame the server sent, None when it dropped TCP
        assert close is not None, "daphne dropped the TCP connection without a close frame: the browser sees 1006"
        assert close.code == CloseCode.MESSAGE_TOO_BIG == 1009
        assert f"exceeds payload limit of {DAPHNE_MESSAGE_LIMIT} octets" in close.reason

        with player_socket(server) as socket_:
            receive_until(socket_, "Step 0 of 4")
            socket_.send(json.dumps({"action": "step"}))
            assert 'id="flow-state"' in receive_until(socket_, "Step 1 of 4")
