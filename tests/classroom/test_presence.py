"""The learner count after a process dies without running disconnect: each learner's
connection is a Presence row that its consumer renews; rows that stop being renewed stop
counting after PRESENCE_EXPIRY_SECONDS. The clock is one the test moves."""

from contextlib import AsyncExitStack
from datetime import timedelta
from unittest import mock

from channels.db import database_sync_to_async
from django.test import TestCase
from django.utils import timezone

from classroom import consumers
from classroom.models import PRESENCE_EXPIRY_SECONDS, Presence

from .support import start_class
from .test_consumer import ClassSocketTestCase

EXPIRY = timedelta(seconds=PRESENCE_EXPIRY_SECONDS)
SECOND = timedelta(seconds=1)


class Clock:
    """A presence clock that moves only when told to."""

    def __init__(self):
        self.moment = timezone.now()

    def __call__(self):
        return self.moment

    def advance(self, delta):
        self.moment += delta


def leave_behind(class_session, learners, moment, process="dead"):
    """The rows a process's learners leave when it is killed: made at connect, then never
    renewed nor deleted (no heartbeat, no disconnect runs again)."""
    for number, learner in enumerate(learners):
        Presence.objects.arrive(class_session, learner, f"specific.{process}!{number}", moment)


class PresenceTest(TestCase):
    def setUp(self):
        self.class_session = start_class()
        self.learners = [self.class_session.learners.create(display_name=f"L{n}") for n in range(3)]
        self.start = timezone.now()

    def test_the_learners_of_a_dead_process_count_until_their_rows_expire_then_never(self):
        leave_behind(self.class_session, self.learners, self.start)
        self.assertEqual(self.class_session.online_at(self.start), 3)
        self.assertEqual(self.class_session.online_at(self.start + EXPIRY), 3, "still within the expiry")
        self.assertEqual(self.class_session.online_at(self.start + EXPIRY + SECOND), 0)

    def test_a_renewed_connection_keeps_counting_while_the_dead_ones_drop(self):
        leave_behind(self.class_session, self.learners, self.start)
        later = self.start + EXPIRY / 2
        Presence.objects.mark(self.class_session, self.learners[0], "specific.dead!0", later)
        self.assertEqual(self.class_session.online_at(self.start + EXPIRY + SECOND), 1)

    def test_a_learner_connected_twice_or_reconnected_counts_once(self):
        leave_behind(self.class_session, self.learners[:1], self.start)
        Presence.objects.arrive(self.class_session, self.learners[0], "specific.alive!0", self.start + SECOND)
        self.assertEqual(self.class_session.online_at(self.start + SECOND), 1)

    def test_an_arrival_deletes_the_classs_expired_rows_only(self):
        other_class = start_class("other-teacher")
        stranger = other_class.learners.create()
        leave_behind(self.class_session, self.learners, self.start)
        leave_behind(other_class, [stranger], self.start, process="other")
        later = self.start + EXPIRY + SECOND
        Presence.objects.arrive(self.class_session, self.learners[0], "specific.new!0", later)
        self.assertEqual(list(self.class_session.presences.values_list("channel", flat=True)), ["specific.new!0"])
        self.assertEqual(other_class.presences.count(), 1, "another class's rows wait for its own arrivals")
        self.assertEqual(self.class_session.online_at(later), 1)


class PresenterCountTest(ClassSocketTestCase):
    async def test_the_projector_count_drops_when_a_dead_processs_learners_expire(self):
        clock = Clock()
        self.enterContext(mock.patch("classroom.models.now", clock))
        self.enterContext(mock.patch.object(consumers, "HEARTBEAT_SECONDS", 0.05))
        dead = await database_sync_to_async(lambda: [self.class_session.learners.create() for _ in range(2)])()
        await database_sync_to_async(leave_behind)(self.class_session, dead, clock())
        async with AsyncExitStack() as stack:
            presenter = await self.presenter(stack)
            await self.learner(stack, "Alive")
            await self.count_shown(presenter, "<strong>3</strong> learners connected")
            # The clock jumps past the expiry: the live learner's next heartbeat renews its row
            # (until then the recount may show 0), the dead rows stay as they were.
            clock.advance(EXPIRY + SECOND)
            await self.count_shown(presenter, "<strong>1</strong> learner connected")
        self.assertEqual(await Presence.objects.filter(class_session=self.class_session).acount(), 2, "the disconnect removed its own row only")

    async def count_shown(self, socket, count):
        """Wait for an audience update showing ``count`` (receive_from fails after 5 s of silence;
        the presenter's recount speaks only when the count changes)."""
        while count not in await socket.receive_from(timeout=5):
            pass
