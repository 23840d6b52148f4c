"""Lessons as content files: content/lessons/<slug>.json, loaded by `manage.py load_lessons`.

A file holds one lesson with all its words: the lesson's fields, its sample lines (with the
step each narrates), key moments, quiz (with each wrong option's "why"), snapshot bullets,
transcript and modes. Its scenario is the engine's document, given inline ("scenario") or
as a path from the project folder ("scenario_file", so the engine's tests read the same copy).

Loading is idempotent and leaves authors' work alone. A lesson missing from the database is
created; one loaded earlier and not saved since is brought up to date with its file; one an
author has saved since (in the admin), or one that did not come from a file at all, is kept
as it is unless ``replace`` asks for the file's version. The admin stays the editor: a file
is where a lesson starts, and the way to ship one.
"""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from .models import KeyMoment, Lesson, LessonMode, QuizOption, QuizQuestion, SampleLine, SnapshotBullet

CONTENT_DIR = settings.BASE_DIR / "content" / "lessons"
LESSON_FIELDS = [
    "title", "topic", "minutes", "summary", "published", "order",
    "flow_summary", "sample_language", "sample_summary", "table_note", "transcript",
]  # fmt: skip


class ContentError(Exception):
    """A content file that cannot be loaded; the message names the file and the place."""


@dataclass(frozen=True)
class Outcome:
    slug: str
    action: str  # created, updated, replaced, up to date, kept

    def __str__(self):
        return f"{self.slug}: {self.action}"


def lesson_files(folder=CONTENT_DIR):
    return sorted(Path(folder).glob("*.json"))


def load_lessons(files=None, replace=False):
    """Load every content file (by default all of content/lessons/); one Outcome a file."""
    return [load_lesson(path, replace) for path in (lesson_files() if files is None else files)]


def load_lesson(path, replace=False):
    path = Path(path)
    document, digest = _read(path)
    slug = document.get("slug") or path.stem
    lesson = Lesson.objects.filter(slug=slug).first()
    if lesson is None:
        action = "created"
    elif replace:
        action = "replaced"
    elif lesson.content_loaded is None:
        return Outcome(slug, "kept: it was not loaded from a content file (load with --replace to overwrite it)")
    elif lesson.updated > lesson.content_loaded:
        return Outcome(slug, "kept: edited since it was loaded (load with --replace to overwrite the edits)")
    elif lesson.content_digest == digest:
        return Outcome(slug, "up to date")
    else:
        action = "updated"
    try:
        with transaction.atomic():
            _store(lesson or Lesson(slug=slug), document, digest)
    except (ValidationError, KeyError, TypeError, ValueError) as error:
        raise ContentError(f"{path}: {_describe(error)}") from None
    return Outcome(slug, action)


def _read(path):
    """The file's document and the digest of everything it loads (its scenario file too)."""
    try:
        raw = path.read_bytes()
        document = json.loads(raw)
    except (OSError, ValueError) as error:
        raise ContentError(f"{path}: {error}") from None
    if not isinstance(document, dict):
        raise ContentError(f"{path}: a lesson file holds one JSON object {{...}}")
    digest = hashlib.sha256(raw)
    for owner in [document, *document.get("modes", [])]:
        if "scenario_file" in owner:
            scenario_path = settings.BASE_DIR / owner["scenario_file"]
            try:
                scenario_raw = scenario_path.read_bytes()
                owner["scenario"] = json.loads(scenario_raw)
            except (OSError, ValueError) as error:
                raise ContentError(f"{path}: scenario_file {owner['scenario_file']}: {error}") from None
            digest.update(scenario_raw)
    return document, digest.hexdigest()


def _store(lesson, document, digest):
    for field in LESSON_FIELDS:
        if field in document:
            setattr(lesson, field, document[field])
    lesson.scenario = document["scenario"]
    lesson.full_clean()
    lesson.save()
    for related in (lesson.sample_lines, lesson.key_moments, lesson.quiz_questions, lesson.snapshot_bullets, lesson.modes):
        related.all().delete()
    for order, line in enumerate(document.get("sample_lines", []), 1):
        _create(SampleLine, lesson=lesson, order=order, text=line["text"], step=line.get("step"))
    for order, moment in enumerate(document.get("key_moments", []), 1):
        _create(KeyMoment, lesson=lesson, order=order, step=moment["step"], question=moment["question"], answer=moment["answer"])
    for order, item in enumerate(document.get("quiz", []), 1):
        question = _create(
            QuizQuestion, lesson=lesson, order=order, step=item["step"], prompt=item["prompt"],
            hint=item.get("hint", ""), explanation=item.get("explanation", ""),
        )  # fmt: skip
        for position, option in enumerate(item["options"], 1):
            _create(
                QuizOption, question=question, order=position, text=option["text"],
                is_correct=option.get("correct", False), why=option.get("why", ""),
            )  # fmt: skip
    for order, text in enumerate(document.get("snapshot", []), 1):
        _create(SnapshotBullet, lesson=lesson, order=order, text=text)
    for order, mode in enumerate(document.get("modes", []), 1):
        _create(LessonMode, lesson=lesson, order=order, mode=mode["mode"], body=mode.get("body", ""), scenario=mode.get("scenario"))
    # The lesson's `updated` as of now: a later save by an author moves past it.
    Lesson.objects.filter(pk=lesson.pk).update(content_digest=digest, content_loaded=F("updated"))


def _create(model, **fields):
    """A row checked as the admin checks it (field limits, steps within the scenario)."""
    row = model(**fields)
    row.full_clean()
    row.save()
    return row


def _describe(error):
    if isinstance(error, ValidationError) and hasattr(error, "message_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    if isinstance(error, KeyError):
        return f"missing {error}"
    return str(error)
