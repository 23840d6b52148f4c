"""The player's state machine, pure: no database, no socket."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from player import machine
from player.machine import ACTIONS, BadMessage, PlayerState


def act(state, message):
    return machine.parse(json.dumps(message), state.total).apply(state)


@pytest.mark.parametrize(
    "start, message, expected",
    [
        (PlayerState(1, 4), {"action": "step"}, PlayerState(2, 4)),
        (PlayerState(4, 4), {"action": "step"}, PlayerState(4, 4)),
        (PlayerState(0, 4), {"action": "back"}, PlayerState(0, 4)),
        (PlayerState(3, 4, playing=True), {"action": "back"}, PlayerState(2, 4)),
        (PlayerState(0, 4), {"action": "goto", "step": 3}, PlayerState(3, 4)),
        (PlayerState(0, 4), {"action": "goto", "step": "3"}, PlayerState(3, 4)),
        (PlayerState(2, 4), {"action": "reset"}, PlayerState(0, 4)),
        (PlayerState(2, 4), {"action": "last"}, PlayerState(4, 4)),
        (PlayerState(2, 4), {"action": "play"}, PlayerState(2, 4, playing=True)),
        (PlayerState(4, 4), {"action": "play"}, PlayerState(0, 4, playing=True)),
        (PlayerState(0, 0), {"action": "play"}, PlayerState(0, 0)),
        (PlayerState(2, 4, playing=True), {"action": "pause"}, PlayerState(2, 4)),
        (PlayerState(2, 4, playing=True), {"action": "toggle"}, PlayerState(2, 4)),
        (PlayerState(2, 4), {"action": "toggle"}, PlayerState(2, 4, playing=True)),
        (PlayerState(2, 4, playing=True), {"action": "speed", "speed": 2}, PlayerState(2, 4, playing=True, speed=2.0)),
    ],
)
def test_each_action_gives_the_next_state(start, message, expected):
    assert act(start, message) == expected


def test_autoplay_ticks_forward_and_stops_at_the_end():
    state = PlayerState(2, 4, playing=True, speed=2.0)
    assert machine.tick(state) == PlayerState(3, 4, playing=True, speed=2.0)
    assert machine.tick(PlayerState(3, 4, playing=True)) == PlayerState(4, 4)
    assert machine.tick(PlayerState(1, 4)) == PlayerState(1, 4)
    assert machine.autoplay_delay(state) == machine.AUTOPLAY_SECONDS / 2


@pytest.mark.parametrize(
    "message",
    [
        '{"action": []}',
        '{"action": {}}',
        '{"action": "goto", "step": ' + "9" * 309 + "}",
        '{"action": "speed", "speed": ' + "9" * 309 + "}",
        '{"action": "goto", "step": 1e309}',
        '{"action": "goto", "step": "' + "9" * 5000 + '"}',
        '{"action": "\\ud800"}',
        '{"action": "goto", "\\udfff": 1}',
        "\ud800",
    ],
)
def test_hostile_messages_are_refused_with_sendable_words(message):
    with pytest.raises(BadMessage) as refused:
        machine.parse(message, 4)
    words = f"{refused.value.problem} {refused.value.fix}"
    words.encode("utf-8")  # a lone surrogate here would crash the send
    assert len(words) < 300


def test_the_constants_for_the_page_come_from_the_one_definition():
    constants = machine.client_constants()
    assert constants["speeds"] == " ".join(f"{speed:g}" for speed in machine.SPEEDS)
    assert float(constants["autoplay-seconds"]) == machine.AUTOPLAY_SECONDS
    assert int(constants["messages-per-second"]) == machine.MESSAGES_PER_SECOND


def test_the_usage_of_an_action_names_its_argument():
    assert ACTIONS["goto"].usage() == 'Send {"action": "goto", "step": 2}.'
    assert ACTIONS["step"].usage() == 'Send {"action": "step"}.'


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@given(
    step=st.integers(0, 30),
    extra=st.integers(0, 30),
    message=st.fixed_dictionaries({"action": st.sampled_from(sorted(ACTIONS)) | json_values}, optional={"step": json_values, "speed": json_values}),
)
def test_any_message_gives_a_valid_state_or_a_clear_refusal(step, extra, message):
    state = PlayerState(step, step + extra)
    try:
        text = json.dumps(message)
    except ValueError:
        return
    try:
        action = machine.parse(text, state.total)
    except BadMessage as bad:
        f"{bad.problem} {bad.fix}".encode("utf-8")
        return
    new = action.apply(state)
    assert 0 <= new.step <= new.total == state.total
    assert new.speed in machine.SPEEDS or new.speed == state.speed
