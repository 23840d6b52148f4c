"""The sandbox in Chromium (tests/browser/base.py: a real daphne, Debian's Chromium)."""

import re
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.conf import settings
from playwright.sync_api import expect

from sandbox import views
from sandbox.models import Draft
from tests.browser import test_accessibility as axe
from tests.browser.base import ARTIFACTS, BrowserTestCase

THREE_TIER = open("/work/shared/fixtures/aws/three-tier-describe-security-groups.json").read()


@contextmanager
def other_site(html):
    """A course page on another local origin (127.0.0.1 on its own port; the site under test
    is localhost). A real server: Chromium lets no page it cannot place on the local network
    (a Playwright-fulfilled one) frame a local address."""

    class CoursePage(BaseHTTPRequestHandler):
        def do_GET(self):
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), CoursePage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/course.html"
    finally:
        server.shutdown()
        server.server_close()


class SandboxPages:
    """How a learner works the sandbox's page (a mixin of BrowserTestCase's tests)."""

    def start(self, title, page=None):
        page = page or self.page
        page.goto("/try/")
        # Until the new page has loaded, htmx may not listen to its form yet: a change typed
        # then is never saved (the page the button was on has an #editor-status too).
        with page.expect_navigation(wait_until="load"):
            page.get_by_role("button", name=f"Start from this : {title}").click()
        expect(page.locator("#editor-status")).to_be_visible()

    def fill(self, field_id, value):
        """Type into a field and leave it, as a learner does (its change saves it)."""
        field = self.page.locator(f"#f-{field_id}")
        field.fill(value)
        field.press("Tab")

    def press(self, button_id, then):
        self.page.locator(f"#{button_id}").click()
        expect(self.page.locator(f"#f-{then}")).to_be_visible()


