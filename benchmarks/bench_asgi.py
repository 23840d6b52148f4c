"""The ASGI application the benchmarks serve: sgviz's own, plus an echo websocket at /ws/echo/.

The echo is step_latency.py's baseline. It runs in the same daphne process behind the same
origin validator and middleware as the lesson consumer, so the difference between the two
is the lesson consumer's own work per action (parse, pick the frame, render the fragments).
For benchmarks only: production serves ``config.asgi:application``, which has no echo.

Serve it with ``python -m config.daphne_server benchmarks.bench_asgi:application`` from the
project folder. With ``SGVIZ_BENCH_PROFILE=<file>`` in its environment the process profiles
itself by CPU time (``time.process_time``: other work on a shared machine does not count)
and writes the ``pstats`` file when it stops.
"""

import atexit
import cProfile
import json
import os
import time

from config.asgi import application as sgviz_application  # first: it sets Django up, which channels.auth needs

from channels.auth import AuthMiddlewareStack
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

ECHO_PATH = "/ws/echo/"

if os.environ.get("SGVIZ_BENCH_PROFILE"):
    _profiler = cProfile.Profile(time.process_time)
    _profiler.enable()
    atexit.register(lambda: _profiler.dump_stats(os.environ["SGVIZ_BENCH_PROFILE"]))


class EchoConsumer(AsyncWebsocketConsumer):
    """Sends every message back, padded with spaces to the size it asks for in ``"bytes"``:
    the size of the lesson consumer's answer it stands in for."""

    async def receive(self, text_data=None, bytes_data=None):
        size = json.loads(text_data)["bytes"]
        await self.send(text_data=text_data.ljust(size))


echo = AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter([path(ECHO_PATH[1:], EchoConsumer.as_asgi())])))


async def application(scope, receive, send):
    if scope["type"] == "websocket" and scope["path"] == ECHO_PATH:
        return await echo(scope, receive, send)
    return await sgviz_application(scope, receive, send)
