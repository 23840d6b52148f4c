from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string

import quiz.views
import recall.views

from player import walkthrough
from player.pages import LESSON, player_page, requested_step

from . import mode_pages
from .authored import authored
from .models import Lesson
from .sources import visible_lessons
from .templatetags.markdown import markdown


def index(request):
    lessons = Lesson.objects.published()
    return render(request, "lessons/index.html", {"lessons": lessons})


def lesson(request, slug):
    """The lesson's Visual mode, rendered at one step (``?step=k``; see player.pages.player_page)."""
    return _lesson_page(request, _lesson(request, slug))


def _lesson(request, slug):
    return get_object_or_404(visible_lessons(request.user), slug=slug)



def _lesson_page(request, lesson, step=None, quiz_errors=None, status=200):
    """The Visual mode page at ``step`` (by default the address's ``?step``); ``quiz_errors``
    maps a question's id to why its answer was refused."""
    query = request.GET.copy()
    if step is not None:
        query["step"] = step
    player = player_page(
        walkthrough.for_document(lesson.scenario), query, lesson.get_absolute_url(), f"/ws/lessons/{lesson.slug}/", played=LESSON
    )
    # The authored rows and the regions made of them only, read once per lesson version.
    regions = authored(lesson).regions
    modes = mode_pages.mode_bar(lesson, current="visual")
    context = {
        "lesson": lesson,
        "player": player,
        "frame": player.frame,
        "projector": player.projector,
        "step_error": player.step_error,
        "title": lesson.title,
        "flow_summary": markdown(lesson.flow_summary),
        "table_note": lesson.table_note,
        "modes": modes,
        "authored": regions,
        **quiz.views.page_context(request, lesson, quiz_errors),
        **recall.views.lesson_page_context(request, lesson),
        "playing": False,
        "speed": 1,
    }
    return render(request, "lessons/lesson.html", context, status=status)
