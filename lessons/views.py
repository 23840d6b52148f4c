from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string

import quiz.views

from . import walkthrough
from .models import Lesson


READY_MODES = {"visual"}  # the learning modes that have a page; the others are listed as coming soon


def index(request):
    lessons = Lesson.objects.published()
    return render(request, "lessons/index.html", {"lessons": lessons})


def lesson(request, slug):
    """The lesson's Visual mode, rendered at one step (``?step=k``; without it, after the last)."""
    return _lesson_page(request, _lesson(request, slug))


def _lesson(request, slug):
    return get_object_or_404(walkthrough.visible_lessons(request.user), slug=slug)


def _requested_step(value, total):
    """The step asked for in the address, or the last one; a bad value is explained, not fatal."""
    if value is None or value == "":
        return total, None
    if value.isascii() and value.isdigit() and int(value) <= total:
        return int(value), None
    return total, {
        "problem": f"There is no step “{value}” in this lesson.",
        "fix": f"Steps run from 0 to {total}; showing step {total}.",
    }


def _flowchart(lesson, steps, frame, projector):
    """The chart's HTML: about 200 SVG coordinates, the same for everyone at a given step."""
    context = {"lesson": lesson, "lanes": steps.lanes, "frame": frame, "projector": projector}
    return walkthrough.fragment(
        lesson, "flowchart", (frame.number, projector),
        lambda: render_to_string("lessons/partials/flowchart.html", context),
    )


def _lesson_page(request, lesson, step=None, quiz_errors=None, status=200):
    """The Visual mode page at ``step`` (by default the address's ``?step``); ``quiz_errors``
    maps a question's id to why its answer was refused."""
    steps = walkthrough.for_lesson(lesson)
    number, step_error = _requested_step(request.GET.get("step") if step is None else step, steps.total)
    projector = request.GET.get("projector") == "1"
    prefetch_related_objects(
        [lesson],
        "sample_lines",
        "key_moments",
        "snapshot_bullets",
        "modes",
    )
    modes = lesson.mode_bar()
    frame = steps.frame(number)
    context = {
        "lesson": lesson,
        "frame": frame,
        "flowchart": _flowchart(lesson, steps, frame, projector),
        "projector": projector,
        "step_error": step_error,
        "ws_url": f"/ws/lessons/{lesson.slug}/?step={number}",
        "modes": [(mode, label, mode in READY_MODES) for mode, label in modes],
        "modes_ready": sum(mode in READY_MODES for mode, _ in modes),
        **quiz.views.page_context(request, lesson, quiz_errors),
        "playing": False,
        "speed": 1,
    }
    return render(request, "lessons/lesson.html", context, status=status)
