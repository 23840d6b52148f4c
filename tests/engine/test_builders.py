"""The simulator's fast constructors (results.positional_builder) build exactly what the
dataclasses' own constructors build: same type, fields, equality, hash, repr and frozenness;
and the steps it shares between packets (simulation._Side.shared_step) are the ones it would
have built for each."""

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sgviz.engine import simulation
from sgviz.engine.model import ChangeAction, RuleChange
from sgviz.engine.results import (
    Connection,
    PacketResult,
    StepEvent,
    TableChange,
    build_connection,
    build_packet_result,
    build_step_event,
    build_table_change,
)
from sgviz.engine.simulation import simulate

from .factories import IN, OUT, scenario
from .test_properties import GROUPS, PROPERTY_SETTINGS, packets, rules, timed, worlds

BUILDERS = [(Connection, build_connection), (TableChange, build_table_change), (StepEvent, build_step_event), (PacketResult, build_packet_result)]

# Dataclasses check no types, so any hashable values exercise every field.
values = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5), st.tuples(st.integers()))


@pytest.mark.parametrize("cls, build", BUILDERS, ids=[cls.__name__ for cls, _ in BUILDERS])
@given(data=st.data())
def test_builder_matches_the_dataclass_constructor(cls, build, data):
    names = [f.name for f in dataclasses.fields(cls)]
    fields = data.draw(st.tuples(*[values] * len(names)))
    built, reference = build(*fields), cls(*fields)
    assert type(built) is cls
    assert [getattr(built, name) for name in names] == list(fields)
    assert built == reference and hash(built) == hash(reference) and repr(built) == repr(reference)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(built, names[0], None)


def fresh_step(side, node, detail, answer=None, matched=None):
    """The reference: a new StepEvent from the dataclass's own constructor, every time."""
    side._add(StepEvent(side._node_ids[node], side.iface.name, side.direction, detail, answer, matched))


changes = st.builds(
    lambda group_id, direction, action, rule: RuleChange(group_id, direction, action, (rule,)),
    st.sampled_from(GROUPS),
    st.sampled_from([IN, OUT]),
    st.sampled_from(list(ChangeAction)),
    st.sampled_from(GROUPS).flatmap(lambda group_id: st.sampled_from([IN, OUT]).flatmap(lambda direction: rules(group_id, direction))),
)


@PROPERTY_SETTINGS
@given(worlds(), st.lists(packets(), min_size=1, max_size=4), st.lists(st.one_of(st.integers(0, 3), changes), max_size=10))
def test_shared_steps_equal_the_steps_built_for_each_packet(world, distinct, later):
    # The packets again, so that later ones meet the steps shared by earlier ones, between
    # rule changes that alter the steps' details (rule counts) but not their nodes.
    timeline = distinct + [distinct[item % len(distinct)] if isinstance(item, int) else item for item in later]
    lesson = scenario(world["groups"], world["instances"], timed(timeline), network_acls=world["network_acls"], subnets=world["subnets"])
    shared = simulate(lesson)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(simulation._Side, "shared_step", fresh_step)
        reference = simulate(lesson)
    assert shared == reference
