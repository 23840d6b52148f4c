"""Signing in takes over the browser session's progress: its rows become the user's.

Where the user already has a row that a unique constraint allows only once, the two are
merged instead of moved: a quiz answer keeps the earlier first answer (the scored one) and
the later latest one; a prediction keeps the earlier (the first one counts); a card's reviews
from both become one history in time order; of two drafts in one workspace (the sandbox, or a
lesson's Try mode) the one changed last is kept. Attempts and submissions have no such
constraint and simply move.
"""

from django.db import transaction

from practice.models import Prediction, ProjectSubmission, PuzzleAttempt
from quiz.models import QuizAnswer
from recall.models import RecallReview
from sandbox.models import Draft

# Numbers above every real review number: a card's merged history is renumbered through them
# so that no intermediate state breaks the one-review-per-number constraint.
RENUMBERING_OFFSET = 1_000_000


def take_over(session_key, user):
    """Give every row of ``session_key`` to ``user`` in one transaction."""
    if not session_key:
        return
    with transaction.atomic():
        _merge_quiz_answers(session_key, user)
        _keep_earlier(Prediction, session_key, user, ("lesson_id", "step"))
        _merge_reviews(session_key, user)
        _keep_later_drafts(session_key, user)
        for model in (QuizAnswer, Prediction, PuzzleAttempt, ProjectSubmission, RecallReview, Draft):
            model.objects.filter(user__isnull=True, session_key=session_key).update(user=user, session_key="")


def _merge_quiz_answers(session_key, user):
    mine = {row.question_id: row for row in QuizAnswer.objects.filter(user=user)}
    for theirs in QuizAnswer.objects.filter(user__isnull=True, session_key=session_key, question_id__in=mine):
        kept = mine[theirs.question_id]
        first = min(kept, theirs, key=lambda row: row.first_answered)
        latest = max(kept, theirs, key=lambda row: row.latest_answered)
        theirs.delete()
        # update(), not save(): save() would stamp latest_answered with now.
        QuizAnswer.objects.filter(pk=kept.pk).update(
            first_option_id=first.first_option_id, first_answered=first.first_answered,
            latest_option_id=latest.latest_option_id, latest_answered=latest.latest_answered,
        )  # fmt: skip


def _keep_earlier(model, session_key, user, keys):
    """For each key both have, delete the later row: the earlier one is the one that counts."""
    mine = {tuple(getattr(row, key) for key in keys): row for row in model.objects.filter(user=user)}
    for theirs in model.objects.filter(user__isnull=True, session_key=session_key):
        kept = mine.get(tuple(getattr(theirs, key) for key in keys))
        if kept is not None:
            (theirs if kept.created <= theirs.created else kept).delete()


def _keep_later_drafts(session_key, user):
    """For each workspace both have a draft in, delete the one changed earlier. The kept one
    gets a version above both: a page still showing either draft (this browser's, or the
    user's other device's) is then stale, so its next save stores nothing over the kept
    draft unseen and offers the choice (sandbox.views._refused)."""
    mine = {row.lesson_id: row for row in Draft.objects.filter(user=user)}
    for theirs in Draft.objects.filter(user__isnull=True, session_key=session_key):
        kept = mine.get(theirs.lesson_id)
        if kept is not None:
            later, earlier = (theirs, kept) if theirs.updated > kept.updated else (kept, theirs)
            earlier.delete()
            Draft.objects.filter(pk=later.pk).update(version=max(kept.version, theirs.version) + 1)


def _merge_reviews(session_key, user):
    theirs = RecallReview.objects.filter(user__isnull=True, session_key=session_key)
    mine = RecallReview.objects.filter(user=user)
    shared = set(theirs.values_list("lesson_id", "card")) & set(mine.values_list("lesson_id", "card"))
    for lesson_id, card in shared:
        history = list((theirs | mine).filter(lesson_id=lesson_id, card=card).order_by("created", "pk"))
        for number, row in enumerate(history):
            RecallReview.objects.filter(pk=row.pk).update(user=user, session_key="", number=RENUMBERING_OFFSET + number)
        for number, row in enumerate(history):
            RecallReview.objects.filter(pk=row.pk).update(number=number)
