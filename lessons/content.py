"""Lessons as content files: content/lessons/<slug>.json, loaded by `manage.py load_lessons`.

A file holds one lesson with all its words: the lesson's fields, its sample lines (with the
step each narrates), key moments, quiz (with each wrong option's "why"), snapshot bullets,
transcript and modes. Its scenario is the engine's document, given inline ("scenario") or
as a path from the project folder ("scenario_file", so the engine's tests read the same copy).

Loading is idempotent and leaves authors' work alone. A lesson missing from the database is
created; one loaded earlier and not saved since is brought up to date with its file; one an
author has saved since (in the admin), or one that did not come from a file at all, is kept
as it is unless ``replace`` asks for the file's version. The admin stays the editor: a file
is where a lesson starts, and the way to ship one; the admin's "Export to content file"
(``export_lesson``) writes an edited lesson back so the edit can be committed: this file, its
modes' files (content/modes/<slug>/) and its practice file (practice/content/<slug>.json).

The format, one JSON object (content/lessons/stateful-security-groups.json is a full example):

- ``slug`` (default: the file's name), then the fields of LESSON_FIELDS (title, topic, minutes,
  summary, published, order, flow_summary, sample_language, sample_summary, table_note, transcript);
- ``scenario`` (the engine's document) or ``scenario_file`` (its path from the project folder);
- ``sample_lines``: ``[{"text", "step"?}]``, the execution sample, each line with the step it narrates;
- ``key_moments``: ``[{"step", "question", "answer"}]``;
- ``quiz``: ``[{"step", "prompt", "hint"?, "explanation"?, "expect"?, "options": [{"text",
  "correct"?, "why"?}]}]``. ``expect`` says what the engine decides at the question's step when
  the question asks about it: any of ``{"verdict": "ALLOW"|"DROP", "basis": "rule"|"state"|"nacl"|
  "no-match"|"capacity"|"exempt"|"blocked", "tracked": true|false|null}`` (the engine's jsonl
  keys, docs/engine.md). The lesson is refused when the engine disagrees, so a quiz answer stays
  true to the scenario; a question the engine cannot decide (a what-if) leaves it out;
- ``snapshot``: the concept snapshot's bullets, as strings;
- ``modes``: ``[{"mode", "body"?, "order"?, "scenario"? | "scenario_file"?}]``, the LessonMode
  rows this file owns (e.g. Try and Recall). Learn, Why, Deep and Perf are the modes app's, in
  content/modes/<slug>/ (``manage.py load_modes``); Challenge and Project rows come with their
  tasks from practice/content/ (``manage.py load_practice``) unless this file names them.
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
            hint=item.get("hint", ""), explanation=item.get("explanation", ""), expect=item.get("expect"),
        )  # fmt: skip
        for position, option in enumerate(item["options"], 1):
            _create(
                QuizOption, question=question, order=position, text=option["text"],
                is_correct=option.get("correct", False), why=option.get("why", ""),
            )  # fmt: skip
    for order, text in enumerate(document.get("snapshot", []), 1):
        _create(SnapshotBullet, lesson=lesson, order=order, text=text)
    for mode in document.get("modes", []):
        # Order 0 unless the file says otherwise, as for the rows the other loaders create: the
        # mode bar then keeps the spec's order (Lesson.mode_bar), whichever loader made a row.
        _create(
            LessonMode, lesson=lesson, order=mode.get("order", 0), mode=mode["mode"], body=mode.get("body", ""),
            scenario=mode.get("scenario"),
        )  # fmt: skip
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


def lesson_document(lesson, scenario_files=None, skip_modes=frozenset()):
    """The lesson as a content file's object, the inverse of ``_store``. ``scenario_files`` maps
    "" (the lesson) or a mode to the scenario_file it keeps referring to; ``skip_modes`` are
    modes whose text is kept elsewhere (the modes app's files)."""
    scenario_files = scenario_files or {}
    document = {"slug": lesson.slug}
    document.update({field: getattr(lesson, field) for field in LESSON_FIELDS})
    document.update(_scenario_entry(lesson.scenario, scenario_files.get("")))
    document["sample_lines"] = [_without_none({"text": line.text, "step": line.step}) for line in lesson.sample_lines.all()]
    document["key_moments"] = [
        {"step": moment.step, "question": moment.question, "answer": moment.answer} for moment in lesson.key_moments.all()
    ]
    document["quiz"] = [
        _without_empty(
            {
                "step": question.step, "prompt": question.prompt, "hint": question.hint,
                "explanation": question.explanation, "expect": question.expect,
                "options": [
                    _without_empty({"text": option.text, "correct": option.is_correct, "why": option.why})
                    for option in question.options.all()
                ],
            }
        )  # fmt: skip
        for question in lesson.quiz_questions.all()
    ]
    document["snapshot"] = [bullet.text for bullet in lesson.snapshot_bullets.all()]
    document["modes"] = [
        _without_empty({"mode": mode.mode, "order": mode.order, "body": mode.body})
        | (_scenario_entry(mode.scenario, scenario_files.get(mode.mode)) if mode.scenario is not None else {})
        for mode in lesson.modes.all()
        if mode.mode not in skip_modes
    ]
    return document


def export_lesson(lesson, folder=None, modes_folder=None, practice_folder=None):
    """Write back everything the loaders read for ``lesson``: folder/<slug>.json in the format
    load_lessons reads, its Learn, Why, Deep and Perf modes to the modes app's files
    (load_modes) and its puzzles and projects to the practice app's file (load_practice).
    A file that already holds what it would be given is not rewritten: a scenario that came
    from a scenario_file (the engine's tests read the seed's), a mode's or the practice file.
    Afterwards the lesson counts as loaded from what was written, so load_lessons finds it
    up to date. Returns the paths written."""
    from modes import content as mode_files  # the modes and practice apps own their files' layout
    from modes.storage import export_modes
    from practice.content import export_practice, recreated_modes

    path = Path(folder or CONTENT_DIR) / f"{lesson.slug}.json"
    previous = json.loads(path.read_text()) if path.exists() else {}
    scenario_files = {"": previous.get("scenario_file")} | {
        mode["mode"]: mode["scenario_file"] for mode in previous.get("modes", []) if "scenario_file" in mode
    }
    written = []
    owners = {"": lesson.scenario} | {mode.mode: mode.scenario for mode in lesson.modes.all()}
    for owner, relative in scenario_files.items():
        if relative and owners.get(owner) is not None:
            written.extend(write_json_if_changed(settings.BASE_DIR / relative, owners[owner]))
    written.extend(export_modes(lesson, modes_folder))
    written.extend(export_practice(lesson, practice_folder))
    skip_modes = frozenset(mode_files.MODES) | recreated_modes(lesson)
    written.extend(write_json_if_changed(path, lesson_document(lesson, scenario_files, skip_modes=skip_modes)))
    _, digest = _read(path)
    Lesson.objects.filter(pk=lesson.pk).update(content_digest=digest, content_loaded=F("updated"))
    return written


def _scenario_entry(scenario, scenario_file):
    return {"scenario_file": scenario_file} if scenario_file else {"scenario": scenario}


def _without_none(item):
    return {key: value for key, value in item.items() if value is not None}


def _without_empty(item):
    """The keys the loader defaults when absent ("", False, None, order 0) are left out."""
    return {key: value for key, value in item.items() if value not in ("", False, None, 0) or key == "step"}


def write_json_if_changed(path, document):
    """Write ``document`` to ``path`` unless the file already holds it (then its formatting is
    kept too); returns [path] when written, else []."""
    path = Path(path)
    if path.exists():
        try:
            if json.loads(path.read_text()) == document:
                return []
        except ValueError:
            pass  # a file that does not parse is replaced
    return [_write_json(path, document)]


def _write_json(path, document):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return path
