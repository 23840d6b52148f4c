"""Writing the learner's records once, whatever arrives twice."""

import uuid

from django.db import transaction

from learners.identity import when_not_busy
from .models import Prediction


class KeyOfAnotherLearner(Exception):
    """A form's idempotency key already stored for someone else (a copied form)."""


def predict(learner, lesson, mark, step):
    """Store the learner's prediction of ``step``; a second one for the same step changes
    nothing (the unique constraint lets one insert through; the others read it)."""

    def write():
        with transaction.atomic():
            return Prediction.objects.get_or_create(
                **learner.fields,
                lesson=lesson,
                step=step,
                defaults={
                    "verdict": mark.verdict.value,
                    "basis": mark.basis.value,
                    "verdict_right": mark.verdict_right,
                    "basis_right": mark.basis_right,
                },
            )[0]

    return when_not_busy(write)


def store_once(model, learner, key, groups, **fields):
    """The row for form ``key``: inserted on the first post, read back on every repeat of it.
    The same form sent again with other rules (back, edit, send) is a new submission."""

    def write():
        # get_or_create catches the losing insert's IntegrityError and reads the winner's row.
        with transaction.atomic():
            return model.objects.get_or_create(key=key, defaults={**learner.fields, "groups": groups, **fields})[0]

    row = when_not_busy(write)
    if (row.user_id, row.session_key) != (learner.user_id, learner.session_key):
        raise KeyOfAnotherLearner(key)
    if row.groups != groups:
        return store_once(model, learner, uuid.uuid4(), groups, **fields)
    return row
