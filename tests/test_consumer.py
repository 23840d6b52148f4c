"""The live player's websocket, driven through the real ASGI application (origin check,
auth middleware, routing) with channels' WebsocketCommunicator."""

import asyncio
import json
import re
from contextlib import asynccontextmanager
from html import unescape
from unittest import mock

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from django.test import Client, TransactionTestCase, override_settings

from conftest import SEED_SCENARIO, SEED_SLUG, load_seed_lesson
from config.asgi import application
from lessons.models import Lesson
from player import consumers, machine
from tests.support.live import LiveView, receive_answer
from tests.support.seed import SEED_ROWS, SEED_TRACKER

ORIGIN = (b"origin", b"http://localhost:8000")
PATH = f"/ws/lessons/{SEED_SLUG}/"
CLEARED_ERROR = '<div id="player-error" class="player__error" hx-swap-oob="innerHTML"></div>'


def state(message):
    """(step, playing, speed) from a state message's #flow-state element."""
    message = message.state if isinstance(message, LiveView) else message
    tag = re.search(r'<div id="flow-state"[^>]*>', message).group(0)
    step = int(re.search(r'data-step="(\d+)"', tag).group(1))
    playing = re.search(r'data-playing="(\w+)"', tag).group(1) == "true"
    speed = float(re.search(r'data-speed="([\d.]+)"', tag).group(1))
    return step, playing, speed


def error(message):
    """The error fragment's text, or None for a state message."""
    if 'id="flow-state"' in message:
        return None
    found = re.search(r'<div id="player-error"[^>]*hx-swap-oob="innerHTML"[^>]*><p class="error-message"><strong>(.*?)</strong> (.*?)</p></div>', message)
    return unescape(f"{found.group(1)} {found.group(2)}")


def holding(count):
    """A browser that holds the seed's first ``count`` rows and tracker texts."""
    return LiveView(rows=dict(enumerate(SEED_ROWS[:count], start=1)), tracker=dict(enumerate(SEED_TRACKER[1 : count + 1], start=1)))


def autoplay_tasks():
    return [task for task in asyncio.all_tasks() if task.get_name().startswith("sgviz-autoplay-") and not task.done()]


class ConsumerTestCase(TransactionTestCase):
    # Not TestCase: channels' database_sync_to_async closes "old" connections, and inside
    # TestCase's transaction that would close the test's own connection.

    def setUp(self):
        load_seed_lesson()

    @asynccontextmanager
    async def player(self, path=PATH, expect_state=True, view=None):
        """A connected socket, disconnected afterwards; ``self.view`` is what its browser
        holds (``view`` before it connects: none by default), and ``self.first`` the state
        message it got on connect."""
        communicator = WebsocketCommunicator(application, path, headers=[ORIGIN])
        connected, _ = await communicator.connect()
        self.assertTrue(connected)
        self.view = view or LiveView()
        try:
            if expect_state:
                self.first = await receive_answer(communicator, self.view)
            yield communicator
        finally:
            await communicator.disconnect()

    async def act(self, communicator, message):
        """Send one message; the answer's last message (the state, or an error)."""
        await communicator.send_to(text_data=message if isinstance(message, str) else json.dumps(message))
        return await receive_answer(communicator, self.view)

    async def playing(self):
        """A connection whose autoplay runs (the caller ends it)."""
        communicator = WebsocketCommunicator(application, PATH, headers=[ORIGIN])
        await communicator.connect()
        self.view = LiveView()
        await receive_answer(communicator, self.view)
        await self.act(communicator, {"action": "play"})
        self.assertEqual(len(autoplay_tasks()), 1)
        return communicator

    def assertNoServerErrors(self):
        return self.assertNoLogs(level="ERROR")


