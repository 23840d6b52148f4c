"""The class's websocket through the real ASGI application (origin check, sessions, routing):
a presenter and several learners, in one process, on the in-memory channel layer (whatever the
settings name: Redis is the subject of test_redis.py, test_two_processes.py and test_dead_process.py,
and a layer's internals show here what one process subscribes)."""

import asyncio
import json
import re
from contextlib import AsyncExitStack, asynccontextmanager

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import TransactionTestCase, override_settings

from classroom import consumers, fanout
from classroom.models import ClassSession, Presence, Vote
from config.asgi import application
from conftest import load_seed_lesson

from .support import ORIGIN, error_text, frame_step, learner_cookie, presenter_cookie, start_class


def class_tasks():
    return [task for task in asyncio.all_tasks() if task.get_name().startswith("sgviz-class-") and not task.done()]


@override_settings(CHANNEL_LAYERS={"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}})
class ClassSocketTestCase(TransactionTestCase):
    def setUp(self):
        load_seed_lesson()
        self.class_session = start_class()
        self.path = f"/ws/class/{self.class_session.code}/"

    @asynccontextmanager
    async def socket(self, cookie, path=None):
        """A connected socket; ``self.first`` holds its first message."""
        communicator = WebsocketCommunicator(application, path or self.path, headers=[ORIGIN, cookie])
        connected, _ = await communicator.connect()
        self.assertTrue(connected)
        try:
            self.first = await communicator.receive_from(timeout=5)
            yield communicator
        finally:
            await communicator.disconnect()

    async def presenter(self, stack):
        cookie = await database_sync_to_async(presenter_cookie)(self.class_session)
        return await stack.enter_async_context(self.socket(cookie))

    async def learner(self, stack, name=""):
        cookie, learner = await database_sync_to_async(learner_cookie)(self.class_session, name)
        socket = await stack.enter_async_context(self.socket(cookie))
        socket.learner = learner
        return socket

    async def send(self, socket, message):
        await socket.send_to(text_data=json.dumps(message))

    async def receive_error(self, socket):
        """The next error fragment's text, skipping frames and audience updates."""
        while True:
            text = error_text(await socket.receive_from(timeout=3))
            if text:
                return text

    async def receive_frame(self, socket):
        """The next frame, skipping the presenter's audience updates."""
        while True:
            message = await socket.receive_from(timeout=3)
            if frame_step(message):
                return message


class FollowingTest(ClassSocketTestCase):
    async def test_a_process_holds_one_subscription_for_all_its_learners_and_drops_it_with_the_last(self):
        from channels.layers import get_channel_layer

        layer = get_channel_layer()
        followers, _ = consumers.group_names(self.class_session.pk)
        async with AsyncExitStack() as stack:
            presenter = await self.presenter(stack)
            learners = [await self.learner(stack, f"L{n}") for n in range(3)]
            self.assertEqual(fanout.local_followers(layer, followers), 3)
            self.assertEqual(len(layer.groups[followers]), 1, "one channel in the group for the whole process")
            for expected in (1, 2):
                await self.send(presenter, {"action": "step"})
                self.assertEqual([frame_step(await self.receive_frame(learner))[1] for learner in learners], [expected] * 3)
            async with AsyncExitStack() as late:
                await self.learner(late, "late")
                self.assertEqual(frame_step(self.first)[1], 2, "a late learner starts at the class's step")
                self.assertEqual(fanout.local_followers(layer, followers), 4)
            self.assertEqual(fanout.local_followers(layer, followers), 3)
        for _ in range(50):  # the relay discards its channel as it stops
            if not class_tasks():
                break
            await asyncio.sleep(0.02)
        self.assertEqual(fanout.local_followers(layer, followers), 0)
        self.assertEqual(class_tasks(), [])
        self.assertFalse(layer.groups.get(followers))

    async def test_every_learner_follows_the_presenter_with_one_identical_frame(self):
        async with AsyncExitStack() as stack:
            presenter = await self.presenter(stack)
            learners = [await self.learner(stack, f"L{n}") for n in range(3)]
            self.assertEqual(frame_step(self.first), (0, 0))
            await self.send(presenter, {"action": "step"})
            frames = [await self.receive_frame(learner) for learner in learners]
            self.assertEqual({frame_step(frame) for frame in frames}, {(1, 1)})
            self.assertEqual(len(set(frames)), 1, "every learner gets the same text")
            self.assertIn("Step 1 of 4", frames[0])
            self.assertIn("Allow packet and record connection state", frames[0])
            self.assertEqual(frame_step(await self.receive_frame(presenter)), (1, 1))
            await self.send(presenter, {"action": "goto", "step": 3})
            self.assertEqual(frame_step(await self.receive_frame(learners[2])), (2, 3))
        row = await ClassSession.objects.aget(pk=self.class_session.pk)
        self.assertEqual((row.step, row.sequence), (3, 2))
        self.assertFalse(await Presence.objects.filter(class_session=row).aexists(), "every disconnect removed its presence")

    async def test_a_late_learner_lands_on_the_current_step(self):
        async with AsyncExitStack() as stack:
            presenter = await self.presenter(stack)
            for _ in range(2):
                await self.send(presenter, {"action": "step"})
                await self.receive_frame(presenter)
            await self.learner(stack)
            self.assertEqual(frame_step(self.first), (2, 2))

    async def test_a_learners_drive_message_is_refused_and_never_reaches_the_class(self):
        async with AsyncExitStack() as stack:
            presenter = await self.presenter(stack)
            intruder = await self.learner(stack)
            other = await self.learner(stack)
            for action in [{"action": "step"}, {"action": "goto", "step": 4}, {"action": "ask", "question": "packet-1"}, {"action": "play"}]:
                await self.send(intruder, action)
                reply = await intruder.receive_from()
                self.assertEqual(error_text(reply), "Only the presenter can move the class. Your screen follows every step the presenter takes.")
            self.assertTrue(await other.receive_nothing(timeout=0.3))
            self.assertTrue(await self.presenter_hears_no_frame(presenter))
        row = await ClassSession.objects.aget(pk=self.class_session.pk)
        self.assertEqual((row.step, row.sequence), (0, 0))

    async def presenter_hears_no_frame(self, presenter):
        while not await presenter.receive_nothing(timeout=0.4):
            self.assertIsNone(frame_step(await presenter.receive_from()))
        return True

    async def test_bad_messages_get_an_error_fragment_and_the_socket_stays_open(self):
        async with AsyncExitStack() as stack:
            presenter = await self.presenter(stack)
            for text in ["not json", "[]", '{"action": []}', '{"action": {}}', '{"action": "goto", "step": ' + "9" * 400 + "}",
                         '{"action": "goto", "step": 5}', '{"action": "goto", "step": true}', '{"action": "\\ud800"}',
                         '{"action": "step", "extra": 1}', '{"action": "ask", "question": "packet-99"}', '{"action": "vote", "choice": "x"}']:
                await presenter.send_to(text_data=text)
                reply = await presenter.receive_from()
                self.assertIsNotNone(error_text(reply), text)
            await presenter.send_to(bytes_data=b"\x00")
            self.assertIn("Binary messages", error_text(await presenter.receive_from()))
            await self.send(presenter, {"action": "step", "HEADERS": {"HX-Request": "true"}})
            self.assertEqual(frame_step(await self.receive_frame(presenter)), (1, 1))

    async def test_an_unknown_class_or_a_stranger_is_closed_with_4404(self):
        cookie, _ = await database_sync_to_async(learner_cookie)(self.class_session)
        for path, headers in [("/ws/class/ZZZZZZ/", [ORIGIN, cookie]), (self.path, [ORIGIN])]:
            communicator = WebsocketCommunicator(application, path, headers=headers)
            connected, _ = await communicator.connect()
            self.assertTrue(connected)
            self.assertEqual((await communicator.receive_output())["code"], consumers.CLOSE_NO_CLASS)

    @override_settings(DEBUG=False)
    async def test_a_foreign_origin_is_refused(self):
        cookie, _ = await database_sync_to_async(learner_cookie)(self.class_session)
        communicator = WebsocketCommunicator(application, self.path, headers=[(b"origin", b"http://evil.example"), cookie])
        connected, _ = await communicator.connect()
        self.assertFalse(connected)

    async def test_the_presenter_sees_the_learners_connected(self):
        async with AsyncExitStack() as stack:
            presenter = await self.presenter(stack)
            await self.learner(stack)
            await self.learner(stack)
            counts = []
            while not await presenter.receive_nothing(timeout=0.5):
                counts.append(await presenter.receive_from())
            self.assertIn("<strong>2</strong> learners connected", counts[-1])

    async def test_autoplay_runs_on_the_presenters_clock_and_ends_with_the_connection(self):
        consumers.AUTOPLAY_SECONDS, saved = 0.05, consumers.AUTOPLAY_SECONDS
        self.addCleanup(setattr, consumers, "AUTOPLAY_SECONDS", saved)
        async with AsyncExitStack() as stack:
            presenter = await self.presenter(stack)
            learner = await self.learner(stack)
            await self.send(presenter, {"action": "play"})
            steps = [frame_step(await self.receive_frame(learner))[1] for _ in range(5)]
            self.assertEqual(steps, [0, 1, 2, 3, 4])
        self.assertEqual(class_tasks(), [])
        async with AsyncExitStack() as stack:
            presenter = await self.presenter(stack)
            await self.send(presenter, {"action": "play"})
            await self.receive_frame(presenter)
            self.assertEqual(len([task for task in class_tasks() if "-autoplay-" in task.get_name()]), 1)
        self.assertEqual(class_tasks(), [])
        row = await ClassSession.objects.aget(pk=self.class_session.pk)
        self.assertFalse(row.playing, "the clock stops with the connection that held it")


class VotingTest(ClassSocketTestCase):
    async def test_three_learners_vote_and_the_presenter_sees_a_tally_of_three(self):
        async with AsyncExitStack() as stack:
            presenter = await self.presenter(stack)
            learners = [await self.learner(stack) for _ in range(3)]
            await self.send(presenter, {"action": "ask", "question": "packet-1"})
            opened = [await self.receive_frame(learner) for learner in learners][0]
            self.assertIn("Will this packet be allowed, and why?", opened)
            self.assertIn('data-choice="allow-rule"', opened)
            self.assertNotIn('id="tally"', opened, "learners see no tally while the vote is open")
            for learner, choice in zip(learners, ["allow-rule", "allow-state", "allow-rule"]):
                await self.send(learner, {"action": "vote", "choice": choice})
                self.assertIn(f'data-choice="{choice}"', await learner.receive_from())
            await self.send(learners[1], {"action": "vote", "choice": "allow-rule"})  # changes their vote
            await learners[1].receive_from()
            await asyncio.sleep(consumers.AUDIENCE_SECONDS + 0.2)
            updates = []
            while not await presenter.receive_nothing(timeout=0.3):
                updates.append(await presenter.receive_from())
            self.assertIn("3 votes", updates[-1])
            self.assertEqual(re.findall(r'class="tally__count">(\d+)', updates[-1]), ["3", "0", "0"])
            await self.send(presenter, {"action": "reveal"})
            revealed = [await self.receive_frame(learner) for learner in learners][0]
            self.assertIn("Right answer:</span> Allowed: a rule of the security group allows it", revealed)
            self.assertIn("Allowed by inbound rule tcp port 80 from 0.0.0.0/0", revealed, "the engine's explanation")
            self.assertIn("3 votes", revealed)
            await self.send(learners[0], {"action": "vote", "choice": "drop-no-match"})
            self.assertIn("Voting is closed", error_text(await learners[0].receive_from()))
        choices = [vote.choice async for vote in Vote.objects.filter(question="packet-1").order_by("learner_id")]
        self.assertEqual(choices, ["allow-rule", "allow-rule", "allow-rule"])

    async def test_after_a_burst_of_votes_the_presenters_last_tally_has_every_vote(self):
        """Votes keep arriving while a redraw is under way: the redraws are coalesced, yet
        the last one the presenter gets counts them all (none is dropped)."""
        async with AsyncExitStack() as stack:
            presenter = await self.presenter(stack)
            learners = [await self.learner(stack) for _ in range(8)]
            await self.send(presenter, {"action": "ask", "question": "packet-1"})
            for learner in learners:
                await self.receive_frame(learner)
            choices = ["allow-rule", "allow-state", "drop-no-match"]
            for index, learner in enumerate(learners):
                await self.send(learner, {"action": "vote", "choice": choices[index % 3]})
                if index % 3 == 2:  # let a redraw start before the next votes come in
                    await asyncio.sleep(consumers.AUDIENCE_SECONDS)
            for learner in learners:
                await learner.receive_from()
            await asyncio.sleep(2 * consumers.AUDIENCE_SECONDS + 0.3)
            updates = []
            while not await presenter.receive_nothing(timeout=0.5):
                updates.append(await presenter.receive_from())
            tallies = [update for update in updates if "tally__total" in update]
            self.assertLess(len(tallies), len(learners), "redraws are coalesced, not one per vote")
            self.assertIn("8 votes", tallies[-1])
            self.assertEqual(re.findall(r'class="tally__count">(\d+)', tallies[-1]), ["3", "3", "2"])

    async def test_a_reconnecting_learner_gets_the_open_question_and_their_own_vote(self):
        async with AsyncExitStack() as stack:
            presenter = await self.presenter(stack)
            cookie, _ = await database_sync_to_async(learner_cookie)(self.class_session)
            await self.send(presenter, {"action": "ask", "question": "packet-1"})
            await self.receive_frame(presenter)
            async with self.socket(cookie) as learner:
                await self.send(learner, {"action": "vote", "choice": "allow-state"})
                await learner.receive_from()
            async with self.socket(cookie) as learner:
                self.assertEqual(frame_step(self.first), (1, 0))
                self.assertIn('data-question="packet-1" data-choice="allow-state"', await learner.receive_from())

    async def test_a_presenter_cannot_vote_and_a_learner_cannot_vote_for_a_stranger_option(self):
        async with AsyncExitStack() as stack:
            presenter = await self.presenter(stack)
            learner = await self.learner(stack)
            await self.send(presenter, {"action": "ask", "question": "packet-1"})
            await self.receive_frame(learner)
            await self.send(presenter, {"action": "vote", "choice": "allow-rule"})
            self.assertEqual(await self.receive_error(presenter), 'Unknown action. Use one of: ' + ", ".join(consumers.PRESENTER_ACTIONS) + ".")
            await self.send(learner, {"action": "vote", "choice": "maybe"})
            self.assertIn("not one of this question's answers", error_text(await learner.receive_from()))
        self.assertEqual(await Vote.objects.acount(), 0)


@override_settings(CHANNEL_LAYERS={"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [{"address": "redis://127.0.0.1:1/0", "socket_connect_timeout": 0.5}]}}})
class LayerDownTest(ClassSocketTestCase):
    async def test_with_the_channel_layer_down_a_learner_is_closed_with_1013_to_retry(self):
        from channels.layers import channel_layers

        channel_layers.backends.clear()
        self.addCleanup(channel_layers.backends.clear)
        cookie, _ = await database_sync_to_async(learner_cookie)(self.class_session)
        communicator = WebsocketCommunicator(application, self.path, headers=[ORIGIN, cookie])
        connected, _ = await communicator.connect()
        self.assertTrue(connected)
        with self.assertLogs("classroom.consumers", "WARNING"):
            self.assertEqual((await communicator.receive_output(timeout=5))["code"], consumers.CLOSE_TRY_AGAIN)
        self.assertEqual(class_tasks(), [])
