"""Optional accounts (Django's auth) and the progress page.

Without an account a learner's progress is their browser session's. Signing up or in hands
that session's rows to the account (takeover.take_over), so nothing done before is lost.
"""

from django.contrib.auth import login
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from lessons.models import Lesson
from practice.models import Prediction, ProjectSubmission, ProjectTask, Puzzle, PuzzleAttempt
from practice.views import challenge_scenario
from quiz.models import QuizAnswer
from recall.cards import deck, due_today_count
from sgviz.grading import packet_results

from .identity import Learner, when_not_busy
from .progress import Counts, summarize
from .takeover import take_over

BUSY = "The site was too busy to bring your progress over. Sign in again in a moment: nothing was lost."


def _sign_in_keeping_progress(request, user):
    """Log ``user`` in; the session's rows become theirs. login() gives the session a new key,
    so the old one is read first."""
    session_key = request.session.session_key
    when_not_busy(lambda: take_over(session_key, user))
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")


class SignInView(LoginView):
    template_name = "learners/sign_in.html"

    def form_valid(self, form):
        _sign_in_keeping_progress(self.request, form.get_user())
        return redirect(self.get_success_url())


@require_http_methods(["GET", "POST"])
def sign_up(request):
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _sign_in_keeping_progress(request, form.save())
        return redirect("learners:progress")
    return render(request, "learners/sign_up.html", {"form": form}, status=400 if form.errors else 200)


def progress(request):
    learner = Learner.of(request)
    lessons = [(lesson, summarize(_counts(lesson, learner))) for lesson in Lesson.objects.published().prefetch_related("key_moments", "snapshot_bullets", "modes")]
    return render(request, "learners/progress.html", {"lessons": lessons})


def _counts(lesson, learner):
    """What ``learner`` (None: nobody yet) did in ``lesson``, counted from their rows."""
    mine = (lambda model: learner.records(model)) if learner else (lambda model: model.objects.none())
    answers = mine(QuizAnswer).filter(question__lesson=lesson)
    predictions = mine(Prediction).filter(lesson=lesson)
    puzzles = Puzzle.objects.filter(lesson=lesson)
    attempts = mine(PuzzleAttempt).filter(puzzle__in=puzzles)
    submissions = mine(ProjectSubmission).filter(task__lesson=lesson)
    best = submissions.order_by("-flows_met").values_list("flows_met", "flows_total").first()
    has_challenge = any(mode.mode == "challenge" for mode in lesson.modes.all())
    cards = deck(lesson, learner) if any(mode.mode == "recall" for mode in lesson.modes.all()) else []
    return Counts(
        quiz_answered=answers.count(),
        quiz_right=answers.filter(first_option__is_correct=True).count(),
        quiz_total=lesson.quiz_questions.count(),
        steps_predicted=predictions.count(),
        steps_right=predictions.filter(verdict_right=True, basis_right=True).count(),
        steps_total=len(packet_results(challenge_scenario(lesson))) if has_challenge else 0,
        puzzles_solved=attempts.filter(solved=True).values("puzzle").distinct().count(),
        puzzles_tried=attempts.values("puzzle").distinct().count(),
        puzzles_total=puzzles.count(),
        projects_total=ProjectTask.objects.filter(lesson=lesson).count(),
        project_submissions=submissions.count(),
        project_best_flows=best or (0, 0),
        cards_reviewed=sum(1 for card in cards if card.reviews),
        cards_total=len(cards),
        cards_due_today=due_today_count(cards),
    )
