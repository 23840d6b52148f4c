"""The classroom's pure parts, without Django: join codes, the class's state machine, tallies."""

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from classroom import codes, questions, state
from classroom.state import ClassState, Phase

SEED = json.loads((Path(__file__).parents[2] / "examples" / "seed-lesson.json").read_text())


# Join codes -----------------------------------------------------------------------------------


def test_the_alphabet_has_no_look_alikes():
    assert not set("0O1IL") & set(codes.ALPHABET)
    assert len(set(codes.ALPHABET)) == len(codes.ALPHABET)


@given(st.randoms(use_true_random=False))
def test_a_new_code_has_six_characters_of_the_alphabet(rng):
    code = codes.new_code(rng.choice)
    assert len(code) == 6 and set(code) <= set(codes.ALPHABET)
    assert codes.problem(code) == ""


def test_a_typed_code_is_normalised():
    assert codes.normalise(" abc-234 ") == "ABC234"
    assert codes.normalise("ab c2 34") == "ABC234"


@pytest.mark.parametrize(
    "typed, words",
    [("ABC23", "has 6 characters; this one has 5"), ("ABC2345", "this one has 7"), ("ABC10O", "never use 0, O, 1, I or L"), ("ABC23!", "“!”")],
)
def test_a_code_of_the_wrong_shape_says_why(typed, words):
    assert words in codes.problem(codes.normalise(typed))


# The class's state ------------------------------------------------------------------------------

START = ClassState(step=0, total=4)

actions = st.one_of(
    st.builds(state.Step), st.builds(state.Back), st.builds(state.First), st.builds(state.Pause),
    st.builds(state.GoTo, st.integers(0, 4)),
    st.builds(state.Play, st.sampled_from(["a", "b"])), st.builds(state.Tick, st.sampled_from(["a", "b"])),
    st.builds(state.StopClock, st.sampled_from(["a", "b"])),
    st.builds(state.Ask, st.sampled_from(["packet-1", "quiz-1"])),
    st.builds(state.Close), st.builds(state.Reveal), st.builds(state.Dismiss),
)


@given(st.lists(actions, max_size=40))
def test_the_sequence_grows_by_one_exactly_when_the_state_changes(sequence_of_actions):
    current = START
    for action in sequence_of_actions:
        following = state.apply(current, action)
        assert 0 <= following.step <= following.total
        if following == current:
            assert following.sequence == current.sequence
        else:
            assert following.sequence == current.sequence + 1
        assert following.playing == bool(following.clock)
        current = following


def test_moving_stops_autoplay():
    playing = state.apply(START, state.Play("a"))
    assert playing.playing and playing.clock == "a"
    moved = state.apply(playing, state.Step())
    assert (moved.step, moved.playing, moved.clock) == (1, False, "")


def test_only_the_clock_that_started_autoplay_advances_it():
    playing = state.apply(START, state.Play("a"))
    assert state.apply(playing, state.Tick("b")) is playing
    assert state.apply(playing, state.Tick("a")).step == 1
    assert state.apply(playing, state.StopClock("b")) is playing
    assert not state.apply(playing, state.StopClock("a")).playing


def test_autoplay_stops_at_the_last_step_and_starts_over_from_the_end():
    near_end = ClassState(step=3, total=4, playing=True, clock="a")
    ended = state.apply(near_end, state.Tick("a"))
    assert (ended.step, ended.playing) == (4, False)
    assert state.apply(ended, state.Play("a")).step == 0


def test_a_scenario_without_packets_cannot_play():
    empty = ClassState(step=0, total=0)
    assert state.apply(empty, state.Play("a")) is empty


def test_a_question_opens_closes_and_is_revealed():
    asked = state.apply(START, state.Ask("packet-1"))
    assert (asked.question, asked.phase) == ("packet-1", Phase.OPEN)
    closed = state.apply(asked, state.Close())
    assert closed.phase == Phase.CLOSED
    assert state.apply(closed, state.Close()) is closed
    assert state.apply(asked, state.Reveal()).phase == Phase.REVEALED  # revealing closes it too
    assert state.apply(START, state.Reveal()) is START
    assert state.apply(state.apply(closed, state.Reveal()), state.Dismiss()).phase == Phase.NONE


def test_a_step_out_of_range_is_refused():
    with pytest.raises(ValueError):
        state.apply(START, state.GoTo(5))


# Questions and tallies ----------------------------------------------------------------------------


def test_the_packet_questions_answers_are_the_engines_verdict_and_basis():
    asked = questions.packet_questions(SEED)
    assert [(key, question.right) for key, question in asked.items()] == [
        ("packet-1", "allow-rule"), ("packet-2", "allow-state"), ("packet-3", "drop-no-match"), ("packet-4", "drop-no-match"),
    ]
    second = asked["packet-2"]
    assert second.prompt == "Will this packet be allowed, and why?"
    assert second.detail == "Packet 2: 10.0.1.10:80 → 198.51.100.10:50000/tcp (ACK, SYN)"
    assert second.explanation.startswith("Allowed without an outbound rule: reply to the tracked connection")
    assert [option.key for option in second.options] == ["allow-rule", "allow-state", "drop-no-match"]


def test_an_outcome_outside_the_usual_three_is_offered_when_it_is_the_answer(seed_scenario):
    seed_scenario["timeline"] = [{"at": 0, "packet": {"src": "10.0.1.10:50000", "dst": "203.0.113.5:25", "protocol": "tcp", "flags": "SYN"}}]
    seed_scenario["security_groups"][0]["IpPermissionsEgress"] = [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    question = questions.packet_questions(seed_scenario)["packet-1"]
    assert question.right == "drop-blocked"
    assert question.option("drop-blocked").text == "Dropped: EC2 blocks it whatever the rules say"


QUESTION = questions.packet_questions(SEED)["packet-1"]


def test_a_tally_counts_each_voters_choice_and_ignores_strangers():
    result = questions.tally(QUESTION, ["allow-rule", "allow-state", "allow-rule", "not-an-option"])
    assert result.votes == 3
    assert [(row.option.key, row.votes, row.percent, row.right) for row in result.rows] == [
        ("allow-rule", 2, 67, True), ("allow-state", 1, 33, False), ("drop-no-match", 0, 0, False),
    ]
    assert result.most == 2


@given(st.lists(st.sampled_from(["allow-rule", "allow-state", "drop-no-match", "junk"]), max_size=600))
def test_a_tally_never_loses_or_invents_a_vote(choices):
    result = questions.tally(QUESTION, choices)
    assert result.votes == sum(row.votes for row in result.rows) == sum(choice != "junk" for choice in choices)
    assert result.most >= 1


def test_an_empty_tally_draws():
    result = questions.tally(QUESTION, [])
    assert result.votes == 0 and result.most == 1 and all(row.percent == 0 for row in result.rows)


def test_the_pure_modules_import_no_django():
    import subprocess
    import sys

    probe = "import sys, classroom.codes, classroom.state, classroom.questions; print(any(m.startswith('django') for m in sys.modules))"
    output = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=Path(__file__).parents[2])
    assert output.stdout.strip() == "False"


@given(st.lists(st.sampled_from(["allow-rule", "allow-state", "drop-no-match", "junk"]), max_size=600))
def test_a_tally_from_counts_per_choice_equals_the_tally_of_the_choices(choices):
    from collections import Counter

    assert questions.tally(QUESTION, dict(Counter(choices))) == questions.tally(QUESTION, choices)