class ConnectingTest(ConsumerTestCase):
    async def test_it_sends_step_zero_on_connect(self):
        async with self.player():
            self.assertEqual(state(self.first), (0, False, 1.0))
            self.assertIn('<output id="step-status" hx-swap-oob="innerHTML">Step 0 of 4</output>', self.first)

    async def test_it_resumes_at_the_step_in_the_address(self):
        async with self.player(PATH + "?step=3"):
            self.assertEqual(state(self.first)[0], 3)
            self.assertEqual(self.view.table(), SEED_ROWS[:3])

    async def test_a_browser_that_says_which_rows_it_holds_gets_only_the_missing_ones(self):
        for held, step in ((3, 3), (0, 0), (1, 3), (4, 2)):
            with self.subTest(held=held, step=step):
                view = holding(held)
                async with self.player(f"{PATH}?step={step}&held={held}", view=view):
                    self.assertEqual(self.view.table(), SEED_ROWS[:step])
                    self.assertEqual(self.view.tracker_texts(), SEED_TRACKER[1 : step + 1])  # [0] is Start's
                    self.assertEqual(self.view.rows_received, max(step - held, 0))

    async def test_an_impossible_count_of_rows_held_resynchronises_the_table(self):
        for held in ("9", "-1", "two", ""):
            with self.subTest(held=held):
                async with self.player(f"{PATH}?step=2&held={held}", view=holding(4)):
                    self.assertEqual(self.view.table(), SEED_ROWS[:2])
                    self.assertEqual(self.view.rows_received, 2)
                    self.assertEqual(self.view.errors, [])

    async def test_a_bad_step_in_the_address_starts_at_zero_and_says_why(self):
        async with self.player(PATH + "?step=12") as communicator:
            self.assertEqual(state(self.first)[0], 0)
            self.assertEqual(error(await communicator.receive_from()), "Step 12 is out of range. This scenario has steps 0 to 4.")

    async def test_every_region_is_swapped_by_id_and_the_socket_element_never(self):
        async with self.player(PATH + "?step=1"):
            pass
        top_level = re.findall(r"^<(\w+) id=\"([\w-]+)\"[^>]*hx-swap-oob=\"(\w+)\"", self.first, re.M)
        self.assertEqual(
            [(tag, id_) for tag, id_, _ in top_level],
            [("div", "flow-state"), ("p", "caption"), ("p", "lane-in-path"), ("p", "lane-out-path"), ("output", "step-status"), ("div", "player-error")],
        )
        self.assertNotIn('id="live"', self.first)
        self.assertNotIn("ws-connect", self.first)

    async def test_an_unknown_lesson_is_closed_with_4404(self):
        async with self.player("/ws/lessons/no-such-lesson/", expect_state=False) as communicator:
            self.assertEqual(await communicator.receive_output(), {"type": "websocket.close", "code": 4404})

    async def test_an_unpublished_lesson_is_closed_with_4404(self):
        await Lesson.objects.acreate(slug="draft", title="Draft", scenario=SEED_SCENARIO, published=False)
        async with self.player("/ws/lessons/draft/", expect_state=False) as communicator:
            self.assertEqual(await communicator.receive_output(), {"type": "websocket.close", "code": 4404})

    async def test_staff_can_preview_an_unpublished_lesson(self):
        await Lesson.objects.acreate(slug="draft", title="Draft", scenario=SEED_SCENARIO, published=False)
        cookie = await database_sync_to_async(self.staff_session_cookie)()
        communicator = WebsocketCommunicator(application, "/ws/lessons/draft/", headers=[ORIGIN, cookie])
        self.assertTrue((await communicator.connect())[0])
        self.assertEqual(state(await receive_answer(communicator, LiveView()))[0], 0)
        await communicator.disconnect()

    def staff_session_cookie(self):
        browser = Client()
        browser.force_login(User.objects.create_user("author", is_staff=True))
        return (b"cookie", f"sessionid={browser.cookies['sessionid'].value}".encode())

    @override_settings(DEBUG=False)
    async def test_a_foreign_origin_is_refused(self):
        communicator = WebsocketCommunicator(application, PATH, headers=[(b"origin", b"https://evil.example")])
        connected, _ = await communicator.connect()
        self.assertFalse(connected)

    @override_settings(DEBUG=False)
    async def test_a_missing_origin_is_refused(self):
        communicator = WebsocketCommunicator(application, PATH)
        connected, _ = await communicator.connect()
        self.assertFalse(connected)


