"""The class's websocket under hostile input (issue 7): every message from a presenter or a
learner is answered, never with a close, and nothing outlives the connection."""

import itertools
import json
from unittest import mock

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import django as hypothesis_django

from classroom import consumers
from config.asgi import application
from conftest import load_seed_lesson
from player import consumers as player_consumers
from tests.test_consumer_hardening import json_values

from .support import ORIGIN, learner_cookie, presenter_cookie, start_class
from .test_consumer import class_tasks

ACTIONS = sorted(set(consumers.PRESENTER_ACTIONS) | set(consumers.LEARNER_ACTIONS))
class_message = st.one_of(
    st.fixed_dictionaries(
        {"action": st.sampled_from(ACTIONS) | json_values},
        optional={"step": json_values, "question": json_values, "choice": json_values | st.sampled_from(["allow-rule", "drop-no-match"])},
    ).map(lambda message: ("text", json.dumps(message))),
    json_values.map(lambda value: ("text", json.dumps(value))),
    st.text(min_size=1, max_size=60).map(lambda text: ("text", text)),  # lone surrogates included
    st.binary(min_size=1, max_size=60).map(lambda data: ("bytes", data)),
)


class ClassFuzzTest(hypothesis_django.TransactionTestCase):
    FUZZED = {"messages": 0, "connections": 0}

    def setup_example(self):
        super().setup_example()
        load_seed_lesson()
        self.class_session = start_class()

    @classmethod
    def tearDownClass(cls):
        print(f"\nclass socket fuzzed with {cls.FUZZED['messages']} messages over {cls.FUZZED['connections']} connections")
        super().tearDownClass()

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(presenter=st.booleans(), messages=st.lists(class_message, min_size=1, max_size=10))
    def test_every_message_is_answered_and_nothing_outlives_its_connection(self, presenter, messages):
        async_to_sync(self.exchange)(presenter, messages)

    async def exchange(self, presenter, messages):
        if presenter:
            cookie = await database_sync_to_async(presenter_cookie)(self.class_session)
        else:
            cookie, _ = await database_sync_to_async(learner_cookie)(self.class_session)
        ticks = itertools.count(step=1.0)  # a second between messages: the rate limit never bites
        with mock.patch.object(player_consumers, "clock", lambda: next(ticks)), self.assertNoLogs(level="ERROR"):
            communicator = WebsocketCommunicator(application, f"/ws/class/{self.class_session.code}/", headers=[ORIGIN, cookie])
            self.assertTrue((await communicator.connect())[0])
            await communicator.receive_from()
            for kind, payload in messages:
                await communicator.send_to(**{f"{kind}_data": payload})
                answers = [await communicator.receive_output(timeout=3)]
                while not await communicator.receive_nothing(timeout=0.05):
                    answers.append(await communicator.receive_output())
                self.assertTrue(all(answer["type"] == "websocket.send" for answer in answers), answers)
                for answer in answers:
                    answer["text"].encode("utf-8")
            await communicator.disconnect()
        self.FUZZED["messages"] += len(messages)
        self.FUZZED["connections"] += 1
        self.assertEqual(class_tasks(), [])
