"""The live player under hostile input, a big scenario, a lost Redis and unknown paths
(issue 7): every message gets an answer, no frame grows with the scenario, and nothing
outlives its connection."""

import copy
import itertools
import json
from unittest import mock

from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import django as hypothesis_django

from config.asgi import application
from conftest import SEED_SCENARIO, load_seed_lesson
from lessons.models import Lesson
from player import consumers
from tests.support.live import LiveView, receive_answer
from tests.test_consumer import ORIGIN, PATH, ConsumerTestCase, autoplay_tasks, error, state

BIG_PACKETS = 2000
# Far below daphne's 1 MiB limit on an outgoing frame, and independent of the scenario's size.
SMALL_FRAME_BYTES = 64 * 1024


def big_scenario(packets):
    """The seed scenario with its four packets repeated, a new client port each round."""
    scenario = copy.deepcopy(SEED_SCENARIO)
    seed = scenario["timeline"]
    timeline = []
    for round_ in range(packets // len(seed)):
        for entry in seed:
            entry = copy.deepcopy(entry)
            entry["at"] = round_ * 10 + entry["at"]
            for end in ("src", "dst"):
                entry["packet"][end] = entry["packet"][end].replace(":5000", f":{5000 + round_ % 5000:04d}"[:6])
            timeline.append(entry)
    scenario["timeline"] = timeline
    return scenario


class HostileMessageTest(ConsumerTestCase):
    HOSTILE = [
        '{"action": []}',
        '{"action": {}}',
        '{"action": "goto", "step": ' + "9" * 309 + "}",
        '{"action": "speed", "speed": ' + "9" * 309 + "}",
        '{"action": "\\ud800"}',
        '{"action": "goto", "step": "\\udc00"}',
        '{"\\ud800": 1, "action": "step"}',
        "\ud800",
    ]

    async def test_each_gets_the_error_fragment_and_the_connection_stays(self):
        async with self.player() as communicator:
            with self.assertNoServerErrors():
                for message in self.HOSTILE:
                    with self.subTest(message=message[:40]):
                        answer = await self.act(communicator, message)
                        self.assertIsNotNone(error(answer))
                        answer.encode("utf-8")  # what daphne must be able to send
            self.assertEqual(state(await self.act(communicator, {"action": "step"}))[0], 1)

    async def test_a_bug_while_answering_is_logged_and_answered_not_fatal(self):
        async with self.player() as communicator:
            with mock.patch.object(consumers, "state_message", side_effect=RuntimeError("a bug")):
                with self.assertLogs("player.consumers", level="ERROR"):
                    answer = await self.act(communicator, {"action": "step"})
            self.assertEqual(error(answer), f"{consumers.SERVER_FAULT.problem} {consumers.SERVER_FAULT.fix}")
            self.assertEqual(state(await self.act(communicator, {"action": "step"}))[0], 2)

    async def test_a_crashed_connection_cancels_its_autoplay(self):
        communicator = await self.playing()
        with mock.patch.object(consumers.PlayerConsumer, "receive", side_effect=RuntimeError("a crash")):
            await communicator.send_to(text_data='{"action": "pause"}')
            with self.assertRaises(RuntimeError):
                await communicator.receive_output(timeout=3)
        self.assertEqual(autoplay_tasks(), [])


class BigScenarioTest(ConsumerTestCase):
    async def test_frames_stay_small_whatever_the_scenario_size(self):
        await Lesson.objects.acreate(slug="big", title="Big", scenario=big_scenario(BIG_PACKETS), published=True)
        communicator = WebsocketCommunicator(application, f"/ws/lessons/big/?step={BIG_PACKETS}", headers=[ORIGIN])
        self.assertTrue((await communicator.connect(timeout=30))[0])
        view = LiveView()
        sizes = []
        original = view.apply

        def measured(message):
            sizes.append(len(message.encode()))
            original(message)

        view.apply = measured
        try:
            await receive_answer(communicator, view, timeout=30)
            self.assertEqual(len(view.rows), BIG_PACKETS)
            await communicator.send_to(text_data='{"action": "reset"}')
            await receive_answer(communicator, view)
            self.assertEqual(view.rows, {})
            for action in ("step", "step", "back", "last"):
                await communicator.send_to(text_data=json.dumps({"action": action}))
                await receive_answer(communicator, view)
            self.assertEqual(len(view.rows), BIG_PACKETS)
            self.assertEqual(len(view.tracker), BIG_PACKETS)
        finally:
            await communicator.disconnect()
        print(f"\n{len(sizes)} frames for {BIG_PACKETS} packets, the largest {max(sizes)} bytes")
        self.assertLess(max(sizes), SMALL_FRAME_BYTES)


class WithoutTheChannelLayerTest(ConsumerTestCase):
    @override_settings(
        CHANNEL_LAYERS={
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},  # nothing listens there
            }
        }
    )
    async def test_the_player_keeps_stepping_with_redis_unreachable(self):
        async with self.player() as communicator:
            with self.assertNoServerErrors():
                for expected in (1, 2, 3):
                    self.assertEqual(state(await self.act(communicator, {"action": "step"}))[0], expected)


