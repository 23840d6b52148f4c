"""What a class shows: its walkthrough, its questions, and the HTML of one frame.

A frame is one websocket message holding every region that follows the class, drawn with the
player's own partials (``templates/player/partials/``): the rows and tracker texts that
changed (``player.consumers.row_messages``), the rules panel and the connection table when
the step moved (``player.consumers.panels_message``), the caption, the chart's data, then the
question on screen. It is one message, not several, so that classroom.js can drop a stale frame whole
by its sequence number. A change is rendered once for the followers and once for the
presenters, and the same text goes to every socket of each group (``classroom.consumers``).
A socket that (re)connects or asks to ``sync`` gets a resynchronising frame instead (the table and
tracker reset, then the rows up to the current step), rendered once per state for its followers.
"""

import json
from functools import lru_cache

from django.db.models import Count
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject

from lessons.models import QuizQuestion
from player import walkthrough
from player.consumers import panels_message, row_messages
from player.pages import PlayerPage

from .models import Vote
from .questions import Option, Question, packet_questions, tally
from .state import Phase

FOLLOWER, PRESENTER = "follower", "presenter"
CACHE_SIZE = 256
_follower_frames: dict[tuple, str] = {}


@lru_cache(maxsize=64)
def _packet_questions(canonical_document: str):
    return packet_questions(json.loads(canonical_document))


def walkthrough_for(class_session):
    """The player's walkthrough of the class's scenario (cached by content in the player)."""
    return walkthrough.for_document(class_session.document)


def questions_for(class_session) -> dict[str, Question]:
    """Every question the class can vote on, by key: one per packet, then the lesson's quiz."""
    questions = dict(_packet_questions_of(class_session))
    if class_session.lesson_id:
        for quiz in QuizQuestion.objects.filter(lesson_id=class_session.lesson_id).prefetch_related("options"):
            questions[f"quiz-{quiz.pk}"] = _quiz_question(quiz)
    return questions


def question_for(class_session, key: str) -> Question | None:
    """The one question ``key`` names, or None: what a vote checks, without reading the others
    (a classroom's burst of votes each pays for one question, not the whole quiz)."""
    number = key.removeprefix("quiz-")
    if number == key:
        return _packet_questions_of(class_session).get(key)
    if not number.isascii() or not number.isdigit() or not class_session.lesson_id:
        return None
    quiz = QuizQuestion.objects.filter(lesson_id=class_session.lesson_id, pk=int(number)).prefetch_related("options").first()
    return _quiz_question(quiz) if quiz else None


def _packet_questions_of(class_session):
    return _packet_questions(json.dumps(class_session.document, sort_keys=True, separators=(",", ":")))


def _quiz_question(quiz: QuizQuestion) -> Question:
    options = tuple(Option(str(option.pk), option.text) for option in quiz.options.all())
    right = next((str(option.pk) for option in quiz.options.all() if option.is_correct), "")
    return Question(f"quiz-{quiz.pk}", "quiz", quiz.prompt, "", options, right, quiz.explanation)


def askable(class_session, step, total, questions):
    """The questions the presenter may open now, as (key, label): the next packet, then the quiz."""
    choices = []
    if step < total:
        choices.append((f"packet-{step + 1}", f"Next packet (step {step + 1}): will it be allowed, and why?"))
    choices += [(key, f"Quiz: {question.prompt}") for key, question in questions.items() if question.kind == "quiz"]
    return choices


def current_tally(class_session, question):
    """The question's tally from one aggregate query: a count per choice, not a row per vote."""
    counts = Vote.objects.filter(class_session=class_session, question=question.key).values_list("choice").annotate(n=Count("pk"))
    return tally(question, dict(counts))


def context(class_session, state, role):
    steps = walkthrough_for(class_session)
    questions = questions_for(class_session)
    question = questions.get(state.question)
    show_tally = question is not None and (role == PRESENTER or state.phase in (Phase.CLOSED, Phase.REVEALED))
    frame = steps.frame(state.step)
    return {
        "class_session": class_session,
        "player": PlayerPage(frame, page_url="", ws_url="", projector=role == PRESENTER, step_error=None),
        "frame": frame,
        "state": state,
        "role": role,
        "question": question,
        "tally": SimpleLazyObject(lambda: current_tally(class_session, question)) if show_tally else None,
        "askable": askable(class_session, state.step, steps.total, questions) if role == PRESENTER else (),
        "playing": state.playing,
        "speed": 1,
    }


def render_frame(class_session, state, role, previous_step=None):
    """The frame that takes a page holding ``previous_step`` (None: unknown, resynchronise)
    to ``state``. Followers' frames are cached by state; presenters' carry the live tally."""
    steps = walkthrough_for(class_session)
    key = (steps.key, class_session.pk, state.sequence, previous_step)
    if role == FOLLOWER and key in _follower_frames:
        return _follower_frames[key]
    # The panels follow the step, as the rows do: a frame that leaves the step alone (a vote) leaves them be.
    panels = panels_message(steps, state.step) if previous_step != state.step else ""
    text = "".join(row_messages(steps, previous_step, state.step)) + panels + render_to_string(
        "classroom/partials/frame.html", context(class_session, state, role)
    )
    if role == FOLLOWER:
        if len(_follower_frames) >= CACHE_SIZE:
            _follower_frames.clear()
        _follower_frames[key] = text
    return text


def render_audience(class_session, state):
    """The presenters' live figures: learners connected and, with a question open, its tally."""
    return render_to_string("classroom/partials/audience.html", context(class_session, state, PRESENTER))
