"""Demo replays and the content files (plain pytest, no database)."""

import pytest

from modes import content, demos
from modes.mental_model import mental_model
from sgviz.engine import validate_scenario
from sgviz.engine.results import Basis, Verdict

ALL_ITEMS = content.read()
# The seed lesson's modes, whose counts below are its brief; every lesson's demos are checked in tests/test_content.py.
ITEMS = [item for item in ALL_ITEMS if item.lesson_slug == "stateful-security-groups"]
DEMOS = [(item.mode, demo) for item in ALL_ITEMS for demo in item.parts.get("demos", [])]


def test_the_seed_replays_as_the_engine_judges_it(seed_scenario):
    steps = demos.replay(seed_scenario)
    assert [(s.verdict, s.basis) for s in steps] == [
        (Verdict.ALLOW, Basis.RULE), (Verdict.ALLOW, Basis.STATE), (Verdict.DROP, Basis.NO_MATCH), (Verdict.DROP, Basis.NO_MATCH),
    ]
    assert [len(s.table) for s in steps] == [1, 1, 1, 1]  # recorded at step 1, nothing added after
    assert steps[1].table[0].state == "established"


@pytest.mark.parametrize("value, expected", [(None, 4), ("", 4), ("2", 2), ("0", 4), ("5", 4), ("x", 4), ("²", 4)])
def test_a_demo_opens_at_the_step_asked_for_or_whole(value, expected):
    assert demos.requested_step(value, 4) == expected


@pytest.mark.parametrize("mode, demo", DEMOS, ids=[demo["title"] for _, demo in DEMOS])
def test_every_demo_is_a_valid_scenario_with_a_source(mode, demo):
    assert validate_scenario(demo["scenario"]).faults == ()
    assert demo["source"] and demo["claim"] and demo["title"]
    assert demos.replay(demo["scenario"])  # at least one step to show


def test_every_why_and_deep_mode_has_demos_and_every_body_names_its_sources():
    modes = {item.mode: item for item in ITEMS}
    assert len(modes["why"].parts["demos"]) >= 3 and len(modes["deep"].parts["demos"]) >= 6
    for item in ITEMS:
        assert "Amazon EC2 security group connection tracking" in " ".join(item.body.split()), item.mode  # titles may wrap across lines


def test_every_build_up_step_has_its_answer_among_its_options():
    steps = next(item for item in ITEMS if item.mode == "learn").parts["steps"]
    assert len(steps) >= 3
    for step in steps:
        assert 1 <= step["answer"] <= len(step["options"])


def test_the_mental_model_is_the_seed_connection_and_its_reply(seed_scenario):
    model = mental_model(seed_scenario)
    assert model.entry == "198.51.100.10:50000 → 10.0.1.10:80/tcp"
    assert model.reply == "10.0.1.10:80 → 198.51.100.10:50000/tcp" and "reply to the tracked connection" in model.reply_why
