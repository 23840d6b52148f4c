"""Scenarios shared by the narration tests: the engine's test scenario with two instances,
network ACLs and changes, and Hypothesis strategies for the engine's generated worlds with
packets and rule changes on their timelines."""

import json
from pathlib import Path

from hypothesis import strategies as st

from sgviz.engine import load_scenario

from tests.engine import test_properties as engine_properties
from tests.engine.factories import IN, OUT, authorize, revoke, scenario

MIXED_SCENARIO = Path(__file__).resolve().parents[1] / "engine" / "data" / "scenario.json"


def mixed_scenario():
    """Two instances, NACLs, a prefix list, rule and NACL changes mid-timeline."""
    return load_scenario(json.loads(MIXED_SCENARIO.read_text()))


@st.composite
def timelines(draw):
    """Packets with rule changes among them (authorizing a rule a group has, or revoking one
    it lacks, changes nothing in the engine, as AWS would refuse the call)."""
    items = draw(st.lists(engine_properties.packets(), max_size=6))
    for _ in range(draw(st.integers(0, 2))):
        direction = draw(st.sampled_from([IN, OUT]))
        change = draw(st.sampled_from([authorize, revoke]))(
            draw(st.sampled_from(engine_properties.GROUPS)), direction, "tcp", draw(st.sampled_from(engine_properties.PORTS)), "0.0.0.0/0"
        )
        items.insert(draw(st.integers(0, len(items))), change)
    return items


def generated(world, items):
    return scenario(world["groups"], world["instances"], engine_properties.timed(items), network_acls=world["network_acls"], subnets=world["subnets"])
