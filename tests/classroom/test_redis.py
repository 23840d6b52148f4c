"""The class over Redis (the scaled deployment's channel layer, under a key prefix of these
tests' own): learners follow the presenter through Redis, and when Redis goes away and comes
back, a learner's socket closes with 1013 (the browser's cue to retry) and the next one lands
on the class's current step. Skipped, saying why, when Redis does not answer here."""

import asyncio
import os
import socket
from contextlib import AsyncExitStack

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.test import override_settings

from classroom import consumers
from config.asgi import application

from .support import ORIGIN, frame_step, learner_cookie, presenter_cookie
from .test_consumer import ClassSocketTestCase, class_tasks

REDIS = ("127.0.0.1", 6379)
PREFIX = f"sgviz-classroom-test-{os.getpid()}"


def redis_answers():
    try:
        socket.create_connection(REDIS, timeout=1).close()
        return True
    except OSError:
        return False


def redis_layer(port):
    hosts = [{"address": f"redis://{REDIS[0]}:{port}/0", "socket_timeout": 30, "socket_connect_timeout": 1}]
    return {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": hosts, "prefix": PREFIX}}}


class Proxy:
    """A TCP relay to Redis that the test can cut and restore, as an outage would."""

    def __init__(self):
        self.server = None
        self.links = set()
        self.relays = set()
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()

    async def start(self):
        self.server = await asyncio.start_server(self.relay, "127.0.0.1", self.port)

    async def cut(self):
        self.server.close()
        for writer in list(self.links):
            writer.transport.abort()
        await asyncio.gather(*self.relays, return_exceptions=True)
        await self.server.wait_closed()

    async def relay(self, reader, writer):
        self.relays.add(asyncio.current_task())
        upstream_reader, upstream_writer = await asyncio.open_connection(*REDIS)
        self.links |= {writer, upstream_writer}

        async def pipe(source, target):
            try:
                while data := await source.read(65536):
                    target.write(data)
                    await target.drain()
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                target.transport.abort()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))


@pytest.mark.skipif(not redis_answers(), reason="no Redis on 127.0.0.1:6379")
class RedisClassTest(ClassSocketTestCase):
    async def connect_as_a_browser_would(self, cookie, attempts=5):
        """Connect, and after a 1013 (a pooled Redis connection that died in the outage fails
        once) try again, as htmx-ext-ws does; ``self.first`` is the first frame. A dead pooled
        connection can also stall an attempt until its read times out: that attempt is
        abandoned and another made, as a user would reload."""
        for _ in range(attempts):
            communicator = WebsocketCommunicator(application, self.path, headers=[ORIGIN, cookie])
            self.assertTrue((await communicator.connect(timeout=10))[0])
            try:
                answer = await communicator.receive_output(timeout=10)
            except TimeoutError:
                await communicator.disconnect()
                continue
            if answer["type"] == "websocket.send":
                self.first = answer["text"]
                return communicator
            self.assertEqual(answer["code"], consumers.CLOSE_TRY_AGAIN)
        self.fail(f"no frame after {attempts} attempts")

    def setUp(self):
        super().setUp()
        channel_layers.backends.clear()  # each test builds its layer from its own settings
        self.addCleanup(channel_layers.backends.clear)

    async def test_learners_follow_the_presenter_through_redis(self):
        with override_settings(CHANNEL_LAYERS=redis_layer(REDIS[1])):
            channel_layers.backends.clear()
            async with AsyncExitStack() as stack:
                presenter = await self.presenter(stack)
                learners = [await self.learner(stack) for _ in range(3)]
                await self.send(presenter, {"action": "step"})
                self.assertEqual({frame_step(await self.receive_frame(learner)) for learner in learners}, {(1, 1)})

    async def test_after_an_outage_a_learner_retries_and_lands_on_the_current_step(self):
        proxy = Proxy()
        await proxy.start()
        with override_settings(CHANNEL_LAYERS=redis_layer(proxy.port)):
            channel_layers.backends.clear()
            cookie, _ = await database_sync_to_async(learner_cookie)(self.class_session)
            learner = WebsocketCommunicator(application, self.path, headers=[ORIGIN, cookie])
            self.assertTrue((await learner.connect())[0])
            await learner.receive_from()
            with self.assertLogs("classroom.consumers", "WARNING"):
                await proxy.cut()
                self.assertEqual((await learner.receive_output(timeout=10))["code"], consumers.CLOSE_TRY_AGAIN)
                await proxy.start()
            presenter_cookie_header = await database_sync_to_async(presenter_cookie)(self.class_session)
            for _ in range(5):  # the presenter's page reconnects, and the presenter presses again
                presenter = await self.connect_as_a_browser_would(presenter_cookie_header)
                await self.send(presenter, {"action": "goto", "step": 3})
                try:
                    await self.receive_frame(presenter)
                    break
                except AssertionError:  # closed with 1013 by another pooled connection of the outage
                    continue
            learner = await self.connect_as_a_browser_would(cookie)
            self.assertEqual(frame_step(self.first)[1], 3)
            await learner.disconnect()
            await presenter.disconnect()
            await proxy.cut()
        self.assertEqual(class_tasks(), [])
