"""The lesson's Recall deck for one learner: the lesson's own cards (key moments, concept
snapshot) and a card for each quiz question, challenge step and puzzle goal they got wrong,
each with its reviews."""

import json
from dataclasses import dataclass, field

from django.utils import timezone

from practice import wording
from practice.models import Prediction, Puzzle, PuzzleAttempt
from practice.views import challenge_scenario
from quiz.models import QuizAnswer
from sgviz.grading import grade_puzzle, packet_results
from sgviz.recall import due, due_today, is_due

from .models import RecallReview


@dataclass(frozen=True)
class Card:
    key: str  # stable across visits: what reviews are stored under
    kind: str  # where it comes from, in words
    prompt: str  # plain text
    answer: str  # Markdown
    missed: bool = False  # the learner got it wrong somewhere in the lesson
    reviews: tuple = field(default=(), compare=False)

    @property
    def due_at(self):
        """When it is next due; None for a card never reviewed (due at once)."""
        return due(self.reviews)


def cloze(text):
    """The first half of a sentence's words, for the learner to complete."""
    words = text.split()
    return " ".join(words[: max(1, len(words) // 2)]) + " …"


def lesson_cards(lesson):
    moments = [Card(f"moment:{m.pk}", "Key moment", m.question, m.answer) for m in lesson.key_moments.all()]
    snapshot = [Card(f"snapshot:{b.pk}", "Concept snapshot", f"Complete: “{cloze(b.text)}”", b.text) for b in lesson.snapshot_bullets.all()]
    return moments + snapshot


def missed_quiz_cards(lesson, learner):
    """A card for each question whose scored (first) answer was wrong."""
    wrong = learner.records(QuizAnswer).filter(question__lesson=lesson, first_option__is_correct=False)
    cards = []
    for answer in wrong.select_related("question").prefetch_related("question__options"):
        question = answer.question
        right = question.correct_option
        text = f"**{right.text}**" if right else ""
        cards.append(Card(f"quiz:{question.pk}", "Quiz question you missed", question.prompt, f"{text}\n\n{question.explanation}".strip(), missed=True))
    return cards


def missed_step_cards(lesson, learner):
    """A card for each challenge step whose prediction was wrong, answered by the engine."""
    wrong = learner.records(Prediction).filter(lesson=lesson).exclude(verdict_right=True, basis_right=True)
    steps = sorted(wrong.values_list("step", flat=True))
    if not steps:
        return []
    results = packet_results(challenge_scenario(lesson))
    return [_step_card(step, results[step - 1]) for step in steps if step <= len(results)]


def _step_card(step, result):
    return Card(
        f"step:{step}",
        "Challenge step you missed",
        f"Step {step}: {wording.packet_words(result.packet)}. Allowed or dropped, and why?",
        f"{wording.verdict_words(result.verdict)}, because of {wording.BASES[result.basis]}. {result.explanation}",
        missed=True,
    )


def missed_goal_cards(lesson, learner):
    """A card for each puzzle goal that failed in one of the learner's attempts."""
    cards = []
    for puzzle in Puzzle.objects.filter(lesson=lesson):
        attempts = set(learner.records(PuzzleAttempt).filter(puzzle=puzzle).values_list("groups", flat=True))
        if not attempts:
            continue
        task = puzzle.task()
        failed = set()
        for groups in attempts:
            failed |= {index for index, mark in enumerate(grade_puzzle(task, json.loads(groups)).goals) if not mark.met}
        for index in sorted(failed):
            goal = task.goals[index]
            cards.append(
                Card(
                    f"goal:{puzzle.pk}:{index}",
                    "Puzzle goal you missed",
                    f"Puzzle “{puzzle.title}”: {goal.flow.name} {wording.EXPECTATIONS[goal.expect]}. What must the rules do?",
                    f"{puzzle.brief}\n\nThe goal: {goal.flow.name} {wording.EXPECTATIONS[goal.expect]}.",
                    missed=True,
                )
            )
    return cards


def deck(lesson, learner):
    """Every card of the lesson for ``learner`` (None: no learner yet), missed ones first,
    each with the learner's reviews of it."""
    cards = lesson_cards(lesson)
    if learner is None:
        return cards
    cards = missed_quiz_cards(lesson, learner) + missed_step_cards(lesson, learner) + missed_goal_cards(lesson, learner) + cards
    reviews = {}
    for row in learner.records(RecallReview).filter(lesson=lesson):
        reviews.setdefault(row.card, []).append(row.review)
    return [Card(card.key, card.kind, card.prompt, card.answer, card.missed, tuple(reviews.get(card.key, ()))) for card in cards]


def due_now(cards, now=None):
    now = now or timezone.now()
    return [card for card in cards if is_due(card.reviews, now)]


def due_today_count(cards, now=None):
    return due_today((card.reviews for card in cards), now or timezone.now())