class UnknownPathTest(ConsumerTestCase):
    async def test_an_unknown_websocket_path_is_refused_with_4404(self):
        communicator = WebsocketCommunicator(application, "/ws/no/such/thing/", headers=[ORIGIN])
        with self.assertNoServerErrors():
            connected, _ = await communicator.connect()
            self.assertTrue(connected)
            self.assertEqual(await communicator.receive_output(), {"type": "websocket.close", "code": 4404})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10**400), max_value=10**400) | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=10,
)
fuzz_message = st.one_of(
    st.fixed_dictionaries({"action": st.sampled_from(["step", "back", "goto", "play", "pause", "speed", "toggle"]) | json_values},
                          optional={"step": json_values, "speed": json_values}).map(lambda m: ("text", json.dumps(m))),
    json_values.map(lambda value: ("text", json.dumps(value))),
    st.text(min_size=1, max_size=60).map(lambda text: ("text", text)),  # lone surrogates included
    st.binary(min_size=1, max_size=60).map(lambda data: ("bytes", data)),
    st.integers(1, 60).map(lambda depth: ("text", "[" * depth * 40 + "]" * depth * 40)),
)


class FuzzTest(hypothesis_django.TransactionTestCase):
    """Hypothesis's TransactionTestCase: each example in a database of its own."""

    FUZZED = {"messages": 0, "connections": 0}

    def setup_example(self):
        super().setup_example()
        load_seed_lesson()

    @classmethod
    def tearDownClass(cls):
        print(f"\nfuzzed {cls.FUZZED['messages']} messages over {cls.FUZZED['connections']} connections")
        super().tearDownClass()

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(messages=st.lists(fuzz_message, min_size=1, max_size=12))
    def test_every_message_is_answered_and_nothing_outlives_its_connection(self, messages):
        async_to_sync(self.exchange)(messages)

    async def exchange(self, messages):
        ticks = itertools.count(step=1.0)  # a second between messages: the rate limit never bites
        with mock.patch.object(consumers, "clock", lambda: next(ticks)), self.assertNoLogs(level="ERROR"):
            communicator = WebsocketCommunicator(application, PATH, headers=[ORIGIN])
            self.assertTrue((await communicator.connect())[0])
            view = LiveView()
            await receive_answer(communicator, view)
            for kind, payload in messages:
                await communicator.send_to(**{f"{kind}_data": payload})
                answer = await receive_answer(communicator, view)  # a close would raise here
                self.assertIn('id="player-error"', answer)
                answer.encode("utf-8")
            await communicator.disconnect()
        self.FUZZED["messages"] += len(messages)
        self.FUZZED["connections"] += 1
        self.assertEqual(autoplay_tasks(), [])
