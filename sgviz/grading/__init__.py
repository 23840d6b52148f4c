"""Grading beside the engine: the learner's predictions, puzzles and projects, judged by the
engine's typed results (verdict, basis, deciding rule, tracked), never by English text.

Pure Python, no Django. The public API:

- predictions: ``packet_results(scenario)``, ``grade_prediction(result, verdict, basis)``,
  ``tally(marks)``, ``revealed_scenario(scenario, revealed)`` (what the Challenge may draw);
- puzzles: ``read_puzzle(doc) -> Puzzle``, ``grade_puzzle(puzzle, groups) -> PuzzleOutcome``;
- projects: ``read_project(doc) -> Project``, ``grade_project(project, groups) -> ProjectOutcome``.

Task documents and the learner's groups that do not load raise the engine's ``ScenarioError``,
every fault with its path. See docs/grading.md.
"""

from .flows import Expectation, Flow, Goal, GoalMark
from .predictions import PredictionMark, Tally, grade_prediction, packet_results, revealed_scenario, tally
from .projects import Project, ProjectOutcome, ReviewCheck, ReviewMark, grade_project, read_project
from .puzzles import Constraint, ConstraintMark, Puzzle, PuzzleOutcome, grade_puzzle, read_puzzle

__all__ = [
    "Constraint",
    "ConstraintMark",
    "Expectation",
    "Flow",
    "Goal",
    "GoalMark",
    "PredictionMark",
    "Project",
    "ProjectOutcome",
    "Puzzle",
    "PuzzleOutcome",
    "ReviewCheck",
    "ReviewMark",
    "Tally",
    "grade_prediction",
    "grade_project",
    "grade_puzzle",
    "packet_results",
    "read_project",
    "read_puzzle",
    "revealed_scenario",
    "tally",
]
