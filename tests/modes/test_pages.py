"""The four mode pages through Django's test client, with the content loaded by load_modes."""

import re

import pytest
from django.core.management import call_command
from django.utils.html import escape

from conftest import SEED_SLUG
from lessons import mode_pages
from lessons.models import LessonMode
from modes import demos, perf
from modes.apps import MODES
from modes.models import Demo, LearnStep, PerfLoad

BASE = f"/lessons/{SEED_SLUG}"


@pytest.fixture
def modes_loaded(seed_lesson):
    call_command("load_modes")
    return seed_lesson


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_load_modes_is_idempotent(modes_loaded):
    counts = lambda: [m.objects.count() for m in (LessonMode, Demo, LearnStep, PerfLoad)]  # noqa: E731
    first = counts()
    call_command("load_modes")
    assert counts() == first and LessonMode.objects.filter(mode__in=MODES).count() == len(MODES)


@pytest.mark.parametrize("mode", MODES)
def test_each_mode_page_shows_the_header_and_marks_itself_in_the_mode_bar(client, modes_loaded, mode):
    html = page(client, f"{BASE}/{mode}/")
    assert modes_loaded.title in html
    label = LessonMode.Mode(mode).label
    assert f'<a class="mode is-active" href="{BASE}/{mode}/" aria-current="page">{label}</a>' in html
    bar = re.findall(r'<a class="mode[^"]*" href="([^"]+)"', html)
    # Only the modes the lesson has, in the spec's order (learning-modes.md), Visual among them;
    # its other modes (the content file's Try and Recall) are linked once their apps have pages.
    offered = [mode for mode in LessonMode.Mode if mode == "visual" or modes_loaded.modes.filter(mode=mode).exists()]
    ready = [mode for mode in offered if mode_pages.is_ready(mode)]
    assert {"learn", "why", "deep", "visual", "perf"} <= set(ready)
    assert bar == [f"{BASE}/" if mode == "visual" else f"{BASE}/{mode}/" for mode in ready]
    assert f"{len(ready)} of {len(offered)} modes ready" in html


def test_a_mode_the_lesson_does_not_have_is_not_found(client, seed_lesson):
    assert client.get(f"{BASE}/learn/").status_code == 404


def test_learn_opens_one_step_at_a_time_as_answers_are_committed(client, modes_loaded):
    steps = list(LearnStep.objects.order_by("order"))
    for step in steps:
        step.prompt = escape(step.prompt)  # as the page prints it
    html = page(client, f"{BASE}/learn/")
    assert steps[0].prompt in html and steps[1].prompt not in html
    assert f"{len(steps) - 1} more steps open once you commit" in html
    html = page(client, f"{BASE}/learn/?a1={steps[0].answer}")
    assert "Right:" in html and steps[1].prompt in html and steps[2].prompt not in html
    assert '<input type="hidden" name="a1" value="%d">' % steps[0].answer in html  # kept by the next form
    wrong = 1 if steps[0].answer != 1 else 2
    assert "Not this one:" in page(client, f"{BASE}/learn/?a1={wrong}")
    every = "&".join(f"a{n}={s.answer}" for n, s in enumerate(steps, 1))
    assert "That is the whole build-up" in page(client, f"{BASE}/learn/?{every}")
    assert steps[1].prompt not in page(client, f"{BASE}/learn/?a1=99")  # not an option: nothing committed


@pytest.mark.parametrize("mode", ["why", "deep"])
def test_each_demo_shows_the_engine_verdict_and_explanation_of_every_step(client, modes_loaded, mode):
    html = page(client, f"{BASE}/{mode}/")
    lesson_mode = modes_loaded.modes.get(mode=mode)
    for demo in lesson_mode.demos.all():
        assert demo.title in html and demo.source in html
        for step in demos.replay(demo.scenario):
            assert escape(step.explanation) in html


def test_a_demo_steps_through_links_without_javascript(client, modes_loaded):
    html = page(client, f"{BASE}/deep/?demo=1&step=1")
    first = html[html.index('id="demo-1"'): html.index('id="demo-2"')]
    assert "Step 1 of 3" in first and 'aria-current="step"' in first
    assert f'href="{BASE}/deep/?demo=1&amp;step=2#demo-1"' in first
    second = html[html.index('id="demo-2"'):]
    assert "Step 3 of 3" in second  # the other demos stay whole


def test_perf_shows_the_engine_run_of_its_load(client, modes_loaded):
    html = page(client, f"{BASE}/perf/?timeout=350&at=100")
    lesson_mode = modes_loaded.modes.get(mode="perf")
    summary = perf.summarise(lesson_mode.engine_scenario, perf.Load(100_000, 250, 350))
    tracked = summary.instances[0]
    assert tracked.exceeded > 0 and summary.instances[1].untracked == 50_000
    row = re.search(r"<tr><th scope=\"row\">tracked server</th>(.*?)</tr>", html).group(1)
    cells = re.findall(r"<td>(?:<span aria-hidden=\"true\">✗</span> )?([^<]*)</td>", row)
    assert cells == [str(tracked.flows), str(tracked.tracked), "0", str(tracked.exceeded), f"{tracked.live[100]} of 40000", str(tracked.exceeded_by[100])]
    assert "<polyline" in html and "conntrack_allowance_exceeded" in html
    assert '<option value="350" selected>' in html


def test_perf_ignores_a_time_control_value_it_does_not_offer(client, modes_loaded):
    html = page(client, f"{BASE}/perf/?timeout=59&at=-3")
    assert '<option value="" selected>' in html and 'value="400" aria-describedby' in html


def test_each_mode_page_is_subtitled_with_its_mode(client, seed_lesson):
    from lessons import mode_pages

    for link in mode_pages.mode_bar(seed_lesson, current="visual").links:
        if link.href and link.mode not in ("visual", "try"):  # Try opens the sandbox, a page of its own
            html = client.get(link.href, follow=True).content.decode()
            assert f'<span class="lesson-subtitle"> - {link.label}</span>' in html, link.mode
