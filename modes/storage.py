"""The explanation modes' content files (content/modes/<lesson-slug>/, read by modes.content)
to the database and back: ``load_modes`` is what `manage.py load_modes` runs, and
``export_modes`` writes a lesson's Learn, Why, Deep and Perf modes back in the same format,
so that loading what it wrote gives the same rows."""

from pathlib import Path

from django.db import transaction

from lessons.content import write_json_if_changed
from lessons.models import Lesson, LessonMode

from . import content
from .models import Demo, LearnStep, PerfLoad

DEMO_FIELDS = ("title", "claim", "scenario", "source", "source_url")
STEP_FIELDS = ("prompt", "options", "answer", "explanation")
LOAD_FIELDS = ("flows", "flows_per_second")


@transaction.atomic
def load_modes(folder=None):
    """Every mode file under ``folder`` (content/modes/ by default) into its lesson's rows.
    Returns (modes loaded, notes on the files skipped)."""
    loaded, skipped = 0, []
    for item in content.read(Path(folder or content.CONTENT)):
        lesson = Lesson.objects.filter(slug=item.lesson_slug).first()
        if lesson is None:
            skipped.append(f"skipped content/modes/{item.lesson_slug}/{item.mode}: no lesson {item.lesson_slug!r}")
            continue
        lesson_mode, _ = LessonMode.objects.update_or_create(
            lesson=lesson, mode=item.mode, defaults={"body": item.body, "scenario": item.parts.get("scenario")}
        )
        _replace_children(LearnStep, lesson_mode, item.parts.get("steps", []), STEP_FIELDS)
        _replace_children(Demo, lesson_mode, item.parts.get("demos", []), DEMO_FIELDS)
        load = item.parts.get("load")
        if load:
            PerfLoad.objects.update_or_create(lesson_mode=lesson_mode, defaults=load)
        else:
            PerfLoad.objects.filter(lesson_mode=lesson_mode).delete()
        loaded += 1
    return loaded, skipped


def _replace_children(model, lesson_mode, items, fields):
    """Row n of the mode gets item n; rows past the last item are deleted."""
    for order, item in enumerate(items):
        row = model.objects.filter(lesson_mode=lesson_mode, order=order).first() or model(lesson_mode=lesson_mode, order=order)
        for field in fields:
            setattr(row, field, item.get(field, ""))
        row.full_clean()
        row.save()
    model.objects.filter(lesson_mode=lesson_mode, order__gte=len(items)).delete()


def mode_parts(lesson_mode):
    """The <mode>.json object of a mode, the inverse of what load_modes reads from it."""
    parts = {}
    steps = [{field: getattr(step, field) for field in STEP_FIELDS} for step in lesson_mode.learn_steps.all()]
    demos = [{field: getattr(demo, field) for field in DEMO_FIELDS} for demo in lesson_mode.demos.all()]
    if steps:
        parts["steps"] = steps
    if demos:
        parts["demos"] = demos
    if lesson_mode.scenario is not None:
        parts["scenario"] = lesson_mode.scenario
    load = PerfLoad.objects.filter(lesson_mode=lesson_mode).first()
    if load is not None:
        parts["load"] = {field: getattr(load, field) for field in LOAD_FIELDS}
    return parts


def export_modes(lesson, folder=None):
    """Write the lesson's Learn, Why, Deep and Perf modes to folder/<slug>/<mode>.md and
    <mode>.json. A file whose content is already what it would hold is left as it is (its
    formatting too), so exporting an unedited lesson writes nothing. Returns the paths written."""
    lesson_folder = Path(folder or content.CONTENT) / lesson.slug
    written = []
    for lesson_mode in lesson.modes.filter(mode__in=content.MODES):
        body = lesson_folder / f"{lesson_mode.mode}.md"
        if not body.exists() or body.read_text() != lesson_mode.body:
            body.parent.mkdir(parents=True, exist_ok=True)
            body.write_text(lesson_mode.body)
            written.append(body)
        parts_path = lesson_folder / f"{lesson_mode.mode}.json"
        parts = mode_parts(lesson_mode)
        # No file reads as {}: a mode with nothing but a body needs none.
        if parts or parts_path.exists():
            written.extend(write_json_if_changed(parts_path, parts))
    return written