class SandboxBrowserTest(SandboxPages, BrowserTestCase):
    def stateful_verdicts(self, page=None):
        return (page or self.page).locator("#results tbody tr[id] td[data-label='Stateful (AWS)'] .verdict").all_inner_texts()

    def test_from_blank_with_the_forms_alone_build_run_and_see_the_verdicts(self):
        self.start("Blank")
        self.press("b-add-group", "sg0-group_id")
        self.press("b-add-in-sg0", "sg0-in0-protocol")
        self.fill("sg0-in0-from_port", "80")
        self.fill("sg0-in0-to_port", "80")
        self.fill("sg0-in0-peer", "0.0.0.0/0")
        self.press("b-add-in-sg0", "sg0-in1-protocol")
        self.fill("sg0-in1-from_port", "22")
        self.fill("sg0-in1-to_port", "22")
        self.fill("sg0-in1-peer", "203.0.113.7/32")
        self.press("b-add-instance", "inst0-private_ip")
        self.fill("inst0-private_ip", "10.0.0.10")
        self.press("b-add-packet", "t0-src")
        self.fill("t0-src", "198.51.100.1:40000")
        self.fill("t0-dst", "10.0.0.10:80")
        self.press("b-reply-t0", "t1-src")
        expect(self.page.locator("#f-t1-src")).to_have_value("10.0.0.10:80")
        self.press("b-add-packet", "t2-src")
        self.fill("t2-src", "198.51.100.1:40001")
        self.fill("t2-dst", "10.0.0.10:22")
        expect(self.page.locator("#editor-status")).to_contain_text("The scenario is valid")
        self.page.locator("#b-run").click()
        self.page.wait_for_url("**/try/run/?step=0")
        self.expect_live()
        self.page.keyboard.press("ArrowRight")  # the player has the focus: "Press Step (or →)" works at once
        self.expect_step(1, total=3)
        self.press_player("player-last")
        self.expect_step(3, total=3)
        self.assertEqual(self.stateful_verdicts(), ["✓ ALLOW", "✓ ALLOW", "✗ DROP"])

    def test_a_bad_cidr_shows_its_message_at_the_field_and_keeps_the_rest(self):
        self.start("The first lesson's web server")
        # Typed addresses are neither spell-checked nor offered earlier entries (the form says so for every field).
        self.assertEqual(self.page.locator("#f-sg0-in0-peer").evaluate("input => [input.spellcheck, input.form.autocomplete]"), [False, "off"])
        self.fill("sg0-name", "my group")
        self.fill("sg0-in0-peer", "10.0.0.0/33")
        error = self.page.locator("#f-sg0-in0-peer-errors")
        expect(error).to_contain_text("'10.0.0.0/33' is not an IPv4 CIDR")
        expect(self.page.locator("#f-sg0-in0-peer")).to_have_attribute("aria-invalid", "true")
        self.page.reload()
        expect(self.page.locator("#f-sg0-in0-peer")).to_have_value("10.0.0.0/33")
        expect(self.page.locator("#f-sg0-name")).to_have_value("my group")
        expect(error).to_contain_text("is not an IPv4 CIDR")
        self.fill("sg0-in0-peer", "0.0.0.0/0")
        expect(error).to_be_empty()
        expect(self.page.locator("#f-sg0-in0-peer")).not_to_have_attribute("aria-invalid", "true")

    def test_typing_survives_a_dropped_connection_and_is_saved_with_the_next_change(self):
        self.start("The first lesson's web server")
        self.page.route("**/try/save/", lambda route: route.abort())
        self.fill("sg0-name", "typed offline")
        expect(self.page.locator("#editor-status")).to_contain_text("Not saved: the server cannot be reached")
        expect(self.page.locator("#f-sg0-name")).to_have_value("typed offline")
        self.page.unroute("**/try/save/")
        self.fill("sg0-description", "back online")
        expect(self.page.locator("#editor-status")).to_contain_text("Saved.")
        self.page.reload()
        expect(self.page.locator("#f-sg0-name")).to_have_value("typed offline")
        expect(self.page.locator("#f-sg0-description")).to_have_value("back online")

    def test_without_javascript_a_save_from_an_overtaken_tab_keeps_the_typing_and_offers_the_choice(self):
        tabs = self.new_context(java_script_enabled=False)  # one browser, two tabs, one draft
        try:
            tab_a, tab_b = tabs.new_page(), tabs.new_page()
            self.start("The first lesson's web server", page=tab_a)
            tab_b.goto("/try/")
            tab_a.locator("#b-add-in-sg0").click()
            expect(tab_a.locator("#f-sg0-in1-protocol")).to_be_visible()
            tab_b.locator("#f-sg0-name").fill("typed in tab B")
            tab_b.locator("#f-sg0-in0-description").fill("HTTP, typed in tab B")
            tab_b.locator("#b-save").click()
            tab_b.wait_for_url("**/try/save/#editor")  # the answer opens at the editor's status, not the page's top
            status = tab_b.locator("#editor-status")
            expect(status).to_be_in_viewport()
            expect(status).to_contain_text("changed in another tab or window")
            expect(status).to_contain_text("The latest draft has 2 rules; this page has 1 rule.")
            expect(status).to_contain_text("what the other tab changed is replaced")
            expect(tab_b.locator("#f-sg0-name")).to_have_value("typed in tab B")
            expect(tab_b.locator("#f-sg0-in0-description")).to_have_value("HTTP, typed in tab B")
            expect(tab_b.locator("#f-sg0-in1-protocol")).to_have_count(0)
            self.assertEqual(self.stored_rules(), ["HTTP from anywhere", None], "nothing stored: the seed's rule and tab A's")
            self.check_conflict_page(tab_b)
            tab_b.get_by_role("button", name="Keep mine").click()
            tab_b.wait_for_url("**/try/#editor")
            expect(status).to_contain_text("Saved.")
            self.assertEqual(self.stored_rules(), ["HTTP, typed in tab B"], "tab B's version, tab A's rule replaced as the page said")
            self.assertEqual(Draft.objects.get().document["security_groups"][0]["GroupName"], "typed in tab B")
        finally:
            tabs.close()

    def stored_rules(self):
        """The stored draft's inbound rules, by their description (None: a rule without one)."""
        rules = Draft.objects.get().document["security_groups"][0]["IpPermissions"]
        return [(rule.get("IpRanges") or [{}])[0].get("Description") for rule in rules]

    def check_conflict_page(self, tab):
        """No sideways scroll at 360 px, screenshots, and axe on the page's markup. axe cannot run
        where scripts are off (its timers never fire), so the markup tab shows is scanned in this
        test's own page, served at the same address with scripts on."""
        ARTIFACTS.mkdir(exist_ok=True)
        for width in (1280, 360):
            tab.set_viewport_size({"width": width, "height": 900})
            self.assertLessEqual(tab.evaluate("() => document.documentElement.scrollWidth"), width, f"the conflict page scrolls sideways at {width} px")
            shot = ARTIFACTS / f"sandbox-conflict-nojs-{width}.png"
            tab.locator("#editor").evaluate("editor => editor.scrollIntoView()")  # the notice and the fields below it
            tab.screenshot(path=str(shot))
            print(f"screenshot: {shot}")
        markup = tab.content()
        self.page.route(f"**{axe.AXE_PATH}", lambda route: route.fulfill(path=axe.AXE, content_type="text/javascript"))
        self.page.route("**/try/save/", lambda route: route.fulfill(body=markup, content_type="text/html; charset=utf-8"))
        self.page.goto("/try/save/")
        self.assertEqual(axe.AccessibilityTests.axe_violations(self, "the conflict page"), [])

    def test_with_javascript_a_stale_autosave_keeps_the_fields_and_stores_nothing_until_keep_mine(self):
        self.start("The first lesson's web server")
        other = self.context.new_page()
        other.goto("/try/")
        other.locator("#b-add-in-sg0").click()
        expect(other.locator("#f-sg0-in1-protocol")).to_be_visible()
        self.fill("sg0-name", "typed in tab B")
        status = self.page.locator("#editor-status")
        expect(status).to_contain_text("The latest draft has 2 rules; this page has 1 rule.")
        self.fill("sg0-description", "still typing")  # refused too: nothing is stored until the choice
        expect(status).to_contain_text("changed in another tab or window")
        expect(self.page.locator("#f-sg0-name")).to_have_value("typed in tab B")
        self.assertEqual(Draft.objects.get().document["security_groups"][0]["GroupName"], "web-server")
        with self.page.expect_response("**/try/save/"):  # what the page shows is not stored: Run posts it, refused too
            self.page.locator("#b-run").click()
        expect(status).to_contain_text("changed in another tab or window")
        self.assertNotIn("/try/run/", self.page.url)
        self.page.get_by_role("button", name="Keep mine").click()
        expect(status).to_contain_text("Saved.")
        group = Draft.objects.get().document["security_groups"][0]
        self.assertEqual((group["GroupName"], group["Description"], len(group["IpPermissions"])), ("typed in tab B", "still typing", 1))
        expect(self.page.locator("#f-sg0-description")).to_have_value("still typing")

    def test_each_save_carries_only_the_rows_typed_in_since_the_last_one_and_run_none(self):
        self.start("A three-tier application")
        posted = []
        self.page.on("request", lambda request: request.url.endswith("/try/save/") and posted.append(request.post_data_json))
        rows = lambda fields: sorted({name.rsplit("-", 1)[0] for name in fields if "-" in name})
        for field, typed in (("sg1-in0-description", "only from the web tier"), ("inst0-name", "web server")):
            with self.page.expect_response("**/try/save/"):
                self.fill(field, typed)
        self.page.locator("#b-run").click()
        self.page.wait_for_url("**/try/run/?step=0")
        # Run posts nothing once every row is stored: it only opens the player.
        self.assertEqual([rows(fields) for fields in posted], [["sg1-in0"], ["inst0"]])
        self.page.goto("/try/")
        expect(self.page.locator("#f-sg1-in0-description")).to_have_value("only from the web tier")
        expect(self.page.locator("#f-inst0-name")).to_have_value("web server")

    def test_a_post_too_large_to_read_is_told_in_the_status_and_keeps_the_typing(self):
        self.start("The first lesson's web server")
        # More text than the site reads in one post, as if typed into the form.
        self.page.evaluate(
            """size => {
                const padding = Object.assign(document.createElement("input"), {type: "hidden", name: "padding", value: "x".repeat(size)});
                document.getElementById("editor-form").append(padding);
            }""",
            settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1,
        )
        self.fill("sg0-name", "typed, too large")
        status = self.page.locator("#editor-status")
        expect(status).to_contain_text("Not saved: this form is too large to send")
        self.page.locator("#b-save").click()
        expect(status).to_contain_text("Not saved: this form is too large to send")
        expect(self.page.locator("#f-sg0-name")).to_have_value("typed, too large")
        self.page.reload()
        expect(self.page.locator("#f-sg0-name")).to_have_value("web-server")

    def test_paste_the_three_tier_export_and_see_its_groups_and_warning(self):
        self.start("Blank")
        self.page.locator("#f-paste").fill(THREE_TIER)
        self.page.locator("#b-import").click()
        self.page.wait_for_url("**/try/#import")
        report = self.page.locator("#import .box-report")
        expect(report).to_be_in_viewport()
        expect(report).to_contain_text("7 security groups added")
        expect(report).to_contain_text("2.2.2.2/28 has host bits set")
        expect(self.page.locator("fieldset.row--group")).to_have_count(7)
        expect(self.page.locator("#explain details")).to_have_count(7)
        expect(self.page.locator("#explain")).to_contain_text("Inbound TCP port 443 from members of sg-00000002")
        # A line with its own glyph (○ ● ⚠) has no list bullet as well: one marker per line.
        markers = self.page.locator("#explain li").evaluate_all(
            "items => items.filter(li => li.firstElementChild?.getAttribute('aria-hidden') === 'true')"
            ".map(li => getComputedStyle(li).listStyleType)"
        )
        assert markers and set(markers) == {"none"}

    def test_the_stateless_comparison_on_the_seed_marks_step_2(self):
        self.start("The first lesson's web server")
        different = self.page.locator("#results tr.is-different")
        expect(different).to_have_count(1)
        expect(different.locator("td[data-label='Step']")).to_have_text("2")
        expect(different).to_contain_text("outbound traffic to port 50000")

    def test_share_and_open_the_link_in_another_browser_at_the_same_step(self):
        self.start("A three-tier application")
        self.page.locator("#b-share").click()
        self.page.wait_for_url("**/s/*/")
        link = self.page.url + "?step=4"
        other = self.new_context()
        try:
            page = other.new_page()
            page.goto(link)
            self.expect_live(page)
            self.expect_step(4, total=5, page=page)
            self.assertEqual(self.stateful_verdicts(page), ["✓ ALLOW"] * 4 + ["✗ DROP"])
            self.assertEqual(len(self.table_rows(page)), 4)
            page.get_by_role("button", name="Edit a copy in my sandbox").click()
            page.wait_for_url("**/try/#editor")  # this browser had no draft: nothing to bring back
            expect(page.locator("fieldset.row--group")).to_have_count(3)
        finally:
            other.close()

    def test_after_share_the_page_shows_the_link_to_copy_and_what_it_is(self):
        self.page.route(f"**{axe.AXE_PATH}", lambda route: route.fulfill(path=axe.AXE, content_type="text/javascript"))
        self.context.grant_permissions(["clipboard-read", "clipboard-write"])
        ARTIFACTS.mkdir(exist_ok=True)
        for width in (1280, 360):
            self.page.set_viewport_size({"width": width, "height": 900})
            self.start("A three-tier application")
            self.page.locator("#b-share").click()
            self.page.wait_for_url("**/s/*/")
            link = self.page.locator("#share-link")
            expect(link).to_have_text(self.page.url.split("?")[0])  # the address bar may carry ?step= later
            expect(link).to_be_in_viewport()
            expect(self.page.locator(".your-link")).to_contain_text("nobody can change it")
            self.page.get_by_role("button", name="Copy the link").click()
            expect(self.page.locator("#share-link-copied")).to_have_text("✓ Copied: paste it where you want it.")
            self.assertEqual(self.page.evaluate("() => navigator.clipboard.readText()"), link.get_attribute("href"))
            self.page.get_by_role("button", name="Copy the embed code").click()
            expect(self.page.locator("#embed-code-copied")).to_have_text("✓ Copied: paste it where you want it.")
            self.assertEqual(self.page.evaluate("() => navigator.clipboard.readText()"), self.page.locator("#embed-code").inner_text())
            box = link.bounding_box()
            self.assertLessEqual(box["x"] + box["width"], width, "the link is whole on screen")
            self.assertEqual(axe.AccessibilityTests.axe_violations(self, f"the link just shared at {width} px"), [])
            self.assertLessEqual(self.page.evaluate("() => document.documentElement.scrollWidth"), width)
            shot = ARTIFACTS / f"sandbox-shared-link-{width}.png"
            self.page.screenshot(path=str(shot))
            print(f"screenshot: {shot}")

    def test_only_the_embed_page_loads_in_a_frame_on_another_site(self):
        self.start("The first lesson's web server")
        self.page.locator("#b-share").click()
        self.page.wait_for_url("**/s/*/")
        shared = self.page.url
        frames = f'<!doctype html><title>A course</title><iframe id="embed" src="{shared}embed/"></iframe><iframe id="page" src="{shared}"></iframe>'
        with other_site(frames) as course:
            self.page.goto(course)
            self.check_frames()

    def test_the_embed_snippet_as_given_is_a_player_whose_controls_stay_in_view(self):
        """Pasted as given on another site's page (and in the 560 x 315 and 900 x 600 frames
        such pages often give): the frame has a size, and the player's buttons are inside
        the frame's visible part at the start and at every step."""
        self.start("The first lesson's web server")
        self.page.locator("#b-share").click()
        self.page.wait_for_url("**/s/*/")
        snippet = self.page.locator(".embed-code").inner_text()
        self.assertRegex(snippet, r'^<iframe src="http://[^"]+/embed/" title="[^"]+" width="100%" height="600" loading="lazy"></iframe>$')
        sized = lambda width, height: re.sub(r'width="[^"]*" height="[^"]*"', f'width="{width}" height="{height}"', snippet)
        ARTIFACTS.mkdir(exist_ok=True)
        for name, frame, page_width in (("as-given", snippet, 1280), ("as-given", snippet, 360), ("560x315", sized(560, 315), 1280), ("900x600", sized(900, 600), 1280)):
            with other_site(f"<!doctype html><meta name=viewport content='width=device-width'><title>A course</title><h1>A course</h1>{frame}") as course:
                self.page.set_viewport_size({"width": page_width, "height": 900})
                self.page.goto(course)
                embedded = self.page.frame_locator("iframe")
                expect(embedded.locator("#player-connection")).to_have_text("Live")
                box = self.page.locator("iframe").bounding_box()
                if name == "as-given":
                    self.assertEqual(round(box["height"]), 600 + 4)  # and its border
                    self.assertGreater(box["width"], page_width - 40)  # the column's width
                for step in range(5):
                    if step:
                        embedded.locator("#player-step").click()
                        expect(embedded.locator("#step-status")).to_have_text(f"Step {step} of 4")
                    for button in ("player-first", "player-back", "player-play", "player-step", "player-last"):
                        shown = embedded.locator(f"#{button}").bounding_box()
                        self.assertTrue(box["y"] <= shown["y"] and shown["y"] + shown["height"] <= box["y"] + box["height"], f"{name} in {page_width} px, step {step}: {button} out of the frame's view")
                self.assertLessEqual(embedded.locator("html").evaluate("html => html.scrollWidth - html.clientWidth"), 0, f"{name}: the embed scrolls sideways")
                shot = ARTIFACTS / f"sandbox-embed-{name}-in-{page_width}.png"
                self.page.screenshot(path=str(shot))
                print(f"screenshot: {shot}")

    def check_frames(self):
        embedded = self.page.frame_locator("#embed")
        expect(embedded.locator("#player-connection")).to_have_text("Live")
        expect(embedded.locator("#step-status")).to_contain_text("of 4")
        self.assertEqual(self.page.frame_locator("#page").locator("#live").count(), 0)

    def test_accessibility_and_screenshots_at_1280_and_360(self):
        self.page.route(f"**{axe.AXE_PATH}", lambda route: route.fulfill(path=axe.AXE, content_type="text/javascript"))
        self.start("The stateless network ACL trap")
        self.fill("sg0-in0-peer", "10.0.0.0/33")  # a fault on screen too
        expect(self.page.locator("#f-sg0-in0-peer-errors")).not_to_be_empty()
        pages = [("try", "/try/"), ("lesson-try", "/lessons/stateful-security-groups/try/")]
        self.fill("sg0-in0-peer", "0.0.0.0/0")
        self.page.locator("#b-share").click()
        self.page.wait_for_url("**/s/*/")
        pages += [("run", "/try/run/?step=2"), ("snapshot", self.page.url + "?step=2"), ("embed", self.page.url + "embed/")]
        ARTIFACTS.mkdir(exist_ok=True)
        for width in (1280, 360):
            self.page.set_viewport_size({"width": width, "height": 900})
            for name, path in pages:
                self.page.goto(path)
                if self.page.locator("#live").count():
                    self.expect_live()
                blocking = axe.AccessibilityTests.scan(self, f"{name} at {width} px")
                self.assertEqual(blocking, [], f"{name} at {width} px")
                scroll = self.page.evaluate("() => document.documentElement.scrollWidth")
                self.assertLessEqual(scroll, width, f"{name} scrolls sideways at {width} px")
                shot = ARTIFACTS / f"sandbox-{name}-{width}.png"
                self.page.screenshot(path=str(shot), full_page=True)
                print(f"screenshot: {shot}")

    def test_a_newcomer_tries_a_lesson_in_its_own_try_mode_and_the_sandbox_is_untouched(self):
        """The lesson's Try mode opens on the lesson's scenario under its mode bar; an edit,
        Run and the way back all stay there; /try/ is still blank afterwards."""
        self.page.route(f"**{axe.AXE_PATH}", lambda route: route.fulfill(path=axe.AXE, content_type="text/javascript"))
        lesson_try = "/lessons/stateful-security-groups/try/"
        self.page.goto(lesson_try)
        expect(self.page.locator("h1")).to_have_text("Stateful behavior of security groups in AWS - Try")
        modes = self.page.get_by_role("navigation", name="Choose your learning style")
        expect(modes.locator("[aria-current=page]")).to_have_text("Try")
        expect(self.page.locator("#f-sg0-name")).to_have_value("web-server")
        expect(self.page.locator("fieldset.row--packet")).to_have_count(4)
        self.check_lesson_page("lesson-try")
        self.fill("sg0-name", "my lesson group")
        expect(self.page.locator("#editor-status")).to_contain_text("Saved.")
        self.page.locator("#b-run").click()
        self.page.wait_for_url(f"**{lesson_try}run/?step=0")
        self.expect_live()
        expect(modes.locator("[aria-current=page]")).to_have_text("Try")
        self.press_player("player-step")
        self.expect_step(1)
        expect(self.page.locator("#rules-panel")).to_contain_text("my lesson group")
        self.check_lesson_page("lesson-try-run")
        self.page.get_by_role("link", name="← Back to the editor").click()
        self.page.wait_for_url(f"**{lesson_try}#editor")
        expect(self.page.locator("#f-sg0-name")).to_have_value("my lesson group")
        self.page.get_by_role("navigation", name="Site").get_by_role("link", name="Sandbox").click()
        self.page.wait_for_url("**/try/")
        expect(self.page.locator("h1")).to_have_text("Try: the sandbox")
        expect(self.page.locator("#editor")).to_contain_text("No security groups yet")
        self.assertEqual([(getattr(draft.lesson, "slug", None), draft.document["security_groups"][0]["GroupName"]) for draft in Draft.objects.all()], [("stateful-security-groups", "my lesson group")])

    def check_lesson_page(self, name):
        """Zero axe violations of any impact and no sideways scroll at 360 px; screenshots at 1280 and 360 px."""
        ARTIFACTS.mkdir(exist_ok=True)
        for width in (360, 1280):
            self.page.set_viewport_size({"width": width, "height": 900})
            if width == 360:
                self.assertLessEqual(self.page.evaluate("() => document.documentElement.scrollWidth"), width, f"{name} scrolls sideways at 360 px")
                self.assertEqual(axe.AccessibilityTests.axe_violations(self, f"{name} at 360 px"), [])
            shot = ARTIFACTS / f"sandbox-{name}-{width}.png"
            self.page.screenshot(path=str(shot), full_page=True)
            print(f"screenshot: {shot}")

    def share_quietly(self):
        """Share as the page's Share form does, without opening the snapshot: only to use up
        the session's shares."""
        token = self.page.locator("#share input[name=csrfmiddlewaretoken]").input_value()
        response = self.page.request.post("/try/share/", form={"csrfmiddlewaretoken": token}, max_redirects=0)
        self.assertEqual(response.status, 302)

    def test_every_message_the_sandbox_shows_passes_axe_and_fits_at_1280_and_360(self):
        """The pages a learner lands on with a message (an import's summary and warnings, Share
        refused for a fault or for the rate limit, Run refused): no axe violation of any
        impact, nothing scrolls sideways, and a refusal is in view beside the button pressed."""
        self.page.route(f"**{axe.AXE_PATH}", lambda route: route.fulfill(path=axe.AXE, content_type="text/javascript"))

        def imported():
            self.start("Blank")
            self.page.locator("#f-paste").fill(THREE_TIER)
            self.page.locator("#b-import").click()
            expect(self.page.locator(".notice--warning")).to_contain_text("2.2.2.2/28 has host bits set")

        def share_refused_for_a_fault():
            self.start_with_a_fault()
            self.page.locator("#b-share").click()
            self.expect_told_at("share-message", views.NOT_SHARED_FAULTS, focused=True)

        def share_refused_for_the_rate_limit():
            self.start("The first lesson's web server")
            for _ in range(views.SHARE_LIMIT):
                self.share_quietly()
            self.page.locator("#b-share").click()
            self.expect_told_at("share-message", views.NOT_SHARED_LIMIT, focused=True)

        def run_refused():  # with JavaScript the page stays: the focus stays on the button
            self.start_with_a_fault()
            self.page.locator("#b-run-end").click()
            self.expect_told_at("run-end-message", views.NOT_RUN, focused=False)

        def replaced_with_undo_offered():
            self.start("The first lesson's web server")
            self.page.get_by_role("button", name="Start from this : A three-tier application").click()
            expect(self.page.locator("#replaced")).to_be_in_viewport()
            expect(self.page.locator("#replaced")).to_be_focused()

        def undo_refused():
            replaced_with_undo_offered()
            stale = self.page.locator("#replaced form").evaluate("form => form.outerHTML")
            self.page.locator("#b-undo").click()
            expect(self.page.locator("#b-undo")).to_contain_text("Redo")
            self.page.locator("#replaced form").evaluate("(form, stale) => { form.outerHTML = stale; }", stale)  # the first page's Undo, as another tab still shows it
            self.page.locator("#b-undo").click()
            self.expect_told_at("undo-message", views.NOT_UNDONE, focused=True)

        def removed_with_undo_offered():  # offered in the group's section, where the learner is
            self.start("The first lesson's web server")
            with self.page.expect_response("**/try/save/"):
                self.page.get_by_role("button", name="Remove group 1").click()
            notice = self.page.locator("#editor-region section:has(#h-groups) #replaced")
            expect(notice).to_contain_text("You removed group sg-0a1b2c3d4e5f60001 (web-server).")
            expect(notice).to_be_focused()  # in view, and read out: what went and how to bring it back
            expect(notice).to_be_in_viewport()
            expect(self.page.locator(".row--group")).to_have_count(0)
            self.page.locator("#b-undo").click()  # a plain form: the page reloads at the offer
            expect(self.page.locator(".row--group")).to_have_count(1)
            expect(notice).to_contain_text("Group sg-0a1b2c3d4e5f60001 (web-server) is back")
            expect(self.page.locator("#b-undo")).to_be_in_viewport()

        states = [imported, share_refused_for_a_fault, share_refused_for_the_rate_limit, run_refused, replaced_with_undo_offered, undo_refused, removed_with_undo_offered]
        ARTIFACTS.mkdir(exist_ok=True)
        for width in (1280, 360):
            if width != 1280:  # a new browser (its own session, so its own shares) per width
                self.context.close()
                self.context = self.new_context(viewport={"width": width, "height": 900})
                self.page = self.context.new_page()
                self.page.route(f"**{axe.AXE_PATH}", lambda route: route.fulfill(path=axe.AXE, content_type="text/javascript"))
            for state in states:
                name = f"{state.__name__} at {width} px"
                state()
                self.assertEqual(axe.AccessibilityTests.axe_violations(self, name), [], name)
                scroll = self.page.evaluate("() => document.documentElement.scrollWidth")
                self.assertLessEqual(scroll, width, f"{name}: the page scrolls sideways")
                shot = ARTIFACTS / f"sandbox-message-{state.__name__}-{width}.png"
                self.page.screenshot(path=str(shot))
                print(f"screenshot: {shot}")

    def test_the_editors_answers_break_no_content_security_policy(self):
        """A save on change, a button's answer and an Undo swap nothing the strict CSP refuses
        (htmx settled a style attribute across swaps with setAttribute, which 'style-src' refuses)."""
        violations = []
        self.page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
        self.start("The first lesson's web server")
        self.fill("sg0-name", "typed")
        self.press("b-add-in-sg0", "sg0-in1-protocol")
        with self.page.expect_response("**/try/save/"):
            self.page.get_by_role("button", name="Remove instance 1").click()
        expect(self.page.locator("#replaced")).to_be_focused()
        self.page.locator("#b-undo").click()
        expect(self.page.locator("#b-undo")).to_contain_text("Redo")
        self.assertEqual(violations, [])

    def test_a_removals_undo_goes_once_the_draft_changes_again(self):
        self.start("The first lesson's web server")
        with self.page.expect_response("**/try/save/"):
            self.page.get_by_role("button", name="Remove instance 1").click()
        expect(self.page.locator("#replaced")).to_contain_text("You removed instance web server.")
        with self.page.expect_response("**/try/save/"):
            self.page.locator("#f-sg0-name").fill("edited after the removal")
            self.page.locator("#f-sg0-name").press("Tab")
        expect(self.page.locator("#replaced")).to_have_count(0)
        self.page.reload()
        expect(self.page.locator("#f-sg0-name")).to_have_value("edited after the removal")
        expect(self.page.locator("#replaced")).to_have_count(0)

    def start_with_a_fault(self, page=None, javascript=True):
        page = page or self.page
        self.start("The first lesson's web server", page=page)
        page.locator("#f-sg0-in0-peer").fill("nope")
        if javascript:  # saved on change (a Save pressed as well would redraw the editor later, under the next click)
            with page.expect_response("**/try/save/"):
                page.locator("#f-sg0-in0-peer").press("Tab")
        else:
            page.locator("#b-save").click()
        expect(page.locator("#f-sg0-in0-peer-errors")).to_contain_text("'nope' is not an IPv4 CIDR")

    def expect_told_at(self, box_id, message, focused, page=None):
        """The refusal is in its box beside the button pressed, in view, as an alert (its ✗
        glyph and its first words say what it is: never colour alone); with the focus, when
        the page was opened there."""
        page = page or self.page
        box = page.locator(f"#{box_id}")
        expect(box).to_contain_text(message)
        expect(box).to_have_attribute("role", "alert")
        expect(box.locator(".notice--error")).to_contain_text("✗ Not ")
        expect(box).to_be_in_viewport()
        if focused:
            expect(box).to_be_focused()

    def test_without_javascript_a_starting_point_can_be_undone_and_redone(self):
        nojs = self.new_context(java_script_enabled=False)
        try:
            page = nojs.new_page()
            self.start("The first lesson's web server", page=page)
            page.locator("#f-sg0-name").fill("my own work")
            page.locator("#b-save").click()
            page.get_by_role("button", name="Start from this : A three-tier application").click()
            page.wait_for_url("**/try/#replaced")  # at the Undo, the editor below it
            notice = page.locator("#replaced")
            expect(notice).to_be_in_viewport()
            expect(notice).to_be_focused()
            expect(notice).to_contain_text("You started from “A three-tier application”. The draft it replaced (1 security group, 1 rule, 1 instance and 4 timeline entries) is kept.")
            expect(page.locator("fieldset.row--group")).to_have_count(3)
            page.get_by_role("button", name="Undo: bring back my previous draft").click()
            expect(page.locator("#f-sg0-name")).to_have_value("my own work")
            expect(notice).to_contain_text("Your previous draft is back.")
            page.get_by_role("button", name="Redo: bring back the starting point “A three-tier application”").click()
            expect(page.locator("fieldset.row--group")).to_have_count(3)
        finally:
            nojs.close()

    def test_without_javascript_a_refused_share_or_run_opens_at_its_message_with_the_focus_on_it(self):
        nojs = self.new_context(java_script_enabled=False)
        try:
            page = nojs.new_page()
            self.start_with_a_fault(page, javascript=False)
            page.locator("#b-share").click()
            page.wait_for_url("**/try/#share-message")
            self.expect_told_at("share-message", views.NOT_SHARED_FAULTS, focused=True, page=page)
            page.get_by_role("link", name="Go to the first fault").click()
            expect(page.locator("#f-sg0-in0-peer")).to_be_focused()
            expect(page.locator("#f-sg0-in0-peer")).to_be_in_viewport()
            for button, box in (("b-run", "run-top-message"), ("b-run-end", "run-end-message")):
                page.locator(f"#{button}").click()
                page.wait_for_url(f"**/try/#{box}")
                self.expect_told_at(box, views.NOT_RUN, focused=True, page=page)
                expect(page.locator(f"#{button}")).to_be_in_viewport()  # the button pressed is in view above it
        finally:
            nojs.close()
