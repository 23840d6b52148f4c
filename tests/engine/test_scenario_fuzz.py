"""Whatever JSON the validator is given, it answers with faults or a scenario that runs: never an
exception (the admin and the sandbox hand it whatever a user typed)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sgviz.engine import simulate, validate_scenario

from .data import scenario_doc

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False) | st.text(max_size=20)
    | st.sampled_from(["10.0.1.10", "10.0.1.10:80", "[2001:db8::1]:443", "0.0.0.0/0", "::/0", "sg-web", "acl-db", "tcp", "-1", "icmp", "pl-office"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


def paths(value, prefix=()):
    """Every place in a document a value can be replaced: (container path, key) pairs."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield prefix + (key,)
            yield from paths(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield prefix + (index,)
            yield from paths(child, prefix + (index,))


PATHS = list(paths(scenario_doc()))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PATHS), json_values), min_size=1, max_size=3))
def test_any_replaced_value_gives_faults_or_a_runnable_scenario(replacements):
    doc = scenario_doc()
    for path, value in replacements:
        container = doc
        try:
            for key in path[:-1]:
                container = container[key]
            container[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier replacement removed this place
    scenario, faults, _ = validate_scenario(doc)
    assert (scenario is None) == bool(faults)
    if scenario is not None:
        simulate(scenario)


@settings(max_examples=100)
@given(json_values)
def test_any_json_document_gives_faults_not_an_exception(doc):
    scenario, faults, _ = validate_scenario(doc)
    assert scenario is None and faults
