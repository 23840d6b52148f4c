"""`manage.py load_modes`: the explanation modes' content files into the database.

Idempotent: running it again leaves the same rows (updated in place, extras removed), so
`make run` calls it after every migrate. A lesson that is not in the database is skipped
with a note (content for a lesson another command has not loaded yet)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from lessons.models import Lesson, LessonMode
from modes import content
from modes.models import Demo, LearnStep, PerfLoad

DEMO_FIELDS = ("title", "claim", "scenario", "source", "source_url")
STEP_FIELDS = ("prompt", "options", "answer", "explanation")


def _replace_children(model, lesson_mode, items, fields):
    """Row n of the mode gets item n; rows past the last item are deleted."""
    for order, item in enumerate(items):
        row = model.objects.filter(lesson_mode=lesson_mode, order=order).first() or model(lesson_mode=lesson_mode, order=order)
        for field in fields:
            setattr(row, field, item.get(field, ""))
        row.full_clean()
        row.save()
    model.objects.filter(lesson_mode=lesson_mode, order__gte=len(items)).delete()


class Command(BaseCommand):
    help = "Load the Learn, Why, Deep and Perf modes from content/modes/ (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        loaded = 0
        for item in content.read():
            lesson = Lesson.objects.filter(slug=item.lesson_slug).first()
            if lesson is None:
                self.stdout.write(f"skipped content/modes/{item.lesson_slug}/{item.mode}: no lesson {item.lesson_slug!r}")
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
        self.stdout.write(f"load_modes: {loaded} modes loaded")
