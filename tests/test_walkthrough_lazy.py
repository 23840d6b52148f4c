"""A walkthrough's steps are worded when first read (player.walkthrough.build): whatever
order they are read in, they are the same steps, and a frame reads only the steps up to its own.
Its panels are made when first read too, and only the last made are kept."""

import gc

from hypothesis import assume, given

from benchmarks._scenarios import big_scenario
from player import walkthrough
from sgviz.engine import dump_scenario, validate_scenario
from sgviz.narration.rules import RulesPanel
from sgviz.narration.timeline import PANELS_KEPT
from tests.engine import test_properties as engine_properties
from tests.support.strategies import generated, mixed_scenario, timelines


def steps_read_backwards(document):
    steps = walkthrough.build(document).steps
    return tuple(reversed([steps[index] for index in reversed(range(len(steps)))]))


def assert_same_whatever_the_order(document):
    in_order = walkthrough.build(document)
    backwards = walkthrough.build(document)
    assert steps_read_backwards(document) == tuple(in_order.steps)
    for number in reversed(range(backwards.total + 1)):  # each frame first reads its own step
        assert backwards.frame(number).tracker == in_order.frame(number).tracker
        assert backwards.frame(number).caption == in_order.frame(number).caption
        assert backwards.frame(number).rows == in_order.frame(number).rows


@given(engine_properties.worlds(), timelines())
def test_steps_read_in_any_order_are_the_same_steps(world, items):
    document = dump_scenario(generated(world, items))
    # The generated worlds are engine objects; a few do not round-trip through a document
    # (the engine's own tests build them directly), and only documents are played.
    assume(validate_scenario(document).scenario is not None)
    assert_same_whatever_the_order(document)


def test_the_mixed_scenario_with_changes_before_and_after_packets_reads_the_same_in_any_order():
    assert_same_whatever_the_order(dump_scenario(mixed_scenario()))


def test_a_frame_words_only_the_steps_up_to_its_own(monkeypatch):
    worded = []
    make = walkthrough._step
    monkeypatch.setattr(walkthrough, "_step", lambda told, nodes, labels: worded.append(told.number) or make(told, nodes, labels))
    steps = walkthrough.build(dump_scenario(mixed_scenario()))
    assert steps.total > 2
    frame = steps.frame(2)
    assert [column.text for column in frame.tracker[3:]] == [""] * (steps.total - 2)
    assert len(frame.rows) == 2 and frame.current.number == 2
    assert sorted(set(worded)) == [1, 2]
    steps.frame(2).tracker
    assert sorted(worded) == [1, 2]  # made once, then kept


def test_a_walkthrough_keeps_only_the_panels_made_last_and_makes_a_dropped_one_again_the_same():
    """A panel is read to render its frame (whose HTML the player keeps), so a learner who
    steps through a long timeline leaves PANELS_KEPT panels behind, not one per step."""
    steps = walkthrough.build(big_scenario("panels kept"))
    assert steps.total > PANELS_KEPT
    gc.collect()
    before = sum(type(thing) is RulesPanel for thing in gc.get_objects())
    read = [(steps.rules[number], steps.connections[number]) for number in range(steps.total + 1)]
    first = read[0]
    del read
    gc.collect()
    assert sum(type(thing) is RulesPanel for thing in gc.get_objects()) - before <= PANELS_KEPT + 1  # + the one held here
    again = (steps.rules[0], steps.connections[0])
    assert again == first and again[0] is not first[0] and again[1] is not first[1]
