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
        for width, height in [(1280, 800), (1920, 1080)]:  # the projector view, as a classroom sees it
            with self.subTest(projector=width):
                self.page.set_viewport_size({"width": width, "height": height})
                self.open_lesson("?step=2&projector=1")
                path = SCREENSHOTS / f"projector-step2-{width}.png"
                self.page.screenshot(path=path, animations="disabled")
                print(f"  {path}")
                overflow = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                self.assertLessEqual(overflow, 0, f"the projector view scrolls sideways at {width}px: {self.too_wide()}")

    def test_the_projector_view_fits_one_screen(self):
        """A classroom sees the caption, the player, both lanes, the process table (from its Step
        column) and the tracker at once: nothing scrolls, at step 2 and with the table full."""
        for width, height in [(1920, 1080), (1280, 720), (1280, 800)]:
            for step in (2, 4):
                with self.subTest(width=width, height=height, step=step):
                    self.page.set_viewport_size({"width": width, "height": height})
                    self.open_lesson(f"?step={step}&projector=1")
                    self.expect_step(step)
                    page = self.page.evaluate(
                        "({scrollHeight: document.documentElement.scrollHeight, innerHeight: window.innerHeight,"
                        " scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth})"
                    )
                    self.assertLessEqual(page["scrollHeight"], page["innerHeight"] + 1, f"scrolls down: {page}")
                    self.assertLessEqual(page["scrollWidth"], page["innerWidth"], f"scrolls sideways: {page}")
                    step_header = self.page.locator("#exec-table th").first
                    expect(step_header).to_have_text("Step")
                    gap = step_header.evaluate(
                        "th => th.getBoundingClientRect().left - th.closest('.table-scroll').getBoundingClientRect().left"
                    )
                    self.assertGreaterEqual(gap, 0, "the Step column is scrolled out of its box")
                    for region in ("#caption", "#player", "#tracker", ".lane:nth-child(1) .flow-node:last-of-type",
                                   ".lane:nth-child(2) .flow-node:last-of-type"):
                        expect(self.page.locator(region)).to_be_in_viewport(ratio=1)

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

    def test_flowchart_labels_are_readable_fit_their_shapes_and_share_one_scale(self):
        """Node labels at least 16 px on screen at 1280 px, at least 14 px in the projector view at
        1280x720 (where the whole lesson fits one screen) and larger on a larger screen; both lanes
        drawn at one scale (a shrunken lane would mislead); every label inside its shape."""
        for width, height, query, smallest in [
            (1280, 800, "?step=2", 16),
            # The projector view fits one screen: the chart's height sets its scale.
            (1280, 720, "?step=2&projector=1", 14),
            (1280, 800, "?step=2&projector=1", 15.5),
            (1920, 1080, "?step=2&projector=1", 21),
        ]:
            with self.subTest(width=width, view=query):
                self.page.set_viewport_size({"width": width, "height": height})
                self.open_lesson(query)
                chart = self.page.evaluate(FLOWCHART_GEOMETRY)
                scales = {round(lane["scale"], 3) for lane in chart}
                self.assertEqual(len(scales), 1, f"the lanes are drawn at different scales: {scales}")
                for lane in chart:
                    self.assertGreaterEqual(lane["label_px"], smallest, f"labels too small in {lane['name']}")
                    self.assertEqual(lane["outside"], [], f"label lines outside their shapes in {lane['name']}")

    def test_on_a_phone_the_caption_leads_and_the_player_stays_compact(self):
        self.page.set_viewport_size({"width": 360, "height": 740})
        self.open_lesson("?step=2")
        box = lambda selector: self.page.locator(selector).first.bounding_box()  # noqa: E731
        self.assertLess(box("#caption")["y"], box(".flow-chart")["y"], "the caption should come before the chart")
        self.assertLessEqual(box("#player")["height"], 110, "the sticky player takes too much of the screen")

    def test_on_a_phone_table_rows_are_cards_labelled_by_their_column(self):
        self.page.set_viewport_size({"width": 360, "height": 740})
        self.open_lesson("?step=2")
        headers = ["Step", "Packet Direction", "Check", "Result", "Action"]
        labels = self.page.locator("#exec-table tbody.step-row tr").first.locator("td").evaluate_all(
            "cells => cells.map(cell => getComputedStyle(cell, '::before').content)"
        )
        self.assertEqual(labels, [f'"{header}"' for header in headers])
        for region in ("#exec-table", "#tracker"):
            with self.subTest(region):
                sideways = self.page.locator(region).evaluate("box => box.scrollWidth - box.clientWidth")
                self.assertLessEqual(sideways, 0, f"{region} still scrolls sideways at 360 px")
        # Still a table to assistive technology: its cells keep their column headers.
        self.assertEqual(self.page.get_by_role("cell", name="Outgoing").count(), 1)
        self.assertEqual(self.page.get_by_role("columnheader", name="Packet Direction").count(), 1)


# Per lane: the screen scale, the labels' size on screen, and any label line that leaves its
# shape (rectangle, or the diamond |dx|/half width + |dy|/half height <= 1), in SVG units.
FLOWCHART_GEOMETRY = """() => Array.from(document.querySelectorAll('svg.flow-chart'), svg => {
    const scale = svg.getScreenCTM().a;
    const origin = svg.getBoundingClientRect();
    const outside = [];
    let labelPx = Infinity;
    svg.querySelectorAll('.flow-node').forEach(node => {
        const shape = node.querySelector('.flow-node__shape').getBBox();
        const cx = shape.x + shape.width / 2, cy = shape.y + shape.height / 2;
        const diamond = node.classList.contains('flow-node--decision');
        node.querySelectorAll('tspan').forEach(line => {
            labelPx = Math.min(labelPx, parseFloat(getComputedStyle(line).fontSize) * scale);
            const r = line.getBoundingClientRect();
            const corners = [[r.left, r.top], [r.right, r.top], [r.left, r.bottom], [r.right, r.bottom]]
                .map(([x, y]) => [(x - origin.left) / scale, (y - origin.top) / scale]);
            const inside = corners.every(([x, y]) => diamond
                ? Math.abs(x - cx) / (shape.width / 2) + Math.abs(y - cy) / (shape.height / 2) <= 1.02
                : x >= shape.x - 0.5 && x <= shape.x + shape.width + 0.5 && y >= shape.y - 0.5 && y <= shape.y + shape.height + 0.5);
            if (!inside) outside.push(line.textContent);
        });
    });
    return {name: svg.getAttribute('aria-labelledby'), scale, label_px: labelPx, outside};
})"""
