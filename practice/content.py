"""Practice content kept as files (practice/content/<lesson-slug>.json): puzzles and projects
for a lesson, loaded into the database idempotently by ``manage.py load_practice``. The admin
stays the editor: loading updates the tasks the files name and leaves every other alone;
``export_practice`` writes a lesson's tasks back in the same format (the admin's "Export to
content file")."""

import json
from pathlib import Path

from django.db import transaction

from lessons.content import write_json_if_changed
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


def export_practice(lesson, directory=None):
    """Write the lesson's puzzles and projects to directory/<slug>.json, the inverse of
    ``load_file``. What the loader does not read (each task's "solution", which the content
    tests grade) is kept from the file being replaced. A lesson without any task leaves its
    file alone (as a database where load_practice never ran would otherwise empty it).
    Returns the paths written ([] when the file already holds it all)."""
    path = Path(directory or CONTENT_DIR) / f"{lesson.slug}.json"
    previous = json.loads(path.read_text()) if path.exists() else {}
    puzzles = [
        {
            "slug": puzzle.slug, "title": puzzle.title, "brief": puzzle.brief, "hints": puzzle.hints.splitlines(),
            "scenario": puzzle.scenario, "goals": puzzle.goals, "constraints": puzzle.constraints,
        }  # fmt: skip
        for puzzle in Puzzle.objects.filter(lesson=lesson)
    ]
    projects = [
        {
            "slug": project.slug, "title": project.title, "brief": project.brief,
            "task": {"scenario": project.scenario, "required": project.required, "forbidden": project.forbidden, "review": project.review},
        }  # fmt: skip
        for project in ProjectTask.objects.filter(lesson=lesson)
    ]
    if not (puzzles or projects):
        return []
    for kind, tasks in (("puzzles", puzzles), ("projects", projects)):
        kept = {item["slug"]: item for item in previous.get(kind, [])}
        for task in tasks:
            task.update({key: value for key, value in kept.get(task["slug"], {}).items() if key not in task})
    return write_json_if_changed(path, {"lesson": lesson.slug, "puzzles": puzzles, "projects": projects})


def recreated_modes(lesson):
    """The lesson's Challenge and Project rows that load_file makes again from the tasks, as
    they are: the lesson's own content file need not name them."""
    has_tasks = {
        LessonMode.Mode.CHALLENGE: Puzzle.objects.filter(lesson=lesson).exists(),
        LessonMode.Mode.PROJECT: ProjectTask.objects.filter(lesson=lesson).exists(),
    }
    return {
        mode.mode
        for mode in lesson.modes.filter(mode__in=MODE_BODIES)
        if has_tasks[mode.mode] and mode.body == MODE_BODIES[mode.mode] and mode.scenario is None and mode.order == 0
    }
