import pytest
from hypothesis import given, strategies as st

from sgviz.engine import load_scenario
from sgviz.engine.results import Basis, Verdict
from conftest import SEED_SCENARIO
from sgviz.grading import grade_prediction, packet_results, tally

# The seed lesson, step by step: what the engine decides.
SEED_STEPS = [(Verdict.ALLOW, Basis.RULE), (Verdict.ALLOW, Basis.STATE), (Verdict.DROP, Basis.NO_MATCH), (Verdict.DROP, Basis.NO_MATCH)]

SEED_STEP_1 = packet_results(load_scenario(SEED_SCENARIO))[0]


@pytest.fixture
def seed_results(seed_scenario):
    return packet_results(load_scenario(seed_scenario))


def test_the_seed_lessons_steps_are_its_packets(seed_results):
    assert [(result.verdict, result.basis) for result in seed_results] == SEED_STEPS


def test_both_parts_right_is_right(seed_results):
    mark = grade_prediction(seed_results[1], Verdict.ALLOW, Basis.STATE)
    assert mark.verdict_right and mark.basis_right and mark.right


def test_the_right_verdict_for_the_wrong_reason_is_not_right(seed_results):
    # The reply passes by connection state, not by a rule: the web server has no outbound rules.
    mark = grade_prediction(seed_results[1], Verdict.ALLOW, Basis.RULE)
    assert mark.verdict_right and not mark.basis_right and not mark.right


def test_a_wrong_verdict_is_marked_with_the_engines_result(seed_results):
    mark = grade_prediction(seed_results[2], Verdict.ALLOW, Basis.RULE)
    assert not mark.verdict_right
    assert mark.result.verdict == Verdict.DROP and mark.result.explanation.startswith("Dropped")


def test_a_changes_entry_is_not_a_step(seed_scenario):
    seed_scenario["timeline"].insert(1, {"at": 0.5, "change": {"group": "sg-0a1b2c3d4e5f60001", "direction": "egress", "action": "authorize", "permission": {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}}})
    assert len(packet_results(load_scenario(seed_scenario))) == 4


@given(st.lists(st.one_of(st.none(), st.booleans()), max_size=30))
def test_tally_counts_rights_and_the_streak_since_the_last_miss(answers):
    # Step 1 of the seed is allowed by a rule: True predicts that, False predicts "by state".
    marks = [None if answer is None else grade_prediction(SEED_STEP_1, Verdict.ALLOW, Basis.RULE if answer else Basis.STATE) for answer in answers]
    counted = tally(marks)
    given_answers = [answer for answer in answers if answer is not None]
    last_miss = max((index for index, answer in enumerate(given_answers) if not answer), default=-1)
    assert counted.answered == len(given_answers)
    assert counted.right == sum(given_answers)
    assert counted.streak == len(given_answers) - last_miss - 1
    assert counted.streak <= counted.best_streak <= counted.right
