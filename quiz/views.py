"""The quiz of a lesson page: answering a question, resetting the quiz, and the page's quiz region.

Every post works with and without JavaScript: htmx gets the changed regions back, a plain
form post is redirected to the lesson page (POST-redirect-GET), which shows the same."""

from dataclasses import dataclass

from django.contrib import messages
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from learners.identity import DatabaseBusy, Learner
from lessons import views as lesson_views
from lessons.models import QuizQuestion

from .answers import Answers, forget, record
from .forms import AnswerForm, StepForm

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
BUSY = "The site was too busy to record that answer just now. Pick it again in a moment."
BUSY_RESET = "The site was too busy to reset the quiz just now: your answers are still there. Try again in a moment."
NOTE = "quiz"  # the tag of the messages the quiz region shows (after a plain form's redirect)


@dataclass(frozen=True)
class QuizItem:
    question: QuizQuestion
    number: int
    options: list  # (letter, option)
    chosen: object  # the latest answer's option, or None
    error: str = ""


def page_context(request, lesson, errors=None):
    """The lesson page's quiz region: ``quiz`` (a QuizItem per question, in order) and
    ``score``. ``errors`` maps a question's id to why its answer was refused."""
    questions = _questions(lesson)
    answers = Answers(Learner.of(request), questions)
    errors = errors or {}
    return {
        "quiz": [_item(question, number, answers, errors.get(question.pk, "")) for number, question in enumerate(questions, 1)],
        "score": answers.score(),
    }


@require_POST
def answer(request, slug, question_id):
    lesson = lesson_views._lesson(request, slug)
    questions = _questions(lesson)
    question = next((q for q in questions if q.pk == question_id), None)
    if question is None:
        raise Http404("This lesson has no such quiz question.")
    form = AnswerForm(request.POST, lesson, question)
    if "option" in form.errors:
        return _refused(request, lesson, questions, question, form.errors["option"][0], form, status=400)
    try:
        record(Learner.of(request, create=True), question, form.cleaned_data["option"])
    except DatabaseBusy:
        return _refused(request, lesson, questions, question, BUSY, form, status=503)
    if not _is_htmx(request):
        _note_refused_step(request, form)
        return redirect(f"{lesson.get_absolute_url()}{form.step_query()}#question-{question.pk}")
    answers = Answers(Learner.of(request), questions)
    context = {"lesson": lesson, "item": _item(question, questions.index(question) + 1, answers), "score": answers.score()}
    return render(request, "quiz/answered.html", context)


@require_POST
def reset(request, slug):
    """Forget the learner's answers to this lesson's quiz: the score starts again from zero."""
    lesson = lesson_views._lesson(request, slug)
    questions = _questions(lesson)
    learner = Learner.of(request)
    form = StepForm(request.POST, lesson)
    try:
        if learner is not None:
            forget(learner, questions)
    except DatabaseBusy:
        if _is_htmx(request):
            return render(request, "quiz/status.html", {"status": BUSY_RESET}, status=503)
        messages.error(request, BUSY_RESET, extra_tags=NOTE)
        return redirect(f"{lesson.get_absolute_url()}{form.step_query()}#quiz-heading")
    if not _is_htmx(request):
        _note_refused_step(request, form)
        return redirect(f"{lesson.get_absolute_url()}{form.step_query()}#quiz-heading")
    answers = Answers(None, questions)
    context = {
        "lesson": lesson,
        "quiz": [_item(question, number, answers) for number, question in enumerate(questions, 1)],
        "score": answers.score(),
        "status": "Quiz reset: no answers recorded. Score 0 of %d." % len(questions),
    }
    return render(request, "quiz/reset.html", context)


def _refused(request, lesson, questions, question, error, form, status):
    """The question again with why its answer was not recorded; nothing was stored."""
    if _is_htmx(request):
        item = _item(question, questions.index(question) + 1, Answers(Learner.of(request), questions), error)
        return render(request, "quiz/question.html", {"lesson": lesson, "item": item}, status=status)
    step = form.cleaned_data.get("step") if "step" not in form.errors else None
    return lesson_views._lesson_page(
        request, lesson, step="" if step is None else str(step), quiz_errors={question.pk: error}, status=status
    )


def _note_refused_step(request, form):
    """The answer stands, but the page cannot open at a step it does not have: say so there."""
    if "step" in form.errors:
        messages.warning(request, f"{form.errors['step'][0]} The page opened at its default step.", extra_tags=NOTE)


def _item(question, number, answers, error=""):
    return QuizItem(question, number, list(zip(LETTERS, question.options.all())), answers.latest(question), error)


def _questions(lesson):
    """The lesson's questions with their options, fetched once (kept if the page fetched them)."""
    prefetch_related_objects([lesson], Prefetch("quiz_questions", queryset=QuizQuestion.objects.prefetch_related("options")))
    return list(lesson.quiz_questions.all())


def _is_htmx(request):
    return request.headers.get("HX-Request") == "true"
