"""Challenge and Project in Chromium: keyboard predictions, a puzzle solved after a miss, a
project with a forbidden flow open, no axe-core violations, no sideways scroll at 360 px."""

import json

from playwright.sync_api import expect

from conftest import SEED_SLUG
from practice.content import load_practice_content
from tests.grading.cases import PROJECT_SOLUTION, SOLUTIONS, tcp

from . import test_accessibility as accessibility  # a module, so its test class is not collected twice
from .base import ARTIFACTS, BrowserTestCase

CHALLENGE = f"/lessons/{SEED_SLUG}/challenge/"
PUZZLE = f"{CHALLENGE}puzzles/ssh-from-office-only/"
PROJECT = f"/lessons/{SEED_SLUG}/project/three-tier/"


class PracticeTests(BrowserTestCase):
    # The accessibility tests' axe scan, without their lesson-page tests.
    scan = accessibility.AccessibilityTests.scan
    assert_no_serious_violations = accessibility.AccessibilityTests.assert_no_serious_violations

    def setUp(self):
        super().setUp()
        load_practice_content()
        self.page.route(f"**{accessibility.AXE_PATH}", lambda route: route.fulfill(path=accessibility.AXE, content_type="text/javascript"))

    def predict_by_keyboard(self, verdict, basis):
        """Choose with the keyboard only: focus a radio, Space to choose it, Enter to send."""
        form = self.page.locator("form.prediction")
        action = form.get_attribute("action")
        form.get_by_label(verdict, exact=False).focus()
        self.page.keyboard.press("Space")
        form.get_by_label(basis, exact=False).focus()
        self.page.keyboard.press("Space")
        form.get_by_role("button").focus()
        self.page.keyboard.press("Enter")
        self.page.wait_for_load_state()
        # htmx swaps the region in place: wait until that step's form has gone.
        expect(self.page.locator(f'form.prediction[action="{action}"]')).to_have_count(0)

    def test_the_revealed_step_shows_the_player_at_360_px(self):
        """Keyboard only: the reveal brings the player at step 1, its rules panel marking the
        deciding rule, the connection table with the new connection, the live region's words."""
        self.page.set_viewport_size({"width": 360, "height": 800})
        self.page.goto(CHALLENGE)
        expect(self.page.locator("#challenge-player")).to_have_count(0)
        self.predict_by_keyboard("Allowed", "a security group rule")
        expect(self.page.locator("#challenge-player #rules-panel .rule-mark--decided")).to_have_count(1)
        expect(self.page.locator("#challenge-player #connections-panel .connection")).to_have_count(1)
        expect(self.page.locator("#reveal-status")).to_contain_text("Step 1 revealed")
        expect(self.page.locator("#step-1")).to_be_focused()
        self.assert_no_violations_at_all("the challenge with step 1 revealed in the player")

    def test_three_predictions_marked_and_scored(self):
        self.page.goto(CHALLENGE)
        self.predict_by_keyboard("Allowed", "a security group rule")  # right
        self.predict_by_keyboard("Dropped", "no rule matched")  # wrong verdict
        self.predict_by_keyboard("Dropped", "a network ACL")  # right verdict, wrong reason
        expect(self.page.locator("#score")).to_contain_text("Score: 1 of 3 right · streak 0 · best streak 1")
        expect(self.page.locator("#step-2 .reveal")).to_contain_text("✗ Wrong: ✓ Allowed")
        expect(self.page.locator("#step-3 .reveal")).to_contain_text("✗ Wrong: no rule matched")
        self.page.reload()
        expect(self.page.locator("#score")).to_contain_text("Score: 1 of 3 right")
        self.assert_no_serious_violations("the challenge after three predictions")
        self.shoot("challenge")

    def send_groups(self, groups):
        """Send ``groups`` as JSON (on a puzzle, the JSON form is folded under the editor)."""
        folded = self.page.locator("details:has(#id_groups)")
        if folded.count() and not folded.evaluate("details => details.open"):
            folded.locator("summary").click()
        self.page.locator("#id_groups").fill(json.dumps(groups, indent=2))
        self.page.locator(".groups-form button[type=submit]").click()
        self.page.wait_for_load_state()

    def test_a_puzzle_solved_after_a_failing_attempt_that_names_the_goal(self):
        self.page.goto(PUZZLE)
        start = json.loads(self.page.locator("#id_groups").input_value())
        self.send_groups(start)
        expect(self.page.locator("#result-heading")).to_contain_text("Not solved yet")
        expect(self.page.locator("#result .mark--missed").first).to_contain_text("IP A cannot reach SSH")
        self.assert_no_serious_violations("a puzzle not solved")
        self.shoot("puzzle")
        self.send_groups(SOLUTIONS["ssh-from-office-only"])
        expect(self.page.locator("#result-heading")).to_contain_text("Solved")
        expect(self.page.locator(".history li")).to_have_count(2)

    def test_a_puzzle_solved_with_the_rule_editor_alone_at_360_px(self):
        """A phone-width page, keyboard only: add the inbound rule, Check, see it solved."""
        self.page.set_viewport_size({"width": 360, "height": 800})
        self.page.goto(f"{CHALLENGE}puzzles/answer-without-outbound/")
        self.assert_no_violations_at_all("the puzzle's rule editor, no rules yet")
        self.press_by_keyboard("#b-add-in-sg0")
        expect(self.page.locator("#f-sg0-in0-protocol")).to_have_value("tcp")
        self.assertEqual(self.page.locator("#f-sg0-in0-protocol").evaluate("input => [input.spellcheck, input.form.autocomplete]"), [False, "off"])
        for field, value in (("from_port", "80"), ("to_port", "eighty"), ("peer", "0.0.0.0/0")):
            self.page.locator(f"#f-sg0-in0-{field}").fill(value)
        self.page.locator("#f-sg0-in0-peer").press("Enter")  # Enter in a field presses Check, the form's first button
        self.page.wait_for_load_state()
        expect(self.page.locator("#f-sg0-in0-to_port")).to_have_value("eighty")
        expect(self.page.locator("#f-sg0-in0-to_port")).to_have_attribute("aria-invalid", "true")
        expect(self.page.locator("#f-sg0-in0-to_port-errors")).to_contain_text("Error:")
        self.assert_no_violations_at_all("the rule editor with a fault at its field")
        self.page.locator("#f-sg0-in0-to_port").fill("80")
        self.press_by_keyboard("#b-check-end")
        expect(self.page.locator("#result-heading")).to_contain_text("Solved")
        expect(self.page.locator("#result .mark--met").first).to_contain_text("IP A's HTTP request reaches the web server")
        self.assertLessEqual(self.page.evaluate("document.documentElement.scrollWidth"), 360, "the solved puzzle scrolls sideways at 360 px")
        self.assert_no_violations_at_all("a puzzle solved with the editor")
        self.shoot("puzzle-editor")

    def press_by_keyboard(self, selector):
        self.page.locator(selector).focus()
        self.page.keyboard.press("Enter")
        self.page.wait_for_load_state()

    def assert_no_violations_at_all(self, name):
        """Zero axe violations of any impact (scan prints them all), and no sideways scroll."""
        self.scan(name)
        count = self.page.evaluate("() => axe.run(document).then(result => result.violations.length)")
        self.assertEqual(count, 0, f"axe violations on {name}: see the printed list")
        width = self.page.viewport_size["width"]
        self.assertLessEqual(self.page.evaluate("document.documentElement.scrollWidth"), width, f"{name} scrolls sideways at {width} px")

    def test_a_project_with_one_forbidden_flow_open_names_it(self):
        groups = json.loads(json.dumps(PROJECT_SOLUTION))
        groups[3]["IpPermissions"].append(tcp(5432, group="sg-web"))
        groups[1]["IpPermissionsEgress"].append(tcp(5432, group="sg-db"))
        self.page.goto(PROJECT)
        self.send_groups({"SecurityGroups": groups})
        expect(self.page.locator("#result-heading")).to_contain_text("9 of 10 flows right")
        expect(self.page.locator("#result .mark--missed")).to_contain_text(["The web tier skips the application and queries the database"])
        self.assert_no_serious_violations("a graded project")
        self.shoot("project")

    def shoot(self, name):
        """Screenshots at 1280 and 360 px (test-artifacts/); at 360 the page must not scroll sideways."""
        ARTIFACTS.mkdir(exist_ok=True)
        for width in (1280, 360):
            self.page.set_viewport_size({"width": width, "height": 900})
            self.assertLessEqual(self.page.evaluate("document.documentElement.scrollWidth"), width, f"{name} scrolls sideways at {width} px")
            path = ARTIFACTS / f"practice-{name}-{width}.png"
            self.page.screenshot(path=path, full_page=True)
            print(f"\nscreenshot: {path}")
        self.page.set_viewport_size({"width": 1280, "height": 900})
