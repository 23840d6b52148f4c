"""Recall at /lessons/<slug>/recall/: one due card at a time, its answer behind a disclosure,
four rating buttons. Plain forms and POST-redirect-GET: works without JavaScript."""

from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from learners.identity import DatabaseBusy, Learner, when_not_busy
from lessons import mode_pages
from lessons.models import LessonMode
from lessons.sources import visible_lessons
from sgviz.recall import Rating

from .cards import deck, due_now, due_today_count
from .forms import ReviewForm
from .models import RecallReview

BUSY = "The site is busy and your review was not recorded. Rate the card again."


def _lesson(request, slug):
    return get_object_or_404(visible_lessons(request.user).prefetch_related("key_moments", "snapshot_bullets"), slug=slug)


def recall(request, slug, form=None, status=200):
    lesson = _lesson(request, slug)
    cards = deck(lesson, Learner.of(request))
    now = timezone.now()
    due = due_now(cards, now)
    context = {
        "lesson": lesson,
        "modes": mode_pages.mode_bar(lesson, current="recall"),
        "mode_subtitle": "Recall",
        "card": due[0] if due else None,
        "due_count": len(due),
        "due_today": due_today_count(cards, now),
        "next_due": min((card.due_at for card in cards if card.due_at), default=None),
        "now": now,
        "cards": cards,
        "ratings": list(Rating),
        "form": form,
    }
    return render(request, "recall/recall.html", context, status=status)


@require_POST
def review(request, slug):
    lesson = _lesson(request, slug)
    learner = Learner.of(request, create=True)
    form = ReviewForm(request.POST, deck(lesson, learner))
    if not form.is_valid():
        return recall(request, slug, form=form, status=400)
    card, number = form.cleaned_data["card"], form.cleaned_data["number"]

    def write():
        # The unique constraint lets one insert of this number through; a repeat reads it back.
        with transaction.atomic():
            RecallReview.objects.get_or_create(
                **learner.fields, lesson=lesson, card=card.key, number=number, defaults={"rating": form.cleaned_data["rating"]}
            )

    try:
        when_not_busy(write)
    except DatabaseBusy:
        form.add_error(None, BUSY)
        return recall(request, slug, form=form, status=503)
    return redirect(reverse("recall:recall", kwargs={"slug": slug}) + "#card")


def lesson_page_context(request, lesson):
    """The lesson page's one line about Recall: how many cards are due today (only for a
    lesson that offers Recall)."""
    if not any(mode.mode == LessonMode.Mode.RECALL for mode in lesson.modes.all()):
        return {}
    return {"recall_due_today": due_today_count(deck(lesson, Learner.of(request)))}
