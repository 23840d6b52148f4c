from dataclasses import dataclass

from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from player import walkthrough
from player.pages import player_page, requested_step

from .models import Lesson, QuizQuestion
from .sources import visible_lessons
from .templatetags.markdown import markdown


READY_MODES = {"visual"}  # the learning modes that have a page; the others are listed as coming soon


def index(request):
    lessons = Lesson.objects.published()
    return render(request, "lessons/index.html", {"lessons": lessons})


def lesson(request, slug):
    """The lesson's Visual mode, rendered at one step (``?step=k``; see player.pages.player_page)."""
    return _lesson_page(request, _lesson(request, slug))


@require_POST
def answer(request, slug, question_id):
    """Record a quiz answer. htmx gets the question back with its feedback; a plain form
    post is redirected to the page (POST-redirect-GET), which shows the same feedback."""
    lesson = _lesson(request, slug)
    questions = _questions(lesson)
    question = next((q for q in questions if q.pk == question_id), None)
    if question is None:
        raise Http404("This lesson has no such quiz question.")
    options = {str(option.pk): option for option in question.options.all()}
    option = options.get(request.POST.get("option", ""))
    answers = QuizAnswers(request.session, lesson)
    if option is None:
        error = (
            f"“{request.POST.get('option', '')}” is not one of this question's options. "
            "Pick one of the lettered answers."
        )
        if _is_htmx(request):
            item = _quiz_item(question, questions.index(question) + 1, answers, error)
            return render(request, "lessons/partials/quiz_question.html", {"lesson": lesson, "item": item}, status=400)
        return _lesson_page(request, lesson, step=request.POST.get("step"), quiz_errors={question.pk: error}, status=400)
    answers.record(question, option)
    if not _is_htmx(request):
        return redirect(f"{lesson.get_absolute_url()}{_step_query(request.POST.get('step'), lesson)}#question-{question.pk}")
    context = {
        "lesson": lesson,
        "item": _quiz_item(question, questions.index(question) + 1, answers),
        "score": answers.score(questions),
    }
    return render(request, "lessons/partials/quiz_answered.html", context)


class QuizAnswers:
    """A learner's answers to one lesson's quiz, kept in their session.

    Per question: the first option chosen (the one the score counts, so trying again
    never raises it) and the latest (the one the feedback is about).
    """

    def __init__(self, session, lesson):
        self.session = session
        self.key = f"quiz:{lesson.pk}"
        self.answers = session.get(self.key, {})

    def record(self, question, option):
        first = self.answers.get(str(question.pk), [option.pk])[0]
        self.answers[str(question.pk)] = [first, option.pk]
        self.session[self.key] = self.answers

    def first(self, question):
        return self._answer(question, 0)

    def latest(self, question):
        return self._answer(question, 1)

    def _answer(self, question, which):
        chosen = self.answers.get(str(question.pk))
        if chosen is None:
            return None
        return next((option for option in question.options.all() if option.pk == chosen[which]), None)

    def score(self, questions):
        firsts = [self.first(question) for question in questions]
        return Score(
            right=sum(1 for option in firsts if option is not None and option.is_correct),
            answered=sum(1 for option in firsts if option is not None),
            total=len(questions),
        )


@dataclass(frozen=True)
class Score:
    right: int
    answered: int
    total: int


@dataclass(frozen=True)
class QuizItem:
    question: QuizQuestion
    number: int
    options: list  # (letter, option)
    chosen: object  # the latest answer's option, or None
    error: str = ""


LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _quiz_item(question, number, answers, error=""):
    options = list(zip(LETTERS, question.options.all()))
    return QuizItem(question, number, options, answers.latest(question), error)


def _lesson(request, slug):
    return get_object_or_404(visible_lessons(request.user), slug=slug)


def _questions(lesson):
    return list(lesson.quiz_questions.prefetch_related("options"))


def _is_htmx(request):
    return request.headers.get("HX-Request") == "true"


def _step_query(value, lesson):
    """``?step=k`` for the step a plain quiz form was posted from, so the page opens where the
    learner was; "" (the page's default) when the form carried no valid step."""
    number, _ = requested_step(value, walkthrough.for_document(lesson.scenario).total)
    return "" if number is None else f"?step={number}"


def _lesson_page(request, lesson, step=None, quiz_errors=None, status=200):
    """The Visual mode page at ``step`` (by default the address's ``?step``); ``quiz_errors``
    maps a question's id to why its answer was refused."""
    query = request.GET.copy()
    if step is not None:
        query["step"] = step
    player = player_page(
        walkthrough.for_document(lesson.scenario), query, lesson.get_absolute_url(), f"/ws/lessons/{lesson.slug}/"
    )
    prefetch_related_objects(
        [lesson],
        "sample_lines",
        "key_moments",
        "snapshot_bullets",
        "modes",
        Prefetch("quiz_questions", queryset=QuizQuestion.objects.prefetch_related("options")),
    )
    questions = list(lesson.quiz_questions.all())
    modes = lesson.mode_bar()
    answers = QuizAnswers(request.session, lesson)
    quiz_errors = quiz_errors or {}
    context = {
        "lesson": lesson,
        "player": player,
        "frame": player.frame,
        "projector": player.projector,
        "step_error": player.step_error,
        "title": lesson.title,
        "flow_summary": markdown(lesson.flow_summary),
        "table_note": lesson.table_note,
        "modes": [(mode, label, mode in READY_MODES) for mode, label in modes],
        "modes_ready": sum(mode in READY_MODES for mode, _ in modes),
        "quiz": [
            _quiz_item(q, n, answers, quiz_errors.get(q.pk, ""))
            for n, q in enumerate(questions, 1)
        ],
        "score": answers.score(questions),
        "playing": False,
        "speed": 1,
    }
    return render(request, "lessons/lesson.html", context, status=status)
