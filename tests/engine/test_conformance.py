"""The conformance suite: golden scenarios in conformance/*.json, each citing the AWS
documentation sentence it tests (``aws``: source, page title, our short paraphrase) and the
rule of aws-semantics.md it covers (``spec``: section number and topic).

A case either runs (``expect``: verdict, basis and tracked flag of each packet, in timeline
order; changes have none) or is refused by the loader (``faults``: the start of each fault it
must report). The lessons' Deep-mode demos may load these files as they are.
"""

import json
from pathlib import Path

import pytest

from sgviz.engine import simulate, validate_scenario
from sgviz.engine.results import PacketResult

CASES = sorted((Path(__file__).parent / "conformance").glob("*.json"))
# Every rule of aws-semantics.md (§1-§3) that a scenario can show, as the cases name them.
SPEC_TOPICS = {
    "1 rules only allow", "1 new group", "1 no outbound rules", "1 default group", "1 protocols", "1 ports", "1 peers",
    "1 group references", "1 several groups", "1 quotas", "1 never filtered",
    "2 responses", "2 icmp", "2 other protocols", "2 untracked", "2 automatically tracked", "2 rule changes",
    "2 timeouts", "2 capacity", "2 icmp errors",
    "3 subnet boundary", "3 order", "3 stateless", "3 quotas",
}


def load(path: Path) -> dict:
    return json.loads(path.read_text())


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_the_engine_does_what_the_aws_documentation_says(path):
    case = load(path)
    scenario, faults, _ = validate_scenario(case["scenario"])
    if "faults" in case:
        reported = [str(fault) for fault in faults]
        for expected in case["faults"]:
            assert any(text.startswith(expected) for text in reported), (expected, reported)
        return
    assert not faults, [str(fault) for fault in faults]
    packets = [result for result in simulate(scenario).results if isinstance(result, PacketResult)]
    got = [{"verdict": r.verdict.value, "basis": r.basis.value, "tracked": r.tracked} for r in packets]
    mismatches = [(i, want, have, packets[i].explanation) for i, (want, have) in enumerate(zip(case["expect"], got)) if want != have]
    assert len(got) == len(case["expect"]) and not mismatches, f'{case["aws"]["page"]}: {case["aws"]["says"]}\n{mismatches}'


def test_the_suite_covers_every_rule_of_the_spec_and_cites_a_page_for_each_case():
    cases = [load(path) for path in CASES]
    assert len(cases) >= 40
    assert {case["spec"] for case in cases} == SPEC_TOPICS
    assert all(case["aws"]["source"] and case["aws"]["page"] and case["aws"]["says"] for case in cases)
