"""The four explanation modes' pages: the imperative shell around demos, perf and mental_model."""

from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from lessons import mode_pages
from lessons.sources import visible_lessons
from lessons.models import LessonMode

from . import demos, perf, perf_chart
from .mental_model import mental_model
from .models import LearnStep


def _mode_page(request, slug, mode, template, context):
    lesson = get_object_or_404(visible_lessons(request.user), slug=slug)
    lesson_mode = lesson.modes.filter(mode=mode).first()
    if lesson_mode is None:
        raise Http404(f"This lesson has no {LessonMode.Mode(mode).label} mode.")
    context = {
        "lesson": lesson,
        "lesson_mode": lesson_mode,
        "modes": mode_pages.mode_bar(lesson, current=mode),
        "mode_subtitle": LessonMode.Mode(mode).label,
        **context(lesson_mode),
    }
    return render(request, template, context)


# Learn ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildUpItem:
    step: LearnStep
    number: int
    options: list  # (number from 1, text)
    chosen: int | None  # the learner's committed answer, or None while the step is open
    earlier: dict  # the answers before this step, as "a<n>": number (hidden fields of its form)

    @property
    def right(self):
        return self.chosen == self.step.answer


def committed_answers(query, steps):
    """The answers committed so far, in order: ``?a1=2&a2=1`` up to the first missing or
    invalid one (a step opens only once every step before it is answered)."""
    answers = []
    for number, step in enumerate(steps, 1):
        value = query.get(f"a{number}", "")
        if not (value.isascii() and value.isdigit() and 1 <= int(value) <= len(step.options)):
            break
        answers.append(int(value))
    return answers


def learn(request, slug):
    def context(lesson_mode):
        steps = list(lesson_mode.learn_steps.all())
        answers = committed_answers(request.GET, steps)
        shown = steps[: len(answers) + 1]
        items = [
            BuildUpItem(
                step, number, list(enumerate(step.options, 1)),
                answers[number - 1] if number <= len(answers) else None,
                {f"a{n}": answer for n, answer in enumerate(answers[: number - 1], 1)},
            )
            for number, step in enumerate(shown, 1)
        ]
        return {
            "build_up": items,
            "still_closed": len(steps) - len(shown),
            "finished": len(answers) == len(steps),
            "model": mental_model(lesson_mode.lesson.scenario),
        }

    return _mode_page(request, slug, "learn", "modes/learn.html", context)


# Why and Deep -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoView:
    demo: object  # modes.models.Demo
    number: int
    steps: tuple  # demos.DemoStep
    current: int  # the step shown, from 1

    @property
    def shown(self):
        return self.steps[: self.current]

    @property
    def step(self):
        return self.steps[self.current - 1]


def _demo_page(request, slug, mode):
    def context(lesson_mode):
        asked = request.GET.get("demo", "")
        views = []
        for number, demo in enumerate(lesson_mode.demos.all(), 1):
            steps = demos.replay(demo.scenario)
            current = demos.requested_step(request.GET.get("step") if asked == str(number) else None, len(steps))
            views.append(DemoView(demo, number, steps, current))
        return {"demos": views}

    return _mode_page(request, slug, mode, "modes/demos.html", context)


def why(request, slug):
    return _demo_page(request, slug, "why")


def deep(request, slug):
    return _demo_page(request, slug, "deep")


# Perf ---------------------------------------------------------------------------------------


def _choice(value, choices, default):
    return int(value) if value.isascii() and value.isdigit() and int(value) in choices else default


def perf_page(request, slug):
    def context(lesson_mode):
        load_settings = getattr(lesson_mode, "perf_load", None)
        if load_settings is None:
            return {"summary": None}
        timeout = _choice(request.GET.get("timeout", ""), perf.TCP_ESTABLISHED_CHOICES, None)
        load = perf.Load(load_settings.flows, load_settings.flows_per_second, timeout)
        summary = perf.summarise(lesson_mode.engine_scenario, load)
        at = _choice(request.GET.get("at", ""), range(summary.seconds + 1), load.seconds)
        return {
            "summary": summary,
            "chart": perf_chart.chart(summary, at),
            "at": at,
            "at_rows": [(i, i.live[at], i.exceeded_by[at]) for i in summary.instances],
            "timeout": timeout,
            "timeout_choices": perf.TCP_ESTABLISHED_CHOICES,
            "quotas": perf.quota_use(lesson_mode.engine_scenario),
            "plot": perf_chart,  # the plot area's constants, for the SVG frame
        }

    return _mode_page(request, slug, "perf", "modes/perf.html", context)