class ActionTest(ConsumerTestCase):
    async def test_step_moves_forward_and_stays_at_the_end(self):
        async with self.player(PATH + "?step=3") as communicator:
            message = await self.act(communicator, {"action": "step"})
            self.assertEqual(state(message)[0], 4)
            self.assertEqual(self.view.table(), SEED_ROWS)
            self.assertEqual(self.view.tracker_texts(), SEED_TRACKER[1:])
            self.assertIn("Step 4 of 4. Outgoing tcp packet from web server to IP A port 50001: dropped", message)
            self.assertIn('data-nodes="out.arrive out.state out.state_ok out.drop"', message)
            self.assertIn('data-verdict-node="out.drop"', message)
            self.assertEqual(state(await self.act(communicator, {"action": "step"}))[0], 4)

    async def test_back_rewinds_everything_exactly(self):
        async with self.player(PATH + "?step=2") as communicator:
            at_two = await self.act(communicator, {"action": "goto", "step": 2})
            forward = await self.act(communicator, {"action": "step"})
            back = await self.act(communicator, {"action": "back"})
            self.assertEqual(state(forward)[0], 3)
            self.assertEqual(back, at_two)  # the same regions, byte for byte, as before stepping
            self.assertEqual(back, self.first)  # and as on connect

    async def test_an_answer_clears_the_last_error(self):
        async with self.player() as communicator:
            await self.act(communicator, {"action": "fly"})
            answer = await self.act(communicator, {"action": "step"})
            self.assertTrue(answer.rstrip().endswith(CLEARED_ERROR))

    async def test_back_stays_at_zero(self):
        async with self.player() as communicator:
            at_zero = await self.act(communicator, {"action": "reset"})
            self.assertEqual(await self.act(communicator, {"action": "back"}), at_zero)

    async def test_goto_and_reset(self):
        async with self.player() as communicator:
            at_zero = await self.act(communicator, {"action": "goto", "step": 0})
            message = await self.act(communicator, {"action": "goto", "step": 2})
            self.assertEqual(state(message)[0], 2)
            self.assertEqual(self.view.tracker_texts(), SEED_TRACKER[1:3])
            self.assertEqual(state(await self.act(communicator, {"action": "goto", "step": "4"}))[0], 4)
            self.assertEqual(await self.act(communicator, {"action": "reset"}), at_zero)

    async def test_speed_changes_and_is_reported(self):
        async with self.player() as communicator:
            self.assertEqual(state(await self.act(communicator, {"action": "speed", "speed": 0.5})), (0, False, 0.5))
            self.assertEqual(state(await self.act(communicator, {"action": "speed", "speed": 2})), (0, False, 2.0))

    async def test_htmx_headers_are_ignored(self):
        async with self.player() as communicator:
            message = await self.act(communicator, {"action": "step", "HEADERS": {"HX-Request": "true", "HX-Trigger": None}})
            self.assertEqual(state(message)[0], 1)


class AutoplayTest(ConsumerTestCase):
    async def test_play_advances_on_its_own_until_paused(self):
        async with self.player() as communicator:
            await self.act(communicator, {"action": "speed", "speed": 2})
            self.assertEqual(state(await self.act(communicator, {"action": "play"})), (0, True, 2.0))
            self.assertEqual(len(autoplay_tasks()), 1)
            self.assertEqual(state(await receive_answer(communicator, self.view, timeout=2)), (1, True, 2.0))
            self.assertEqual(state(await self.act(communicator, {"action": "pause"})), (1, False, 2.0))
            self.assertEqual(autoplay_tasks(), [])
            self.assertTrue(await communicator.receive_nothing(timeout=1.2))

    async def test_play_stops_at_the_last_step(self):
        async with self.player(PATH + "?step=3") as communicator:
            await self.act(communicator, {"action": "speed", "speed": 2})
            self.assertEqual(state(await self.act(communicator, {"action": "play"})), (3, True, 2.0))
            self.assertEqual(state(await receive_answer(communicator, self.view, timeout=2)), (4, False, 2.0))
            self.assertTrue(await communicator.receive_nothing(timeout=1.2))
            self.assertEqual(autoplay_tasks(), [])

    async def test_play_at_the_end_starts_again_from_zero(self):
        async with self.player(PATH + "?step=4") as communicator:
            self.assertEqual(state(await self.act(communicator, {"action": "play"}))[:2], (0, True))

    async def test_any_move_stops_autoplay(self):
        async with self.player() as communicator:
            await self.act(communicator, {"action": "play"})
            self.assertEqual(state(await self.act(communicator, {"action": "goto", "step": 3})), (3, False, 1.0))
            self.assertEqual(autoplay_tasks(), [])

    async def test_pause_is_handled_while_a_step_is_pending(self):
        async with self.player() as communicator:
            await self.act(communicator, {"action": "speed", "speed": 0.5})  # 3.2 s a step
            await self.act(communicator, {"action": "play"})
            self.assertEqual(state(await self.act(communicator, {"action": "pause"})), (0, False, 0.5))

    async def test_play_without_packets_does_not_start(self):
        await Lesson.objects.acreate(slug="empty", title="Empty", scenario={**SEED_SCENARIO, "timeline": []}, published=True)
        async with self.player("/ws/lessons/empty/") as communicator:
            self.assertEqual(state(await self.act(communicator, {"action": "play"})), (0, False, 1.0))
            self.assertEqual(autoplay_tasks(), [])

    async def test_disconnecting_cancels_autoplay(self):
        communicator = await self.playing()
        await communicator.disconnect()
        await asyncio.sleep(0)
        self.assertEqual(autoplay_tasks(), [])


