"""The timeline's Reply and Wait buttons and the prefix lists section, in Chromium (tests/browser/base.py)."""

from playwright.sync_api import expect

from sandbox.models import Draft
from tests.browser import test_accessibility as axe
from tests.browser.base import ARTIFACTS, BrowserTestCase
from tests.sandbox.test_browser import SandboxPages

WEB_SSH = "A web server with SSH from one address"


class TimelineBrowserTest(SandboxPages, BrowserTestCase):
    def stored_times(self):
        return [entry["at"] for entry in Draft.objects.get().document["timeline"]]

    def check_at_both_widths(self, name, selector):
        """At 1280 and 360 px: no sideways scroll, zero axe violations, a screenshot at ``selector``."""
        ARTIFACTS.mkdir(exist_ok=True)
        for width in (1280, 360):
            self.page.set_viewport_size({"width": width, "height": 900})
            self.page.locator(selector).scroll_into_view_if_needed()
            self.assertLessEqual(self.page.evaluate("() => document.documentElement.scrollWidth"), width, f"the editor scrolls sideways at {width} px")
            self.assertEqual(axe.AccessibilityTests.axe_violations(self, f"{name} at {width} px"), [])
            shot = ARTIFACTS / f"sandbox-{name}-{width}.png"
            self.page.screenshot(path=str(shot))
            print(f"screenshot: {shot}")

    def expect_entries(self, count):
        expect(self.page.locator("fieldset.row--packet")).to_have_count(count)

    def test_reply_to_packet_1_of_3_is_entry_2_and_a_wait_moves_the_later_entries(self):
        self.page.route(f"**{axe.AXE_PATH}", lambda route: route.fulfill(path=axe.AXE, content_type="text/javascript"))
        self.start(WEB_SSH)
        self.page.locator("#b-remove-t1").click()  # the SYN,ACK: three packets, none a reply
        self.expect_entries(3)
        self.assertEqual(self.stored_times(), [0, 2, 3])
        self.page.locator("#b-reply-t0").click()
        self.expect_entries(4)
        expect(self.page.locator("#f-t1-src")).to_have_value("10.0.1.10:443")
        expect(self.page.locator("#f-t1-dst")).to_have_value("198.51.100.20:51000")
        expect(self.page.locator("#f-t1-flags")).to_have_value("SYN,ACK")
        expect(self.page.locator("#f-t2-src")).to_have_value("203.0.113.7:52000")
        self.assertEqual(self.stored_times(), [0, 1, 3, 4])

        # "The connection idles 400 s, then the SSH attempts come": from the keyboard.
        self.fill("wait", "400")
        wait_button = self.page.get_by_role("button", name="Wait before entry 3")
        wait_button.focus()
        wait_button.press("Enter")
        expect(self.page.locator("#f-t2-at")).to_have_value("403")
        expect(self.page.locator("#f-t3-at")).to_have_value("404")
        expect(self.page.locator("#f-wait")).to_have_value("400")  # kept for the next wait
        self.assertEqual(self.stored_times(), [0, 1, 403, 404])

        # A wait that is no positive number is refused beside its field, nothing stored.
        self.fill("wait", "soon")
        self.page.locator("#b-wait-t1").click()
        errors = self.page.locator("#f-wait-errors")
        expect(errors).to_contain_text("the wait “soon” is not a positive number of seconds")
        expect(self.page.locator("#f-wait")).to_have_attribute("aria-invalid", "true")
        expect(self.page.locator("#editor-status")).to_contain_text("That did not work")
        self.assertEqual(self.stored_times(), [0, 1, 403, 404])
        self.check_at_both_widths("timeline-wait-refused", "#f-wait")
        self.fill("wait", "5")  # a save on change clears the refusal
        expect(errors).to_be_empty()
        expect(self.page.locator("#f-wait")).not_to_have_attribute("aria-invalid", "true")

        # The buttons that add an entry read the same field: refused the same way, "soon" kept.
        for button in ("b-add-packet", "b-add-rule-change", "b-add-nacl-change", "b-reply-t0"):
            self.fill("wait", "soon")
            expect(errors).to_be_empty()
            self.page.locator(f"#{button}").click()
            expect(errors).to_contain_text("the wait “soon” is not a number of seconds (0 or more)")
            expect(self.page.locator("#f-wait")).to_have_value("soon")
            expect(self.page.locator("#f-wait")).to_have_attribute("aria-invalid", "true")
            self.expect_entries(4)
            self.assertEqual(self.stored_times(), [0, 1, 403, 404])
            self.fill("wait", "5")
        self.page.locator("#b-add-packet").click()
        self.expect_entries(5)
        self.assertEqual(self.stored_times(), [0, 1, 403, 404, 409])

    def test_typing_is_saved_when_it_pauses_and_when_the_page_goes(self):
        self.start(WEB_SSH)
        saves = []
        self.page.on("request", lambda request: saves.append(request) if request.url.endswith("/try/save/") else None)
        name = self.page.locator("#f-inst0-name")
        before = name.input_value()
        # A pause in the typing saves it, once, without leaving the field; leaving it then saves nothing more.
        name.focus()
        name.press("End")
        name.press_sequentially(" PAUSED", delay=30)
        with self.page.expect_response("**/try/save/"):
            pass
        self.assertEqual(Draft.objects.get().document["instances"][0]["name"], before + " PAUSED")
        name.press("Tab")
        self.page.wait_for_timeout(1000)
        self.assertEqual(len(saves), 1)
        # A reload right after typing, the field never left: the text survives.
        name.focus()
        name.press("End")
        name.press_sequentially(" NOBLUR", delay=20)
        self.page.reload()
        expect(self.page.locator("#f-inst0-name")).to_have_value(before + " PAUSED NOBLUR")

    def test_a_prefix_list_built_with_the_forms_lets_a_packet_from_inside_it_in(self):
        self.page.route(f"**{axe.AXE_PATH}", lambda route: route.fulfill(path=axe.AXE, content_type="text/javascript"))
        self.start(WEB_SSH)
        self.page.get_by_text("Prefix lists (optional)").click()
        self.press("b-add-prefix-list", "pl0-id")
        expect(self.page.locator("#f-pl0-id")).to_have_value("pl-1")
        self.fill("pl0-id", "pl-admins")
        self.fill("pl0-cidrs", "198.51.100.0/24, 2001:db8::/33")
        self.fill("pl0-cidrs", "198.51.100.0/33, 2001:db8::/32")  # a fault, at its field
        errors = self.page.locator("#f-pl0-cidrs-errors")
        expect(errors).to_contain_text("'198.51.100.0/33' is not a CIDR")
        expect(self.page.locator("#f-pl0-cidrs")).to_have_attribute("aria-invalid", "true")
        self.fill("pl0-cidrs", "198.51.100.0/24, 2001:db8::/32")
        expect(errors).to_be_empty()
        # The SSH rule's source: the list, which the peers' suggestions offer once the page is redrawn.
        self.page.reload()
        self.assertIn("pl-admins", self.page.locator("#dl-peers option").evaluate_all("options => options.map(o => o.value)"))
        with self.page.expect_response("**/try/save/"):
            self.fill("sg0-in1-peer", "pl-admins")
        expect(self.page.locator("#editor-status")).to_contain_text("The scenario is valid")
        rule = Draft.objects.get().document["security_groups"][0]["IpPermissions"][1]
        self.assertEqual(rule["PrefixListIds"], [{"PrefixListId": "pl-admins", "Description": "SSH from the admin"}])
        self.page.locator("#b-run").click()
        self.page.wait_for_url("**/try/run/?step=0")
        self.expect_live()
        verdicts = self.page.locator("#results tbody tr[id] td[data-label='Stateful (AWS)'] .verdict").all_inner_texts()
        # Packet 4 (198.51.100.20 -> SSH) is inside the list: allowed; packet 3 (203.0.113.7) is not.
        self.assertEqual(verdicts, ["✓ ALLOW", "✓ ALLOW", "✗ DROP", "✓ ALLOW"])
        self.page.get_by_role("link", name="← Back to the editor").click()
        self.page.wait_for_url("**/try/#editor")
        self.check_at_both_widths("prefix-lists", "#pl0")
        self.page.locator("#b-remove-pl0").click()
        expect(self.page.locator("#f-pl0-id")).to_have_count(0)
        self.assertEqual(Draft.objects.get().document["prefix_lists"], {})
