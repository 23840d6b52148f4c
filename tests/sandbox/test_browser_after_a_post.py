"""The sandbox's editor in Chromium after a post: a renamed group's references are shown
without a reload (tests/browser/base.py: a real daphne, Debian's Chromium)."""

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
