"""A learner's progress as the progress page says it: per lesson and mode, what was done and
the score. Pure (no Django): the view counts, this phrases."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Counts:
    """What one learner did in one lesson, counted from their rows."""

    quiz_answered: int = 0
    quiz_right: int = 0
    quiz_total: int = 0
    steps_predicted: int = 0
    steps_right: int = 0
    steps_total: int = 0
    puzzles_solved: int = 0
    puzzles_tried: int = 0
    puzzles_total: int = 0
    projects_total: int = 0
    project_submissions: int = 0
    project_best_flows: tuple[int, int] = (0, 0)  # (met, of) of the best submission
    cards_reviewed: int = 0
    cards_total: int = 0
    cards_due_today: int = 0


@dataclass(frozen=True)
class ModeProgress:
    mode: str
    done: str
    score: str
    started: bool


def _share(right, of):
    return f"{right} of {of} right ({round(100 * right / of)}%)" if of else "—"


def summarize(counts: Counts) -> list[ModeProgress]:
    """One row per mode the lesson has something to do in."""
    rows = []
    if counts.quiz_total:
        rows.append(ModeProgress("Quiz (Visual)", f"{counts.quiz_answered} of {counts.quiz_total} questions answered", _share(counts.quiz_right, counts.quiz_answered), counts.quiz_answered > 0))
    if counts.steps_total:
        rows.append(ModeProgress("Challenge: predictions", f"{counts.steps_predicted} of {counts.steps_total} steps predicted", _share(counts.steps_right, counts.steps_predicted), counts.steps_predicted > 0))
    if counts.puzzles_total:
        rows.append(ModeProgress("Challenge: puzzles", f"{counts.puzzles_tried} of {counts.puzzles_total} puzzles tried", f"{counts.puzzles_solved} of {counts.puzzles_total} solved", counts.puzzles_tried > 0))
    if counts.projects_total:
        met, of = counts.project_best_flows
        rows.append(ModeProgress("Project", f"{counts.project_submissions} submission{'s' if counts.project_submissions != 1 else ''}", f"best: {met} of {of} flows right" if of else "—", counts.project_submissions > 0))
    if counts.cards_total:
        rows.append(ModeProgress("Recall", f"{counts.cards_reviewed} of {counts.cards_total} cards reviewed", f"{counts.cards_due_today} due today", counts.cards_reviewed > 0))
    return rows
