"""Each Deep and Why demo of every lesson plays in Chromium: from its first step, the Step
link moves one timeline entry at a time to the last, each step showing the engine's verdict and
explanation, and First goes back. The demos and what each step must show come from the
database and the engine's replay (modes.demos), so a new lesson or demo is covered as it is."""

from django.core.management import call_command
from playwright.sync_api import expect

from modes.demos import replay
from lessons.models import LessonMode
from modes.models import DEMO_MODES

from .base import BrowserTestCase


class DemoReplayTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        for command in ("load_lessons", "load_modes"):
            call_command(command, stdout=open("/dev/null", "w"))

    def expect_demo_at(self, number, step, total):
        """Demo ``number`` of the page shows ``step`` (a modes.demos.DemoStep) as its current row."""
        section = self.page.locator(f"#demo-{number}")
        expect(section.locator(".demo__status")).to_have_text(f"Step {step.number} of {total}")
        expect(section.locator(".demo__steps tbody tr")).to_have_count(step.number)
        current = section.locator("tr.is-current")
        expect(current).to_have_attribute("aria-current", "step")
        expect(current).to_contain_text(step.verdict.value if step.is_packet else "change")
        expect(current).to_contain_text(step.explanation)

    def demos(self):
        """(lesson slug, mode, the demo's number on its page, the demo) for every Why and Deep demo."""
        return [
            (lesson_mode.lesson.slug, lesson_mode.mode, number, demo)
            for lesson_mode in LessonMode.objects.filter(mode__in=DEMO_MODES).select_related("lesson").order_by("lesson__slug", "mode")
            for number, demo in enumerate(lesson_mode.demos.all(), 1)  # numbered as the page numbers them
        ]

    def test_every_why_and_deep_demo_of_every_lesson_steps_from_first_to_last(self):
        demos = self.demos()
        self.assertEqual(len({slug for slug, *_ in demos}), 3, "the demos of all three lessons' Why and Deep modes")
        for slug, mode, number, demo in demos:
            with self.subTest(lesson=slug, mode=mode, demo=number):
                steps = replay(demo.scenario)
                response = self.page.goto(f"/lessons/{slug}/{mode}/?demo={number}&step=1")
                self.assertEqual(response.status, 200)
                section = self.page.locator(f"#demo-{number}")
                expect(section.locator("h2")).to_have_text(demo.title)
                self.expect_demo_at(number, steps[0], len(steps))
                for step in steps[1:]:
                    section.get_by_role("link", name="Step", exact=True).click()
                    self.expect_demo_at(number, step, len(steps))
                # At the last step there is nowhere further to go; First goes back to the start.
                expect(section.get_by_role("link", name="Step", exact=True)).to_have_count(0)
                if len(steps) > 1:
                    section.get_by_role("link", name="First", exact=True).click()
                    self.expect_demo_at(number, steps[0], len(steps))
