"""The sandbox's JSON box, paste box and downloads in Chromium, with the editor's saves on
change around them (tests/browser/base.py: a real daphne, Debian's Chromium)."""

import json
import re

from playwright.sync_api import expect

from sandbox.models import Draft
from tests.browser import test_accessibility as axe
from tests.browser.base import ARTIFACTS, BrowserTestCase
from tests.sandbox.test_browser import THREE_TIER, SandboxPages
from tests.sandbox.test_paste_compare import cli_network_acls

UNFINISHED = '{"security_groups": [{"GroupId": "sg-new", "my long unfinished edit'


class SandboxBoxesBrowserTest(SandboxPages, BrowserTestCase):
    def stored_group(self):
        return Draft.objects.get().document["security_groups"][0]

    def press_and_land(self, button_id, address):
        """Press a button of a box: the page of its answer opens at ``address`` (the box)."""
        self.page.locator(f"#{button_id}").click()
        self.page.wait_for_url(f"**{address}")

    def edit_json(self, old, new):
        box = self.page.locator("#f-json")
        box.fill(box.input_value().replace(old, new))

    def saved_on_change(self, field_id, value):
        """Type into a field of the editor and wait until its save on change is answered."""
        with self.page.expect_response("**/try/save/"):
            self.fill(field_id, value)
        expect(self.page.locator("#editor-status")).to_contain_text("Saved.")

    def test_after_a_form_edit_the_json_box_shows_it_and_saves_over_it_without_a_false_conflict(self):
        self.start("The first lesson's web server")
        self.saved_on_change("sg0-name", "renamed in the form")
        box = self.page.locator("#f-json")
        box.scroll_into_view_if_needed()
        expect(box).to_have_value(re.compile('"GroupName": "renamed in the form"'))
        self.edit_json("HTTP from anywhere", "HTTP, edited as JSON")
        self.press_and_land("b-json", "/try/#json")
        report = self.page.locator("#json .box-report")
        expect(report).to_contain_text("Saved: the scenario is this JSON now.")
        expect(report).to_be_in_viewport()
        group = self.stored_group()
        self.assertEqual((group["GroupName"], group["IpPermissions"][0]["IpRanges"][0]["Description"]), ("renamed in the form", "HTTP, edited as JSON"))

    def test_save_the_json_right_after_a_form_edit_saves_the_form_edit_too(self):
        """The box is pressed before it was shown the form's save: it is brought up to date
        first, never posted as it was (which would undo the form edit)."""
        self.start("The first lesson's web server")
        self.page.locator("#f-sg0-name").fill("renamed just before")
        self.press_and_land("b-json", "/try/#json")  # leaves the field: its save on change, then the box's post
        expect(self.page.locator("#json .box-report")).to_contain_text("Saved")
        self.assertEqual(self.stored_group()["GroupName"], "renamed just before")

    def test_an_import_after_a_form_edit_is_not_taken_for_another_tabs(self):
        self.start("The first lesson's web server")
        self.saved_on_change("sg0-name", "renamed in the form")
        self.page.locator("#f-paste").fill(THREE_TIER)
        self.press_and_land("b-import", "/try/#import")
        expect(self.page.locator("#import .box-report")).to_contain_text("7 security groups added")
        groups = Draft.objects.get().document["security_groups"]
        self.assertEqual((len(groups), groups[0]["GroupName"]), (8, "renamed in the form"))

    def test_typing_in_the_json_box_is_never_replaced_by_a_form_save_and_stays_until_discarded(self):
        self.start("The first lesson's web server")
        box, state = self.page.locator("#f-json"), self.page.locator("#json-state")
        box.fill(UNFINISHED)
        expect(state).to_contain_text("You have changed this text.")
        self.saved_on_change("sg0-name", "renamed while typing")
        box.scroll_into_view_if_needed()
        expect(box).to_have_value(UNFINISHED)
        self.press_and_land("b-json", "/try/#json")  # not JSON yet: kept as typed
        expect(self.page.locator("#json-errors")).to_contain_text("This is not JSON yet")
        expect(state).to_contain_text("This box holds text you typed that is not the scenario yet")
        self.saved_on_change("sg0-description", "changed after")
        self.page.reload()
        expect(box).to_have_value(UNFINISHED)
        self.press_and_land("b-json-discard", "/try/#json")
        expect(self.page.locator("#json .box-report")).to_contain_text("Discarded the text you typed")
        shown = json.loads(box.input_value())
        self.assertEqual((shown["security_groups"][0]["GroupName"], shown["security_groups"][0]["Description"]), ("renamed while typing", "changed after"))
        expect(self.page.locator("#b-json-discard")).to_have_count(0)

    def test_a_real_change_in_another_tab_is_still_refused_at_the_json_box(self):
        self.start("The first lesson's web server")
        other = self.context.new_page()
        other.goto("/try/")
        other.locator("#f-sg0-name").fill("from the other tab")
        with other.expect_response("**/try/save/"):
            other.locator("#f-sg0-name").press("Tab")
        self.edit_json("web-server", "from this tab's JSON")
        self.press_and_land("b-json", "/try/json/#json")
        errors = self.page.locator("#json-errors")
        expect(errors).to_contain_text("changed in another tab or window")
        expect(errors).to_be_in_viewport()
        expect(self.page.locator("#f-json")).to_have_value(re.compile("from this tab's JSON"))
        self.assertEqual(self.stored_group()["GroupName"], "from the other tab")
        self.press_and_land("b-json", "/try/#json")  # pressed again, knowingly: stored over the other tab's change
        self.assertEqual(self.stored_group()["GroupName"], "from this tab's JSON")

    def test_the_groups_download_is_offered_only_while_the_scenario_has_no_faults(self):
        self.start("The first lesson's web server")
        downloads = self.page.locator("#downloads")
        groups_link = downloads.get_by_role("link", name="Download its groups as describe-security-groups JSON")
        expect(groups_link).to_have_count(1)
        self.fill("sg0-in0-peer", "bad")
        expect(downloads).to_contain_text("once the scenario has no faults: fix the 1 fault shown at its field first")
        expect(groups_link).to_have_count(0)
        self.fill("sg0-in0-peer", "0.0.0.0/0")
        with self.page.expect_download() as download:
            groups_link.click()
        self.assertEqual(json.loads(open(download.value.path()).read())["SecurityGroups"][0]["GroupName"], "web-server")

    def test_accessibility_and_screenshots_of_the_boxes_at_1280_and_360(self):
        """Each box's states a learner meets: an import with its warnings, a refusal, text kept
        as typed, and the downloads while the scenario has a fault: axe finds nothing (of any
        impact), nothing scrolls sideways, each is shown where the page opens."""
        self.page.route(f"**{axe.AXE_PATH}", lambda route: route.fulfill(path=axe.AXE, content_type="text/javascript"))
        ARTIFACTS.mkdir(exist_ok=True)
        self.start("The first lesson's web server")
        self.page.locator("#f-paste").fill(json.dumps(cli_network_acls("subnet-0931fc2fa5EXAMPLE")))
        self.press_and_land("b-import", "/try/#import")
        self.check_at_both_widths("import-warnings", "#import")
        box = self.page.locator("#f-json")
        box.fill('{"security_groups": [], "instances": [], "timeline": [], "x": NaN}')
        self.press_and_land("b-json", "/try/json/#json")
        expect(self.page.locator("#json-errors")).to_contain_text("x: NaN is not a number JSON allows")
        self.check_at_both_widths("json-refused", "#json")
        self.page.goto("/try/")
        box.fill(UNFINISHED)
        self.press_and_land("b-json", "/try/#json")
        self.check_at_both_widths("json-kept", "#json")
        self.fill("sg0-in0-peer", "bad")
        expect(self.page.locator("#downloads")).to_contain_text("once the scenario has no faults")
        self.check_at_both_widths("downloads-fault", "#share")

    def check_at_both_widths(self, name, section):
        for width in (1280, 360):
            self.page.set_viewport_size({"width": width, "height": 900})
            self.page.locator(section).evaluate("section => section.scrollIntoView()")
            self.assertEqual(axe.AccessibilityTests.axe_violations(self, f"{name} at {width} px"), [])
            self.assertLessEqual(self.page.evaluate("() => document.documentElement.scrollWidth"), width, f"{name} scrolls sideways at {width} px")
            shot = ARTIFACTS / f"sandbox-{name}-{width}.png"
            self.page.screenshot(path=str(shot))
            print(f"screenshot: {shot}")
