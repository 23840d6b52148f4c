"""An axe-core scan of the pages, and the live player under the site's strict
Content-Security-Policy."""

import json
from pathlib import Path

from playwright.sync_api import expect

from .base import BrowserTestCase

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"
# axe-core is served to the browser by Playwright at an address on the site under test, so the
# page's own policy (script-src 'self') admits it: no CSP bypass is needed. The site never
# serves this file.
AXE_PATH = "/__tests__/axe.min.js"
BLOCKING = {"serious", "critical"}


class AccessibilityTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.page.route(f"**{AXE_PATH}", lambda route: route.fulfill(path=AXE, content_type="text/javascript"))

    def scan(self, name):
        """Run axe on the page as it is; print every violation, return the serious and critical."""
        # Named through the class: other test classes borrow scan as it is, without this helper.
        return [violation for violation in AccessibilityTests.axe_violations(self, name) if violation["impact"] in BLOCKING]

    def axe_violations(self, name):
        """Run axe on the page as it is; print and return every violation, whatever its impact."""
        self.page.add_script_tag(url=AXE_PATH)
        result = self.page.evaluate(
            """() => axe.run(document).then(result => ({
                version: result.testEngine.version,
                passed: result.passes.length,
                incomplete: result.incomplete.map(check => `${check.id} (${check.nodes.length})`),
                violations: result.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(node => ({target: node.target.join(' '), summary: node.failureSummary})),
                })),
            }))"""
        )
        self.assertGreater(result["passed"], 10, "axe ran its rules")
        violations = result["violations"]
        print(
            f"\naxe-core {result['version']} on {name}: {result['passed']} rules passed, "
            f"{len(violations)} violated, to check by hand: {', '.join(result['incomplete']) or 'none'}"
        )
        for violation in violations:
            print(f"  [{violation['impact']}] {violation['id']}: {violation['help']}")
            for node in violation["nodes"]:
                print(f"      {node['target']}: {node['summary']!r}")
        return violations

    def assert_no_serious_violations(self, name):
        blocking = self.scan(name)
        self.assertEqual(blocking, [], json.dumps(blocking, indent=1, ensure_ascii=False))

    def test_the_lesson_page_at_the_start_has_no_serious_violations(self):
        self.open_lesson("?step=0")
        self.assert_no_serious_violations("the lesson at step 0")

    def test_the_lesson_page_at_the_last_step_has_no_serious_violations(self):
        self.open_lesson("?step=0")
        self.press_player("player-last")
        self.expect_step(4)
        self.page.locator(".quiz-question").first.get_by_role("button").first.click()  # feedback shown too
        expect(self.page.locator(".quiz-question .feedback").first).to_contain_text("Not quite")
        self.assert_no_serious_violations("the lesson at step 4, one quiz answer given")

    def test_the_lesson_page_with_its_panels_marked_has_no_serious_violations(self):
        """The deciding rule (step 1) and the connection found (step 2) are marked, the
        execution sample's lines too, as the websocket left them."""
        self.open_lesson("?step=0")
        for step in (1, 2):
            self.press_player("player-step")
            self.expect_step(step)
            expect(self.page.locator(".sample__lines li.is-now").first).to_be_visible()
            self.assert_no_serious_violations(f"the lesson at step {step}, its panels marked")

    def test_the_projector_view_has_no_serious_violations(self):
        self.open_lesson("?projector=1&step=2")
        self.assert_no_serious_violations("the projector view at step 2")

    def test_the_index_has_no_serious_violations(self):
        self.page.goto("/")
        expect(self.page.get_by_role("heading", name="Lessons")).to_be_visible()
        self.assert_no_serious_violations("the index")


