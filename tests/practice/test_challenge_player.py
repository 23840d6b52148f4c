"""The Challenge's reveal shows the lesson player at the revealed step, and nothing of a step
not yet predicted. Every expectation is the engine's own: the whole scenario's walkthrough at
that step, rendered by the same partial, and the engine's results."""

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from conftest import SEED_SLUG
from player import walkthrough
from practice.views import challenge_scenario
from sgviz.engine import dump_scenario
from sgviz.grading import packet_results

CHALLENGE = reverse("practice:challenge", kwargs={"slug": SEED_SLUG})
pytestmark = pytest.mark.django_db


def predict(client, step, htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(reverse("practice:predict", kwargs={"slug": SEED_SLUG, "step": step}), {"verdict": "ALLOW", "basis": "rule"}, headers=headers)


def whole_run(lesson):
    """The engine's view of the whole challenge scenario: its results and its walkthrough."""
    scenario = challenge_scenario(lesson)
    return packet_results(scenario), walkthrough.for_document(dump_scenario(scenario))


def panels_at(steps, number):
    return render_to_string("player/partials/panels.html", {"frame": steps.frame(number), "oob": False})


def chart_nodes(html):
    return set(re.findall(r'data-node="([^"]+)"', html))


def test_before_any_prediction_the_page_tells_no_fate(client, practice_lesson):
    results, steps = whole_run(practice_lesson)
    html = client.get(CHALLENGE).content.decode()
    assert results[0].explanation not in html
    assert steps.frame(1).rules.interfaces[0].outcome is not None  # the engine has an outcome to hide
    assert "rules-outcome" not in html and "flow-state" not in html and not chart_nodes(html)


@pytest.mark.parametrize("htmx", [False, True])
def test_each_reveal_shows_the_player_at_that_step_and_hides_the_next(client, practice_lesson, htmx):
    results, steps = whole_run(practice_lesson)
    for number in range(1, steps.total + 1):
        response = predict(client, number, htmx)
        html = response.content.decode() if htmx else client.get(CHALLENGE).content.decode()
        assert response.status_code == (200 if htmx else 302)
        # The revealed step: the rules panel (its matched rule marked) and the connection table,
        # as the lesson's player shows them at this step of the whole scenario.
        assert panels_at(steps, number) in html
        assert f'data-step="{number}"' in html and f'data-verdict-node="{steps.steps[number - 1].verdict_node}"' in html
        assert results[number - 1].explanation in html
        # Nothing of the steps not yet predicted: their explanations, panels, rows or chart nodes.
        assert chart_nodes(html) == {node for step in steps.steps[:number] for node in step.nodes}
        for later in range(number + 1, steps.total + 1):
            assert results[later - 1].explanation not in html
            assert panels_at(steps, later) not in html
            assert f'data-step="{later}"' not in html
        if htmx:
            (status,) = re.findall(r'<p id="reveal-status"[^>]*>', html)
            assert 'hx-swap-oob="innerHTML"' in status and f"Step {number} revealed" in html
            assert "<html" not in html


def test_a_refused_htmx_prediction_comes_back_swappable_with_its_error(client, practice_lesson):
    response = client.post(reverse("practice:predict", kwargs={"slug": SEED_SLUG, "step": 1}), {"verdict": "ALLOW"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="basis-error"' in html and 'id="challenge-play"' in html
