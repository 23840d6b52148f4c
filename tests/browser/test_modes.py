"""The Learn, Why, Deep and Perf pages in Chromium: no axe violations at all, no sideways
scroll at 360 px, screenshots at 1280 and 360 px, and Learn's build-up from the keyboard."""

from django.core.management import call_command
from playwright.sync_api import expect

from conftest import SEED_SLUG
from modes.apps import MODES

from . import test_accessibility
from .base import BrowserTestCase
from .test_screenshots import SCREENSHOTS

WIDTHS = (1280, 360)


class ModePageTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        call_command("load_modes")
        axe = test_accessibility
        self.page.route(f"**{axe.AXE_PATH}", lambda route: route.fulfill(path=axe.AXE, content_type="text/javascript"))

    def open_mode(self, mode, query=""):
        response = self.page.goto(f"/lessons/{SEED_SLUG}/{mode}/{query}")
        self.assertEqual(response.status, 200)

    def test_every_mode_page_passes_axe_with_no_violations_and_fits_a_phone(self):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for mode in MODES:
            for width in WIDTHS:
                with self.subTest(mode=mode, width=width):
                    self.page.set_viewport_size({"width": width, "height": 900})
                    self.open_mode(mode)
                    path = SCREENSHOTS / f"mode-{mode}-{width}.png"
                    self.page.screenshot(path=path, full_page=True, animations="disabled")
                    print(f"  {path}")
                    overflow = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                    self.assertLessEqual(overflow, 0, f"{mode} scrolls sideways at {width}px")
                    # Every violation, not only the serious ones.
                    violations = test_accessibility.AccessibilityTests.axe_violations(self, f"the {mode} mode at {width}px")
                    self.assertEqual([violation["id"] for violation in violations], [], mode)

    def test_learn_commits_each_answer_before_the_next_step_opens_from_the_keyboard(self):
        self.open_mode("learn")
        first, second = self.page.locator("#build-step-1"), self.page.locator("#build-step-2")
        expect(second).to_have_count(0)
        first.get_by_role("radio").first.focus()
        self.page.keyboard.press("ArrowDown")  # the second option: the right one
        expect(first.get_by_role("radio").nth(1)).to_be_checked()
        self.page.keyboard.press("Tab")
        expect(first.get_by_role("button", name="Commit my answer")).to_be_focused()
        self.page.keyboard.press("Enter")
        expect(self.page.locator("#build-step-1 .build-step__verdict")).to_contain_text("Right")
        expect(self.page.locator("#build-step-2")).to_be_visible()
        expect(self.page.locator("#build-step-3")).to_have_count(0)
        self.assertIn("a1=2", self.page.url)

    def test_a_demo_steps_forward_and_back_through_its_links(self):
        self.open_mode("deep", "?demo=1&step=1")
        demo = self.page.locator("#demo-1")
        expect(demo.locator(".demo__status")).to_have_text("Step 1 of 3")
        demo.get_by_role("link", name="Step").click()
        expect(self.page.locator("#demo-1 .demo__status")).to_have_text("Step 2 of 3")
        expect(self.page.locator("#demo-1 tbody tr")).to_have_count(2)
        expect(self.page.locator("#demo-1 tr.is-current")).to_contain_text("ALLOW")
        self.page.locator("#demo-1").get_by_role("link", name="Back").click()
        expect(self.page.locator("#demo-1 .demo__status")).to_have_text("Step 1 of 3")
