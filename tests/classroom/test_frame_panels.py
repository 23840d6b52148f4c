"""The rules panel and the connection table on a class: each frame that moves the step carries
them, the same HTML as the lesson page at that step (one partial, player.consumers.panels_message)."""

from contextlib import AsyncExitStack

from asgiref.sync import sync_to_async
from django.test import Client

from tests.support.panels import connection_cards, decided_rules, outcome, region
from tests.support.seed_panels import CONNECTION_ROWS, HTTP_RULE, RULE_OUTCOMES
from tests.test_lesson_page import URL

from .support import frame_step
from .test_consumer import ClassSocketTestCase

PANELS = ("rules-panel", "connections-panel")


def panels(html):
    return tuple(region(html, name) for name in PANELS)


class FramePanelsTest(ClassSocketTestCase):
    async def test_a_frame_at_step_1_shows_the_deciding_rule_and_the_recorded_connection(self):
        async with AsyncExitStack() as stack:
            presenter = await self.presenter(stack)
            learner = await self.learner(stack)
            await self.send(presenter, {"action": "step"})
            frame = await self.receive_frame(learner)
            self.assertEqual(frame_step(frame), (1, 1))
            rules = region(frame, "rules-panel")
            self.assertEqual([kind for kind, _ in outcome(rules)], [RULE_OUTCOMES[1][0]])
            self.assertEqual([HTTP_RULE in line for line in decided_rules(rules)], [True], "the deciding rule is highlighted")
            self.assertEqual(connection_cards(region(frame, "connections-panel")), CONNECTION_ROWS[1])
            self.assertEqual(panels(await self.receive_frame(presenter)), panels(frame), "the projector shows the same panels")

    async def test_the_panels_follow_every_step_as_on_the_lesson_page_and_a_vote_leaves_them_be(self):
        async with AsyncExitStack() as stack:
            presenter = await self.presenter(stack)
            learner = await self.learner(stack)
            self.assertEqual(panels(self.first), await self.lesson_panels(0), "a (re)connecting page gets the panels of its step")
            for action, step in [("step", 1), ("step", 2), ("back", 1), ("step", 2)]:
                await self.send(presenter, {"action": action})
                frame = await self.receive_frame(learner)
                self.assertEqual(frame_step(frame)[1], step)
                self.assertEqual(panels(frame), await self.lesson_panels(step), f"{action} to step {step}")
            await self.send(presenter, {"action": "ask", "question": "packet-3"})
            self.assertEqual(panels(await self.receive_frame(learner)), (None, None), "the step did not move: the panels stay")
            await self.learner(stack)
            self.assertEqual(panels(self.first), await self.lesson_panels(2), "a late learner gets the panels of the class's step")

    async def lesson_panels(self, step):
        html = await sync_to_async(lambda: Client().get(f"{URL}?step={step}").content.decode())()
        return panels(html)
