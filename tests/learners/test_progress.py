"""The progress page's words (learners.progress, pure)."""

from learners.progress import Counts, ModeProgress, summarize


def test_a_lesson_not_started_says_so_in_every_mode_it_has():
    rows = summarize(Counts(quiz_total=3, cards_total=5, cards_due_today=5))
    assert rows == [
        ModeProgress("Quiz (Visual)", "0 of 3 questions answered", "—", False),
        ModeProgress("Recall", "0 of 5 cards reviewed", "5 due today", False),
    ]


def test_what_was_done_and_the_score_per_mode():
    rows = summarize(
        Counts(quiz_answered=2, quiz_right=1, quiz_total=3, steps_predicted=4, steps_right=3, steps_total=4,
               puzzles_solved=1, puzzles_tried=2, puzzles_total=3, projects_total=1, project_submissions=2, project_best_flows=(9, 10))
    )  # fmt: skip
    assert [(row.mode, row.done, row.score) for row in rows] == [
        ("Quiz (Visual)", "2 of 3 questions answered", "1 of 2 right (50%)"),
        ("Challenge: predictions", "4 of 4 steps predicted", "3 of 4 right (75%)"),
        ("Challenge: puzzles", "2 of 3 puzzles tried", "1 of 3 solved"),
        ("Project", "2 submissions", "best: 9 of 10 flows right"),
    ]
