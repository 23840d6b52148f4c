"""The visual quiz in a real browser: feedback, explanation, hints and a score that counts each
question once, kept in the browser's session across reloads."""

from playwright.sync_api import expect

from .base import BrowserTestCase

FIRST_PROMPT = "Look at the execution table, what happens at step 1 when an incoming packet matches the inbound rule?"
FIRST_HINT = "Refer to execution_table row with Step 1 under 'Action'"


class QuizTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.open_lesson("?step=0")
        self.questions = self.page.locator(".quiz-question")
        self.score = self.page.locator("#quiz-score strong")
        self.announcement = self.page.locator("#quiz-status")

    def question(self, number):
        return self.questions.nth(number - 1)

    def answer(self, number, text):
        self.question(number).get_by_role("button", name=text, exact=False).click()

    def test_the_seed_quiz_has_three_questions_with_their_options(self):
        expect(self.questions).to_have_count(3)
        expect(self.question(1).get_by_role("heading")).to_have_text(f"1. {FIRST_PROMPT}")
        expect(self.question(1).locator(".quiz-option")).to_have_text(
            [
                "A The packet is allowed but connection state is not recorded",
                "B The packet is dropped",
                "C The packet is allowed and connection state is recorded",
                "D The packet is forwarded without checking",
            ]
        )
        expect(self.score).to_have_text("0 of 3")

    def test_a_wrong_then_right_answer_gets_feedback_and_counts_once(self):
        question = self.question(1)
        self.answer(1, "The packet is dropped")
        feedback = question.locator(".feedback")
        expect(feedback).to_contain_text("✗ Not quite: “The packet is dropped” is not the answer.")
        expect(feedback).to_contain_text("Security group rules only ever allow: a packet that matches one is never dropped.")
        expect(feedback).not_to_contain_text("records")  # the explanation, which names the right answer, waits
        expect(feedback).to_contain_text("Try another answer.")
        expect(question.locator(".quiz-option.is-wrong")).to_have_text("B The packet is dropped")
        expect(self.score).to_have_text("0 of 3")
        expect(self.announcement).to_have_text("Question 1: not quite. Score 0 of 3.")

        self.answer(1, "The packet is allowed and connection state is recorded")
        expect(feedback).to_contain_text("✓ Right: The packet is allowed and connection state is recorded")
        expect(question.locator(".quiz-option.is-right")).to_have_text(
            "C The packet is allowed and connection state is recorded"
        )
        expect(question.locator(".quiz-option.is-wrong")).to_have_count(0)
        expect(self.score).to_have_text("0 of 3")  # the first answer is the one that counts
        expect(self.page.locator("#quiz-score")).to_contain_text("(1 answered)")
        expect(self.announcement).to_have_text("Question 1: right. Score 0 of 3.")

        self.answer(2, "Step 4")  # right the first time: counted, once
        expect(self.question(2).locator(".feedback")).to_contain_text("✓ Right: Step 4")
        expect(self.score).to_have_text("1 of 3")
        self.answer(2, "Step 4")
        expect(self.announcement).to_have_text("Question 2: right. Score 1 of 3.")
        expect(self.score).to_have_text("1 of 3")

        self.page.reload()  # the answers live in the session
        expect(self.score).to_have_text("1 of 3")
        expect(self.question(1).locator(".feedback")).to_contain_text("✓ Right")
        expect(self.question(2).locator(".feedback")).to_contain_text("✓ Right: Step 4")

    def test_the_feedback_on_a_right_answer_links_to_its_step_in_the_player(self):
        self.answer(2, "Step 1")
        expect(self.question(2).locator(".feedback")).to_contain_text("Not quite")
        expect(self.question(2).get_by_role("link", name="Show step 4 in the player")).to_have_count(0)  # it would tell
        self.answer(2, "Step 4")
        self.question(2).get_by_role("link", name="Show step 4 in the player").click()
        self.expect_step(4)

    def test_the_quiz_resets_from_the_keyboard_and_focus_stays_on_the_button(self):
        self.answer(2, "Step 4")
        expect(self.score).to_have_text("1 of 3")
        reset = self.page.get_by_role("button", name="Reset the quiz")
        reset.focus()
        self.page.keyboard.press("Enter")
        expect(self.score).to_have_text("0 of 3")
        expect(self.page.locator("#quiz-score")).to_contain_text("(0 answered)")
        expect(self.questions.locator(".is-chosen")).to_have_count(0)
        expect(self.announcement).to_have_text("Quiz reset: no answers recorded. Score 0 of 3.")
        expect(reset).to_be_focused()
        self.answer(2, "Step 1")  # a fresh start: the first answer counts again
        expect(self.announcement).to_have_text("Question 2: not quite. Score 0 of 3.")

    def test_a_hint_is_shown_on_request(self):
        hint = self.question(1).locator(".hint")
        expect(hint.get_by_text(FIRST_HINT)).to_be_hidden()
        hint.get_by_text("Hint").click()
        expect(hint.get_by_text(FIRST_HINT)).to_be_visible()
        expect(self.score).to_have_text("0 of 3")  # asking for a hint is not an answer
