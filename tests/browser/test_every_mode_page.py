"""Every mode page of every lesson in Chromium at 360 px: it renders, axe-core finds no
violation of any impact, and nothing scrolls sideways. The lessons and their modes come from
the database, loaded as `make run` loads it, and each lesson's mode bar says which pages it has:
a new lesson or mode is covered without touching this file. One page is reused throughout."""

import json

from django.core.management import call_command
from playwright.sync_api import expect

from lessons.mode_pages import mode_bar
from lessons.models import Lesson

from . import test_accessibility as accessibility  # a module, so its test class is not collected twice
from .base import BrowserTestCase

PHONE = {"width": 360, "height": 800}


class EveryModePageTests(BrowserTestCase):
    axe_violations = accessibility.AccessibilityTests.axe_violations

    def setUp(self):
        super().setUp()
        for command in ("load_lessons", "load_modes", "load_practice"):
            call_command(command, stdout=open("/dev/null", "w"))
        self.page.route(f"**{accessibility.AXE_PATH}", lambda route: route.fulfill(path=accessibility.AXE, content_type="text/javascript"))
        self.page.set_viewport_size(PHONE)

    def mode_pages(self):
        """(lesson slug, mode, address) for every mode with a page in every lesson's mode bar."""
        return [
            (lesson.slug, link.mode, link.href)
            for lesson in Lesson.objects.order_by("order", "slug")
            for link in mode_bar(lesson, current="").links
            if link.href
        ]

    def test_every_mode_page_of_every_lesson_passes_axe_and_fits_360_px(self):
        pages = self.mode_pages()
        lessons = {slug for slug, _, _ in pages}
        self.assertEqual(lessons, set(Lesson.objects.values_list("slug", flat=True)))
        self.assertGreater(len(pages), 3 * len(lessons), "each lesson offers several mode pages")
        for slug, mode, href in pages:
            with self.subTest(lesson=slug, mode=mode):
                response = self.page.goto(href)
                self.assertEqual(response.status, 200, href)
                if mode == "visual":
                    self.expect_live()  # the player has swapped in its live state before the scan
                expect(self.page.locator("h1")).to_be_visible()
                overflow = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                self.assertLessEqual(overflow, 0, f"{href} scrolls sideways at 360 px")
                violations = self.axe_violations(f"{href} at 360 px")
                self.assertEqual(violations, [], json.dumps(violations, indent=1, ensure_ascii=False))
