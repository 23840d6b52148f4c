"""The panels and the execution sample on the lesson page at ?step=k and in the websocket's
frames: the same partials, so the same HTML, and frames carry them only when the step moves."""

import json
import re

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application
from tests import test_consumer as consumer_tests
from tests.support.live import ANSWER_END
from tests.support.panels import connection_cards, decided_rules, outcome, region, sample_lines_now
from tests.support.seed_panels import CONNECTION_ROWS, RULE_OUTCOMES, SAMPLE_LINES_NOW
from tests.test_lesson_page import URL, page

PANELS = ("rules-panel", "connections-panel")


@pytest.mark.django_db
@pytest.mark.parametrize("number", range(5))
def test_the_page_at_a_step_shows_its_panels_and_sample_lines(client, number):
    html = page(client, f"?step={number}")
    rules = region(html, "rules-panel")
    if number:
        kind, rule = RULE_OUTCOMES[number]
        assert [k for k, _ in outcome(rules)] == [kind]
        assert [rule in line for line in decided_rules(rules)] == ([True] if rule else [])
    else:
        assert outcome(rules) == []
    assert connection_cards(region(html, "connections-panel")) == CONNECTION_ROWS[number]
    assert sample_lines_now(html) == SAMPLE_LINES_NOW[number]


@pytest.mark.django_db
def test_the_chart_shows_the_connection_number_where_it_was_recorded_and_found(client):
    badge = '<g class="conn-badge" data-badge-node="{}">'
    assert badge.format("in.record") in page(client, "?step=1")
    assert badge.format("out.state") in page(client, "?step=2")
    assert '<g class="conn-badge" ' not in page(client, "?step=3")


class PanelFramesTest(consumer_tests.ConsumerTestCase):
    async def test_frames_carry_the_panels_of_the_page_when_the_step_moves_and_only_then(self):
        pages = {number: await self.page_panels(number) for number in range(5)}
        communicator = WebsocketCommunicator(application, consumer_tests.PATH + "?step=0", headers=[consumer_tests.ORIGIN])
        self.assertTrue((await communicator.connect())[0])
        try:
            messages = await self.answer(communicator, None)
            self.assertEqual(self.panels(messages), pages[0], "on connect: the panels of its step")
            for number in (1, 2, 3, 4, 3, 2, 1, 0):
                action = {"action": "step"} if number > self.step else {"action": "back"}
                messages = await self.answer(communicator, action)
                self.assertEqual(self.panels(messages), pages[number], f"step {number}")
            for action in ({"action": "speed", "speed": 2}, {"action": "goto", "step": 0}):
                messages = await self.answer(communicator, action)
                self.assertEqual(len(messages), 1, f"{action}: the state alone, the panels unchanged")
                self.assertIsNone(region(messages[0], "rules-panel"))
        finally:
            await communicator.disconnect()

    async def page_panels(self, number):
        html = await sync_to_async(lambda: Client().get(f"{URL}?step={number}").content.decode())()
        return tuple(region(html, name) for name in PANELS)

    async def answer(self, communicator, action):
        """The messages of one answer (to connecting when ``action`` is None), in order; the
        state message, last, tells the step."""
        if action is not None:
            await communicator.send_to(text_data=json.dumps(action))
        messages = [await communicator.receive_from()]
        while ANSWER_END not in messages[-1]:
            messages.append(await communicator.receive_from())
        self.step = int(re.search(r'data-step="(\d+)"', messages[-1]).group(1))
        return messages

    def panels(self, messages):
        (message,) = [m for m in messages if region(m, "rules-panel")]
        return tuple(region(message, name) for name in PANELS)
