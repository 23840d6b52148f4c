"""What a class shows: its walkthrough, its questions, and the HTML of one frame.

A frame is one websocket message holding every region that follows the class (caption, chart
data, process table, tracker, the question on screen). It is rendered once per change of the
class, once for its followers and once for its presenters, and the same text goes to every
socket of the group (``classroom.consumers``); a follower who joins late gets the cached text
of the current state.
"""

import json
from functools import lru_cache

from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject

from lessons import walkthrough
from lessons.models import QuizQuestion

from .models import Vote
from .questions import Option, Question, packet_questions, tally
from .state import Phase

FOLLOWER, PRESENTER = "follower", "presenter"
CACHE_SIZE = 256
_follower_frames: dict[tuple, str] = {}


@lru_cache(maxsize=64)
def _built(canonical_document: str):
    document = json.loads(canonical_document)
    return walkthrough.build(document), packet_questions(document)


def _canonical(document) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def walkthrough_for(class_session):
    if class_session.lesson:
        return walkthrough.for_lesson(class_session.lesson)
    return _built(_canonical(class_session.scenario))[0]


def questions_for(class_session) -> dict[str, Question]:
    """Every question the class can vote on, by key: one per packet, then the lesson's quiz."""
    questions = dict(_built(_canonical(class_session.document))[1])
    if class_session.lesson:
        for quiz in class_session.lesson.quiz_questions.prefetch_related("options"):
            questions[f"quiz-{quiz.pk}"] = _quiz_question(quiz)
    return questions


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
    choices = Vote.objects.filter(class_session=class_session, question=question.key).values_list("choice", flat=True)
    return tally(question, choices)


def context(class_session, state, role):
    steps = walkthrough_for(class_session)
    questions = questions_for(class_session)
    question = questions.get(state.question)
    show_tally = question is not None and (role == PRESENTER or state.phase in (Phase.CLOSED, Phase.REVEALED))
    return {
        "class_session": class_session,
        "lesson": class_session.lesson or {"title": class_session.title},
        "lanes": steps.lanes,
        "frame": steps.frame(state.step),
        "state": state,
        "role": role,
        "question": question,
        "tally": SimpleLazyObject(lambda: current_tally(class_session, question)) if show_tally else None,
        "askable": askable(class_session, state.step, steps.total, questions) if role == PRESENTER else (),
        "playing": state.playing,
        "speed": 1,
    }


def render_frame(class_session, state, role):
    if role == PRESENTER:  # its tally changes with every vote: never cached
        return render_to_string("classroom/partials/frame.html", context(class_session, state, role))
    lesson_version = class_session.lesson.updated if class_session.lesson else None
    key = (class_session.pk, lesson_version, state.sequence)
    text = _follower_frames.get(key)
    if text is None:
        if len(_follower_frames) >= CACHE_SIZE:
            _follower_frames.clear()
        text = _follower_frames[key] = render_to_string("classroom/partials/frame.html", context(class_session, state, role))
    return text


def render_audience(class_session, state):
    """The presenters' live figures: learners connected and, with a question open, its tally."""
    return render_to_string("classroom/partials/audience.html", context(class_session, state, PRESENTER))
