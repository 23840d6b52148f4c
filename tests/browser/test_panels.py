"""The model on screen in a real browser: the rules panel, the connection table (with its
numbers on the flowchart) and the execution sample follow the player, forwards and back."""

from playwright.sync_api import expect

from tests.support.seed_panels import (
    CHART_MARKS,
    CONNECTION_ROWS,
    NO_OUTBOUND_RULES,
    NO_RULE_MATCHED,
    RULE_OUTCOMES,
    SAMPLE_LINES_NOW,
)

from .base import ARTIFACTS, BrowserTestCase

SCREENSHOTS = ARTIFACTS / "screenshots"
PANELS = "() => ({rules: document.getElementById('rules-panel').innerHTML, connections: document.getElementById('connections-panel').innerHTML})"


class PanelTests(BrowserTestCase):
    def expect_panels_at(self, step):
        self.expect_step(step)
        page = self.page
        outcome = page.locator("#rules-panel .rules-outcome")
        decided = page.locator("#rules-panel .rule.is-decided")
        if step == 0:
            expect(outcome).to_have_count(0)
        else:
            kind, rule = RULE_OUTCOMES[step]
            expect(outcome).to_have_attribute("data-outcome", kind)
            if rule:
                expect(decided).to_have_count(1)
                expect(decided.locator(".rule__plain")).to_have_text(rule)
                expect(decided.locator(".rule-mark--decided")).to_have_text("▶ decided: allowed this packet")
        if step == 0 or RULE_OUTCOMES[step][1] is None:
            expect(decided).to_have_count(0)
        if step == 3:
            expect(outcome).to_contain_text(f"✗ {NO_RULE_MATCHED}:")
        if step == 4:
            expect(outcome).to_have_text(f"✗ {NO_OUTBOUND_RULES}")

        rows = page.locator("#connections-panel .connection")
        expected = CONNECTION_ROWS[step]
        expect(rows).to_have_count(len(expected))
        for index, (marker, mark, state, left) in enumerate(expected):
            row = rows.nth(index)
            expect(row.locator(".connection__marker")).to_have_text(marker)
            expect(row.locator('[data-field="state"]')).to_have_text(state)
            expect(row.locator('[data-field="timeout-left"]')).to_have_text(left)
            if mark:
                expect(row).to_have_class(f"connection is-{mark}")
            else:
                expect(row).to_have_class("connection")

        shown = {f"{node}:{number}" for node, number in self.badges()}
        self.assertEqual(shown, set(CHART_MARKS[step].split()), "the connection's number on the chart")
        now = page.locator(".sample__lines li.is-now")
        expect(now).to_have_count(len(SAMPLE_LINES_NOW[step]))
        for index, order in enumerate(SAMPLE_LINES_NOW[step]):
            expect(now.nth(index)).to_have_attribute("aria-current", "step")
            expect(now.nth(index)).to_have_attribute("data-order", str(order))
            expect(now.nth(index).locator(".sample__now")).to_have_text("▶ now")

    def badges(self):
        """The connection numbers drawn on flowchart nodes: (node, number) pairs."""
        return self.page.evaluate(
            """() => Array.from(document.querySelectorAll('.conn-badge:not(.is-hidden)'),
                   badge => [badge.dataset.badgeNode, badge.textContent.trim().replace('#', '')])"""
        )

    def test_the_panels_follow_the_player_forwards_and_back_exactly(self):
        self.open_lesson("?step=0")
        self.expect_panels_at(0)
        seen = [self.page.evaluate(PANELS)]
        for step in range(1, 5):
            self.press_player("player-step")
            self.expect_panels_at(step)
            seen.append(self.page.evaluate(PANELS))
        for step in (3, 2, 1, 0):
            self.press_player("player-back")
            self.expect_panels_at(step)
            self.assertEqual(self.page.evaluate(PANELS), seen[step], f"step {step} again, exactly")

    def test_a_page_opened_at_a_step_shows_what_the_player_sent(self):
        self.open_lesson("?step=0")
        self.press_player("player-step")
        self.press_player("player-step")
        self.expect_panels_at(2)
        sent = self.page.evaluate(PANELS)
        self.open_lesson("?step=2")
        self.expect_panels_at(2)
        self.assertEqual(self.page.evaluate(PANELS), sent)

    def test_screenshots_of_each_step_and_no_sideways_scroll_on_a_phone(self):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        print(f"\nscreenshots in {SCREENSHOTS}")
        for width in (1280, 360):
            self.page.set_viewport_size({"width": width, "height": 900 if width > 360 else 740})
            self.open_lesson("?step=0")
            for step in range(1, 5):
                with self.subTest(width=width, step=step):
                    self.press_player("player-step")
                    self.expect_panels_at(step)
                    # The player's regions side by side; on a phone, where they are one long column, each panel.
                    regions = {"live": "#live"} if width > 360 else {"rules": "#rules-panel", "connections": "#connections-panel"}
                    for name, region in regions.items():
                        path = SCREENSHOTS / f"panels-step{step}-{width}-{name}.png"
                        self.page.locator(region).screenshot(path=path, animations="disabled")
                        print(f"  {path}")
                    overflow = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                    self.assertLessEqual(overflow, 0, f"the page scrolls sideways at {width}px, step {step}")
