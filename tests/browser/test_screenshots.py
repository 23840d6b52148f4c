"""The lesson page from a phone to a projector: screenshots at step 2, of the whole page and of
its first screen (to look at; the folder is printed), and no sideways scrolling at any width."""

from playwright.sync_api import expect

from .base import ARTIFACTS, BrowserTestCase

SCREENSHOTS = ARTIFACTS / "screenshots"
WIDTHS = (360, 1280, 1920)


class ScreenshotTests(BrowserTestCase):
    def test_it_lays_the_lesson_out_from_a_phone_to_a_projector(self):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        print(f"\nscreenshots in {SCREENSHOTS}")
        for width in WIDTHS:
            with self.subTest(width=width):
                self.page.set_viewport_size({"width": width, "height": 1080})
                self.open_lesson("?step=0")
                self.press_player("player-step")
                self.press_player("player-step")
                self.expect_step(2)
                for path, full_page in [
                    (SCREENSHOTS / f"lesson-step2-{width}.png", True),
                    (SCREENSHOTS / f"lesson-step2-{width}-first-screen.png", False),  # docs/lesson.png
                ]:
                    self.page.screenshot(path=path, full_page=full_page, animations="disabled")
                    print(f"  {path}")
                overflow = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                self.assertLessEqual(overflow, 0, f"the page scrolls sideways at {width}px: {self.too_wide()}")

    def too_wide(self):
        """The elements past the right edge of the window that no scrolling box holds in (an
        absolutely positioned one escapes a box that is not its containing block)."""
        return self.page.evaluate(
            """() => {
                const clipper = element => {
                    for (let box = element.parentElement; box && box !== document.body; box = box.parentElement) {
                        if (getComputedStyle(box).overflowX !== 'visible') return box;
                    }
                    return null;
                };
                const escapes = element => {
                    const box = clipper(element);
                    const positioned = ['absolute', 'fixed'].includes(getComputedStyle(element).position);
                    return !box || (positioned && !(element.offsetParent && box.contains(element.offsetParent)));
                };
                return Array.from(document.querySelectorAll('body *'))
                    .filter(element => element.getBoundingClientRect().right > window.innerWidth + 0.5)
                    .filter(escapes)
                    .map(element => `${element.tagName.toLowerCase()}${element.id ? '#' + element.id : ''}` +
                                    `.${String(element.className.baseVal ?? element.className).split(' ').join('.')}` +
                                    ` (right edge ${Math.round(element.getBoundingClientRect().right)}px)`);
            }"""
        )

    def test_on_a_phone_the_current_verdict_and_tracker_cell_are_in_view(self):
        """At 360 px the tables scroll sideways inside their boxes; the step just taken must be
        where the learner looks, not hidden past the right edge of its box."""
        self.page.set_viewport_size({"width": 360, "height": 740})
        self.open_lesson("?step=1")
        self.press_player("player-step")
        self.expect_step(2)
        for name, cell in [
            ("the current row's Action (ALLOW/DROP)", "#exec-table tr.is-current td.verdict"),
            ("the current tracker cell", "#tracker td.is-current"),
        ]:
            with self.subTest(name):
                cell = self.page.locator(cell)
                cell.evaluate("cell => cell.closest('.table-scroll').scrollIntoView({block: 'center'})")
                # IntersectionObserver: clipping by the box counts. lesson.js scrolls on the message.
                expect(cell).to_be_in_viewport(ratio=0.9, timeout=3_000)
