"""Recall and progress in Chromium: a missed quiz question appears in Recall and is rated by
keyboard; progress survives a reload and sign-in; no axe violations, no sideways scroll at 360 px."""

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from conftest import SEED_SLUG

from . import test_accessibility as accessibility  # a module, so its test class is not collected twice
from .base import BrowserTestCase
from . import test_practice as practice  # likewise

RECALL = f"/lessons/{SEED_SLUG}/recall/"
PASSWORD = "a long enough passphrase 42"


class RecallTests(BrowserTestCase):
    scan = accessibility.AccessibilityTests.scan
    assert_no_serious_violations = accessibility.AccessibilityTests.assert_no_serious_violations
    shoot = practice.PracticeTests.shoot

    def setUp(self):
        super().setUp()
        self.page.route(f"**{accessibility.AXE_PATH}", lambda route: route.fulfill(path=accessibility.AXE, content_type="text/javascript"))

    def miss_the_first_question(self):
        self.open_lesson("?step=0")
        question = self.page.locator(".quiz-question").first
        prompt = question.locator("legend, h3").first.inner_text()
        question.get_by_role("button").first.click()  # the seed's first option is a wrong one
        expect(question.locator(".feedback")).to_contain_text("Not quite")
        return prompt

    def test_a_missed_question_appears_in_recall_and_is_rated_by_keyboard(self):
        self.miss_the_first_question()
        self.page.reload()
        expect(self.page.locator("#recall-due")).to_contain_text("cards due today")
        self.page.goto(RECALL)
        card = self.page.locator("#card")
        expect(card.locator(".card__kind")).to_contain_text("Quiz question you missed")
        self.assert_no_serious_violations("recall with a missed question")
        self.shoot("recall")
        card.locator("summary").focus()
        self.page.keyboard.press("Enter")  # opens the answer
        card.get_by_role("button", name="Again").focus()
        self.page.keyboard.press("Enter")
        self.page.wait_for_load_state()
        expect(self.page.locator(".deck tbody tr").first).to_contain_text("in ")  # back in a minute

    def test_progress_survives_a_reload_and_sign_in(self):
        get_user_model().objects.create_user("ada", password=PASSWORD)
        self.miss_the_first_question()
        self.page.goto("/progress/")
        expect(self.page.locator(".progress__table").first).to_contain_text("1 of 3 questions answered")
        self.page.reload()
        expect(self.page.locator(".progress__table").first).to_contain_text("1 of 3 questions answered")
        self.assert_no_serious_violations("the progress page")
        self.shoot("progress")
        self.page.get_by_role("link", name="Sign in", exact=True).click()
        self.page.get_by_label("Username").fill("ada")
        self.page.get_by_label("Password").fill(PASSWORD)
        self.assert_no_serious_violations("the sign-in page")
        self.shoot("sign-in")
        self.page.get_by_role("button", name="Sign in").click()
        expect(self.page.get_by_text("Signed in as")).to_contain_text("ada")
        expect(self.page.locator(".progress__table").first).to_contain_text("1 of 3 questions answered")
        other = self.new_context()  # another device
        page = other.new_page()
        page.goto("/accounts/sign-in/?next=/progress/")
        page.get_by_label("Username").fill("ada")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator(".progress__table").first).to_contain_text("1 of 3 questions answered")
        other.close()
