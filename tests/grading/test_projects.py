import copy

import pytest
from hypothesis import given, strategies as st

from sgviz.engine import ScenarioError
from sgviz.engine.explain import describe_rule
from sgviz.grading import grade_project, read_project
from sgviz.grading.projects import ReviewKind

from .cases import PROJECT_SOLUTION, group, project_task, tcp


@pytest.fixture(scope="module")
def project():
    return read_project(project_task())


def review(outcome):
    """check kind -> the findings' rules, as "group: rule in words"."""
    return {
        mark.check.kind: [f"{finding.rule.group_id}: {describe_rule(finding.rule)}" for finding in mark.findings]
        for mark in outcome.review
    }


def failing(marks):
    return [mark.goal.flow.name for mark in marks if not mark.met]


def test_the_worked_answer_passes_every_flow_and_every_check(project):
    outcome = grade_project(project, copy.deepcopy(PROJECT_SOLUTION))
    assert outcome.correct and outcome.flows_met == outcome.flows_total == 10
    assert outcome.checks_passed == 3


def test_the_wide_open_start_fails_every_forbidden_flow_with_the_deciding_rule(project):
    outcome = grade_project(project, project_task()["scenario"]["security_groups"])
    assert failing(outcome.required) == []
    assert len(failing(outcome.forbidden)) == 6
    assert all("all traffic from 0.0.0.0/0" in mark.deciding.explanation for mark in outcome.forbidden)
    assert len(review(outcome)[ReviewKind.WORLD_ONLY_ON]) == 8


def test_one_forbidden_flow_left_open_is_named(project):
    groups = copy.deepcopy(PROJECT_SOLUTION)
    groups[3]["IpPermissions"].append(tcp(5432, group="sg-web"))
    groups[1]["IpPermissionsEgress"].append(tcp(5432, group="sg-db"))
    outcome = grade_project(project, groups)
    assert failing(outcome.forbidden) == ["The web tier skips the application and queries the database"]
    leak = next(mark for mark in outcome.forbidden if not mark.met)
    assert leak.deciding.rule.group_id == "sg-db"


def test_a_missing_rule_fails_the_required_flow_on_its_deciding_side(project):
    groups = copy.deepcopy(PROJECT_SOLUTION)
    groups[2]["IpPermissionsEgress"] = []  # the app may not leave towards the database
    outcome = grade_project(project, groups)
    assert failing(outcome.required) == ["The application queries the database"]
    missed = next(mark for mark in outcome.required if not mark.met)
    assert "no outbound rules" in missed.deciding.explanation


def test_review_is_scored_apart_from_correctness(project):
    groups = copy.deepcopy(PROJECT_SOLUTION)
    # Correct, but by CIDRs instead of group references, SSH open to the world and one rule never used.
    groups[1]["IpPermissions"] = [tcp(80, cidr="10.0.0.0/24"), tcp(22, cidr="0.0.0.0/0")]
    groups[3]["IpPermissions"].append(tcp(6379, group="sg-app"))
    outcome = grade_project(project, groups)
    assert failing(outcome.forbidden) == ["A visitor reaches SSH on the web tier"]
    found = review(outcome)
    assert found[ReviewKind.GROUP_REFERENCES] == ["sg-web: tcp port 80 from 10.0.0.0/24"]
    assert found[ReviewKind.WORLD_ONLY_ON] == ["sg-web: tcp port 22 from 0.0.0.0/0"]
    assert found[ReviewKind.UNUSED_RULES] == ["sg-db: tcp port 6379 from members of sg-app"]
    held = outcome.review[0].findings[0].instances
    assert held == ("load balancer",)


def test_a_bad_project_document_names_every_fault():
    task = project_task()
    task["required"][0]["port"] = "https"
    task["forbidden"][0]["protocol"] = "icmp"
    task["review"][1]["allow"][0]["group"] = "sg-nope"
    with pytest.raises(ScenarioError) as error:
        read_project(task)
    assert [fault.path for fault in error.value.faults] == ["required[0].port", "forbidden[0].protocol", "review[1].allow[0].group"]


@given(st.lists(st.sampled_from([(1, 80), (2, 8080), (3, 5432)]), unique=True))
def test_removing_any_tier_rule_fails_exactly_the_flow_it_carried(dropped):
    """Remove the inbound rule of some tiers (web, app, database): exactly their required flow fails."""
    project = read_project(project_task())
    groups = copy.deepcopy(PROJECT_SOLUTION)
    for index, _ in dropped:
        groups[index]["IpPermissions"] = []
    outcome = grade_project(project, groups)
    carried = {80: "The load balancer forwards to the web tier", 8080: "The web tier calls the application", 5432: "The application queries the database"}
    assert sorted(failing(outcome.required)) == sorted(carried[port] for _, port in dropped)
    assert failing(outcome.forbidden) == []
