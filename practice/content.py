"""Practice content kept as files (practice/content/<lesson-slug>.json): puzzles and projects
for a lesson, loaded into the database idempotently by ``manage.py load_practice``. The admin
stays the editor: loading updates the tasks the files name and leaves every other alone."""

import json
from pathlib import Path

from django.db import transaction

from lessons.models import Lesson, LessonMode

from .models import ProjectTask, Puzzle

CONTENT_DIR = Path(__file__).resolve().parent / "content"
# The mode bar lists only the modes a lesson has (a LessonMode row): loading tasks adds them.
MODE_BODIES = {
    LessonMode.Mode.CHALLENGE: "Predict each step before the engine reveals it, then solve the puzzles.",
    LessonMode.Mode.PROJECT: "Write the security groups of a small application; the engine grades every flow.",
}


def load_practice_content(directory=CONTENT_DIR):
    """Load every content file in ``directory``; returns the number of tasks written."""
    written = 0
    for path in sorted(Path(directory).glob("*.json")):
        written += load_file(path)
    return written


@transaction.atomic
def load_file(path):
    content = json.loads(Path(path).read_text())
    lesson = Lesson.objects.filter(slug=content["lesson"]).first()
    if lesson is None:
        return 0  # as load_modes does: tasks for a lesson that load_lessons has not loaded (yet)
    for order, item in enumerate(content.get("puzzles", [])):
        _put(Puzzle, lesson, item["slug"], order=order, title=item["title"], brief=item["brief"], hints="\n".join(item.get("hints", [])),
             scenario=item["scenario"], goals=item["goals"], constraints=item.get("constraints", []))
    for order, item in enumerate(content.get("projects", [])):
        task = item["task"]
        _put(ProjectTask, lesson, item["slug"], order=order, title=item["title"], brief=item["brief"], scenario=task["scenario"],
             required=task["required"], forbidden=task.get("forbidden", []), review=task.get("review", []))
    if content.get("puzzles"):
        LessonMode.objects.get_or_create(lesson=lesson, mode=LessonMode.Mode.CHALLENGE, defaults={"body": MODE_BODIES[LessonMode.Mode.CHALLENGE]})
    if content.get("projects"):
        LessonMode.objects.get_or_create(lesson=lesson, mode=LessonMode.Mode.PROJECT, defaults={"body": MODE_BODIES[LessonMode.Mode.PROJECT]})
    return len(content.get("puzzles", [])) + len(content.get("projects", []))


def _put(model, lesson, slug, **fields):
    task = model.objects.filter(lesson=lesson, slug=slug).first() or model(lesson=lesson, slug=slug)
    for name, value in fields.items():
        setattr(task, name, value)
    task.save()  # validated by the grader on save
