"""A lesson's authored content, read and rendered once per version of the lesson.

The lesson page shows rows an author writes in the admin (sample lines, key moments, the
quiz's questions and options, snapshot bullets, modes): six queries, and three regions
(key moments, snapshot, transcript) that depend on nothing but those rows. They are kept
here per process, keyed by the lesson's pk and its ``updated`` timestamp, which the page
reads fresh from the database on every request: any save of the lesson moves ``updated``,
and so does any save or deletion of one of its rows (the signals below), so an edit shows
at once, in every process. The quiz's answers, its form and the step-dependent regions are
still rendered per request.
"""

from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock

from django.db.models import Prefetch, prefetch_related_objects
from django.db.models.signals import post_delete, post_save
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from .models import KeyMoment, Lesson, LessonMode, QuizOption, QuizQuestion, SampleLine, SnapshotBullet

CACHE_SIZE = 64  # lesson versions kept per process
RELATIONS = ("sample_lines", "key_moments", "snapshot_bullets", "modes", "quiz_questions")
REGIONS = {
    "key_moments": "lessons/partials/key_moments.html",
    "snapshot": "lessons/partials/snapshot.html",
    "transcript": "lessons/partials/transcript.html",
}


@dataclass(frozen=True)
class Authored:
    rows: dict[str, tuple]  # relation name -> its rows, in order (questions with their options)
    regions: dict[str, SafeString]  # REGIONS' names -> their HTML


_versions: OrderedDict[tuple, Authored] = OrderedDict()
_lock = Lock()


def authored(lesson: Lesson) -> Authored:
    """The lesson's authored rows and regions, attached to ``lesson`` as if prefetched (so
    ``lesson.key_moments.all()`` and the quiz read them without a query)."""
    key = (lesson.pk, lesson.updated)
    with _lock:
        found = _versions.get(key)
        if found is not None:
            _versions.move_to_end(key)
    if found is None:
        found = _read(lesson)
        with _lock:
            _versions[key] = found
            while len(_versions) > CACHE_SIZE:
                _versions.popitem(last=False)
    _attach(lesson, found.rows)
    return found


def forget_all():
    """Empty the cache (tests compare a page built from the database with a cached one)."""
    with _lock:
        _versions.clear()


def _read(lesson):
    prefetch_related_objects(
        [lesson],
        *RELATIONS[:-1],
        Prefetch("quiz_questions", queryset=QuizQuestion.objects.prefetch_related("options")),
    )
    rows = {name: tuple(getattr(lesson, name).all()) for name in RELATIONS}
    regions = {name: mark_safe(render_to_string(template, {"lesson": lesson})) for name, template in REGIONS.items()}
    return Authored(rows, regions)


def _attach(lesson, rows):
    """Put the rows in the lesson's prefetch cache, the way prefetch_related_objects does."""
    cache = lesson.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, found in rows.items():
        if name in cache:
            continue
        queryset = getattr(lesson, name).get_queryset()
        queryset._result_cache = list(found)
        queryset._prefetch_done = True
        cache[name] = queryset


def _row_changed(sender, instance, **kwargs):
    """A row of a lesson was saved or deleted, in the lesson's form or elsewhere (the quiz
    question admin, the content loader, the shell): the lesson's version moves on."""
    lessons = Lesson.objects.filter(quiz_questions=instance.question_id) if sender is QuizOption else Lesson.objects.filter(pk=instance.lesson_id)
    lessons.update(updated=timezone.now())


def connect_signals():
    """Called from LessonsConfig.ready, so that every process (the site, manage.py commands) bumps versions."""
    for model in (SampleLine, KeyMoment, SnapshotBullet, LessonMode, QuizQuestion, QuizOption):
        post_save.connect(_row_changed, sender=model, dispatch_uid=f"authored-{model.__name__}-saved")
        post_delete.connect(_row_changed, sender=model, dispatch_uid=f"authored-{model.__name__}-deleted")