class BadInputTest(ConsumerTestCase):
    BAD = [
        ("{not json", 'The message is not valid JSON. Send one JSON object such as {"action": "step"}.'),
        ("[1, 2]", 'The message must be a JSON object. Send one JSON object such as {"action": "step"}.'),
        ('{"step": 1}', "Unknown action null. Use one of: step, back, goto, reset, last, play, pause, toggle, speed."),
        ('{"action": "fly"}', 'Unknown action "fly". Use one of: step, back, goto, reset, last, play, pause, toggle, speed.'),
        ('{"action": "goto"}', 'goto needs a “step”. Send {"action": "goto", "step": 2}.'),
        ('{"action": "speed"}', 'speed needs a “speed”. Send {"action": "speed", "speed": 1.5}.'),
        ('{"action": "goto", "step": null}', "The step must be a whole number, not null. Give a step from 0 to 4."),
        ("[" * 2000 + "]" * 2000, 'The message is not valid JSON. Send one JSON object such as {"action": "step"}.'),
        ('{"action": "goto", "step": 5}', "Step 5 is out of range. This scenario has steps 0 to 4."),
        ('{"action": "goto", "step": -1}', "Step -1 is out of range. This scenario has steps 0 to 4."),
        ('{"action": "goto", "step": 1.5}', "The step must be a whole number, not 1.5. Give a step from 0 to 4."),
        ('{"action": "goto", "step": true}', "The step must be a whole number, not true. Give a step from 0 to 4."),
        ('{"action": "goto", "step": "2x"}', 'The step must be a whole number, not "2x". Give a step from 0 to 4.'),
        ('{"action": "speed", "speed": 3}', "The speed must be one of 0.5, 0.75, 1, 1.5 or 2, not 3. Pick 0.5, 0.75, 1, 1.5 or 2."),
        ('{"action": "speed", "speed": "fast"}', 'The speed must be one of 0.5, 0.75, 1, 1.5 or 2, not "fast". Pick 0.5, 0.75, 1, 1.5 or 2.'),
        ('{"action": "speed", "speed": NaN}', "The speed must be one of 0.5, 0.75, 1, 1.5 or 2, not NaN. Pick 0.5, 0.75, 1, 1.5 or 2."),
        ('{"action": "step", "step": 2}', 'Unexpected field “step” for step. Send {"action": "step"}.'),
        ('{"action": "goto", "step": 1, "x": 1}', 'Unexpected field “x” for goto. Send {"action": "goto", "step": 2}.'),
    ]

    async def test_each_kind_of_bad_message_gets_a_clear_error_and_changes_nothing(self):
        async with self.player(PATH + "?step=2") as communicator:
            with self.assertNoServerErrors():
                for message, expected in self.BAD:
                    with self.subTest(message=message):
                        self.assertEqual(error(await self.act(communicator, message)), expected)
                self.assertEqual(state(await self.act(communicator, {"action": "step"}))[0], 3)

    async def test_a_binary_message_is_refused(self):
        async with self.player() as communicator:
            await communicator.send_to(bytes_data=b'{"action": "step"}')
            self.assertEqual(
                error(await communicator.receive_from()),
                'Binary messages are not understood. Send one JSON object such as {"action": "step"}.',
            )

    async def test_an_oversized_message_is_refused_and_the_connection_keeps_working(self):
        async with self.player() as communicator:
            huge = json.dumps({"action": "step", "padding": "x" * 5000})
            with self.assertNoServerErrors():
                message = await self.act(communicator, huge)
            self.assertEqual(error(message), f'The message is {len(huge)} bytes; the limit is 4096. Send one JSON object such as {{"action": "step"}}.')
            self.assertEqual(state(await self.act(communicator, {"action": "step"}))[0], 1)

    async def test_error_text_is_escaped(self):
        async with self.player() as communicator:
            message = await self.act(communicator, {"action": "<img src=x onerror=alert(1)>"})
            self.assertNotIn("<img", message)
            self.assertIn("&lt;img src=x", message)

    @mock.patch.object(consumers, "clock", lambda: 1000.0)  # no token comes back during the test
    async def test_a_flood_is_rate_limited_then_closed_with_4008(self):
        async with self.player() as communicator:
            flood = machine.MESSAGES_PER_SECOND * 4
            with self.assertNoServerErrors():
                for _ in range(flood):  # back at step 0: each answer is one state message
                    await communicator.send_to(text_data='{"action": "back"}')
                outputs = []
                while True:
                    output = await communicator.receive_output(timeout=5)
                    outputs.append(output)
                    if output["type"] == "websocket.close":
                        break
            answers = [output["text"] for output in outputs[:-1]]
            errors = [error(text) for text in answers if error(text)]
            self.assertEqual(errors, ["Too many messages: the limit is 20 a second. Wait a moment, then press one key or button at a time."])
            self.assertEqual(len(answers), machine.MESSAGES_PER_SECOND + 1)  # the burst was served
            self.assertEqual(outputs[-1], {"type": "websocket.close", "code": 4008})

    @mock.patch.object(consumers, "clock", lambda: 1000.0)
    async def test_a_full_burst_is_served(self):
        async with self.player() as communicator:
            for _ in range(machine.MESSAGES_PER_SECOND):
                await communicator.send_to(text_data='{"action": "back"}')
            for _ in range(machine.MESSAGES_PER_SECOND):
                self.assertIsNone(error(await communicator.receive_from()))
