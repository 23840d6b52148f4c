"""The sandbox's editor in Chromium after a post: a renamed group's references are shown
without a reload, and the keyboard focus goes where the learner goes on after a button
(tests/browser/base.py: a real daphne, Debian's Chromium)."""

from playwright.sync_api import expect

from sandbox.models import Draft
from tests.browser.base import BrowserTestCase
from tests.sandbox.test_browser import SandboxPages


class EditorAfterAPostBrowserTest(SandboxPages, BrowserTestCase):
    def saved(self):
        expect(self.page.locator("#editor-status")).to_contain_text("Saved.")

    def test_a_group_renamed_by_typing_is_renamed_in_the_other_fields_and_suggestions_without_a_reload(self):
        self.start("A three-tier application")
        with self.page.expect_response("**/try/save/"):
            self.fill("sg0-group_id", "sg-frontend")
        expect(self.page.locator("#f-inst0-security_groups")).to_have_value("sg-frontend")
        expect(self.page.locator("#f-sg1-in0-peer")).to_have_value("sg-frontend")
        expect(self.page.locator("#sg0 > legend")).to_have_text("Security group 1: sg-frontend")  # followed the typing
        options = self.page.locator("#dl-group-ids option")
        expect(options).to_have_count(3)
        self.assertEqual(options.evaluate_all("options => options.map(o => o.value)"), ["sg-frontend", "sg-app", "sg-db"])
        self.saved()
        # The rows rewritten are the stored draft's: typing in one posts the new id, not the old.
        with self.page.expect_response("**/try/save/"):
            self.fill("inst0-name", "frontend")
        self.saved()
        stored = Draft.objects.get().document
        self.assertEqual((stored["instances"][0]["security_groups"], stored["security_groups"][1]["IpPermissions"][0]["UserIdGroupPairs"][0]["GroupId"]), (["sg-frontend"], "sg-frontend"))

    def test_a_row_typed_in_while_a_rename_is_saved_keeps_the_typing(self):
        self.start("A three-tier application")
        held = []
        self.page.route("**/try/save/", lambda route: held.append(route))
        self.fill("sg0-group_id", "sg-frontend")
        while not held:  # the save on change is on its way, held
            self.page.wait_for_timeout(20)
        self.page.locator("#f-inst0-security_groups").fill("sg-web, sg-app")  # typed, not yet left: not saved yet
        held[0].continue_()
        self.page.unroute("**/try/save/")
        expect(self.page.locator("#f-sg1-in0-peer")).to_have_value("sg-frontend")  # the answer is in
        expect(self.page.locator("#f-inst0-security_groups")).to_have_value("sg-web, sg-app")

    def test_the_keyboard_focus_goes_to_a_rule_added_and_to_the_next_row_after_a_removal(self):
        self.start("The first lesson's web server")
        self.page.locator("#b-add-in-sg0").focus()
        self.page.keyboard.press("Enter")
        added = self.page.locator("#f-sg0-in1-protocol")
        expect(added).to_be_focused()
        expect(added).to_be_in_viewport()
        self.page.keyboard.type("udp")  # the learner types on where the focus is
        with self.page.expect_response("**/try/save/"):
            self.page.keyboard.press("Tab")
        # ✕ Remove the first rule: the focus goes to the rule after it, now the first.
        self.page.locator("#b-remove-sg0-in0").focus()
        self.page.keyboard.press("Space")
        first = self.page.locator("#f-sg0-in0-protocol")
        expect(first).to_be_focused()
        expect(first).to_have_value("udp")
        # Remove the last rule: no row after it, so the list's add button, and Enter presses it.
        self.page.locator("#b-remove-sg0-in0").focus()
        self.page.keyboard.press("Enter")
        expect(self.page.locator("#b-add-in-sg0")).to_be_focused()
        self.page.keyboard.press("Enter")
        expect(self.page.locator("#f-sg0-in0-protocol")).to_be_focused()

    def test_a_moved_entry_keeps_the_focus_on_its_button_so_pressing_again_moves_it_on(self):
        self.start("The first lesson's web server")
        first_packet = self.page.locator("#f-t0-src").input_value()
        self.page.locator("#b-down-t0").focus()
        for position in (1, 2, 3):
            self.page.keyboard.press("Space")
            expect(self.page.locator(f"#f-t{position}-src")).to_have_value(first_packet)
            # At the bottom its Move down is disabled: the focus is on its Move up.
            expect(self.page.locator(f"#b-{'down' if position < 3 else 'up'}-t{position}")).to_be_focused()
        self.page.keyboard.press("Enter")
        expect(self.page.locator("#f-t2-src")).to_have_value(first_packet)
        expect(self.page.locator("#b-up-t2")).to_be_focused()

    def test_without_javascript_a_button_opens_the_page_at_the_row_it_added_with_the_focus_there(self):
        nojs = self.new_context(java_script_enabled=False)
        try:
            page = nojs.new_page()
            self.start("The first lesson's web server", page=page)
            page.locator("#b-add-packet").focus()
            page.keyboard.press("Enter")
            page.wait_for_url("**/try/#f-t4-at")
            expect(page.locator("#f-t4-at")).to_be_focused()
            expect(page.locator("#f-t4-at")).to_be_in_viewport()
            page.locator("#b-remove-t4").click()
            page.wait_for_url("**/try/#b-add-packet")
            expect(page.locator("#b-add-packet")).to_be_focused()
        finally:
            nojs.close()
