"""The pages that play a scenario besides the lesson (the sandbox's run, a shared snapshot, a
class's projector and learner page) in real Chromium: htmx finds every fragment's target
while stepping, and the chart draws no empty connection badge."""

from django.contrib.auth.models import User
from django.test import Client
from playwright.sync_api import expect

from classroom.models import ClassSession
from conftest import SEED_SLUG
from lessons.models import Lesson

from .base import BrowserTestCase

VISIBLE_EMPTY_BADGES = """() => [...document.querySelectorAll('.conn-badge')]
  .filter(badge => !badge.textContent.trim() && getComputedStyle(badge).display !== 'none').length"""


class PageParityTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.errors = []
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))

    def no_target_errors(self):
        return [text for text in self.errors if "oobErrorNoTarget" in text or "NoTarget" in text]

    def test_the_sandbox_run_and_a_snapshot_step_without_missing_targets(self):
        client = Client()
        client.post("/try/start/", {"start": "seed"})
        self.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": self.live_server_url}])
        for address in ("/try/run/", "/try/run/?step=0"):
            self.page.goto(address)
            self.expect_step(0)
            self.assertEqual(self.page.evaluate(VISIBLE_EMPTY_BADGES), 0, address)
            expect(self.page.locator("#rules-panel")).to_be_visible()
            expect(self.page.locator("#connections-panel")).to_be_visible()
            for number in (1, 2):
                self.press_player("player-step")
                self.expect_step(number)
            self.press_player("player-back")
            self.expect_step(1)
        self.assertEqual(self.no_target_errors(), [])

    def test_a_class_page_steps_without_missing_targets_or_empty_badges(self):
        teacher = User.objects.create_user("teacher", is_staff=True)
        class_session = ClassSession.objects.start(owner=teacher, lesson=Lesson.objects.get(slug=SEED_SLUG))
        client = Client()
        client.force_login(teacher)
        self.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": self.live_server_url}])
        self.page.set_viewport_size({"width": 1280, "height": 720})
        self.page.goto(f"/class/{class_session.code}/projector/")
        expect(self.page.locator("#class-connection")).to_have_text("Live")
        self.assertEqual(self.page.evaluate(VISIBLE_EMPTY_BADGES), 0)
        for action, number in (("step", 1), ("step", 2), ("back", 1), ("first", 0)):
            self.page.locator(f'#class-controls [data-action="{action}"]').click()
            expect(self.page.locator("#step-status")).to_have_text(f"Step {number} of 4")
        self.assertEqual(self.page.evaluate(VISIBLE_EMPTY_BADGES), 0)
        # A class opens at step 0, where its resynchronising frame once deleted rows that were not there.
        self.assertEqual(self.no_target_errors(), [])