# axe cannot judge text inside an SVG image (it reports "incomplete"), so the flowchart's
# contrast is measured here: each label's colour against the shape behind it, both faded by
# the group's opacity over the page's white, as WCAG 2 computes it.
SVG_CONTRAST = """async () => {
    // Measure the settled chart: a fade still under way would show the step before.
    await Promise.all(document.getAnimations().map(animation => animation.finished.catch(() => null)));
    const rgb = value => (value.match(/[\\d.]+/g) || []).slice(0, 3).map(Number);
    const over = (colour, alpha, base) => colour.map((c, i) => alpha * c + (1 - alpha) * base[i]);
    const luminance = colour => {
        const [r, g, b] = colour.map(c => c / 255).map(c => c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const ratio = (a, b) => {
        const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
        return (light + 0.05) / (dark + 0.05);
    };
    const opaque = element => !/rgba\\(.*, 0\\)$|transparent/.test(getComputedStyle(element).backgroundColor);
    const painted = [document.body, document.documentElement].find(opaque);
    const base = painted ? rgb(getComputedStyle(painted).backgroundColor) : [255, 255, 255];
    const measured = [];
    document.querySelectorAll('.flow-node, .flow-edge').forEach(group => {
        const alpha = Number(getComputedStyle(group).opacity);
        const shape = group.querySelector('.flow-node__shape');
        const fill = shape && getComputedStyle(shape).fill;
        const behind = fill && fill !== 'none' ? over(rgb(fill), alpha, base) : base;
        group.querySelectorAll('tspan, .flow-edge__label').forEach(text => {
            const colour = over(rgb(getComputedStyle(text).fill), alpha, base);
            measured.push({text: text.textContent, where: group.dataset.node || group.dataset.edge,
                           ratio: Math.round(ratio(colour, behind) * 100) / 100});
        });
    });
    return measured;
}"""
MIN_CONTRAST = 4.5  # WCAG AA for text of this size


class FlowchartContrastTests(BrowserTestCase):
    def assert_flowchart_contrast(self, name):
        measured = self.page.evaluate(SVG_CONTRAST)
        self.assertGreater(len(measured), 20)
        lowest = min(measured, key=lambda label: label["ratio"])
        print(f"\nflowchart text contrast on {name}: lowest {lowest['ratio']}:1 ({lowest['text']!r} in {lowest['where']})")
        too_low = [label for label in measured if label["ratio"] < MIN_CONTRAST]
        self.assertEqual(too_low, [], f"flowchart text below {MIN_CONTRAST}:1 on {name}")

    def test_the_flowchart_labels_are_readable_at_every_step(self):
        self.page.emulate_media(reduced_motion="reduce")  # the same end state, drawn at once
        self.open_lesson("?step=0")
        self.assert_flowchart_contrast("step 0")
        for step in range(1, 5):
            self.press_player("player-step")
            self.expect_step(step)
            self.assert_flowchart_contrast(f"step {step}")

    def test_the_projector_flowchart_labels_are_readable(self):
        self.open_lesson("?projector=1&step=3")
        self.assert_flowchart_contrast("the projector view at step 3")


class ContentSecurityPolicyTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.console = []
        self.page.on("console", lambda message: self.console.append(message.text))
        # Collected from the first moment of every document, before the page's own scripts.
        self.page.add_init_script(
            """window.cspViolations = [];
               document.addEventListener('securitypolicyviolation', event =>
                   window.cspViolations.push(event.violatedDirective + ' ' + (event.blockedURI || 'inline')));"""
        )

    def violations(self):
        reported = self.page.evaluate("window.cspViolations")
        logged = [text for text in self.console if "Content Security Policy" in text]
        return reported + logged

    def test_the_live_player_works_under_the_strict_policy(self):
        response = self.open_lesson("?step=0")
        policy = response.headers["content-security-policy"]
        self.assertIn("script-src 'self'", policy)
        self.assertIn("style-src 'self'", policy)
        self.assertNotIn("unsafe-inline", policy)
        self.assertNotIn("unsafe-eval", policy)

        for step in range(1, 5):
            self.press_player("player-step")
            self.expect_step(step)
        self.press_player("player-back")
        self.expect_step(3)
        self.page.locator(".quiz-question").first.get_by_role("button").nth(2).click()  # an htmx form post
        expect(self.page.locator(".quiz-question .feedback").first).to_contain_text("Right")
        self.assertEqual(self.violations(), [])

    def test_the_policy_would_report_an_inline_script(self):
        """The check above can see a violation: an inline script is refused and reported."""
        self.open_lesson("?step=0")
        self.page.evaluate(
            """() => { const script = document.createElement('script');
                       script.textContent = 'window.inlineRan = true';
                       document.body.append(script); }"""
        )
        self.page.wait_for_function("window.cspViolations.length > 0")
        self.assertIsNone(self.page.evaluate("window.inlineRan"))
        self.assertIn("script-src-elem inline", self.violations())
