"""Whatever JSON the validator is given, it answers with faults or a scenario that runs: never an
exception (the admin and the sandbox hand it whatever a user typed)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sgviz.engine import simulate, validate_scenario

from .hostile import PATHS, json_values, replaced


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PATHS), json_values), min_size=1, max_size=3))
def test_any_replaced_value_gives_faults_or_a_runnable_scenario(replacements):
    scenario, faults, _ = validate_scenario(replaced(replacements))
    assert (scenario is None) == bool(faults)
    if scenario is not None:
        simulate(scenario)


@settings(max_examples=100)
@given(json_values)
def test_any_json_document_gives_faults_not_an_exception(doc):
    scenario, faults, _ = validate_scenario(doc)
    assert scenario is None and faults
