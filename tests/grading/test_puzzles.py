import copy

import pytest
from hypothesis import given, strategies as st

from sgviz.engine import ScenarioError
from sgviz.grading import read_puzzle, grade_puzzle
from sgviz.grading.puzzles import ConstraintKind

from .cases import ALL_OUT, PUZZLES, SOLUTIONS, puzzle_doc, starting_groups, tcp, web_group


@pytest.mark.parametrize("slug", sorted(PUZZLES))
def test_each_seed_puzzle_is_unsolved_at_its_start(slug):
    outcome = grade_puzzle(read_puzzle(puzzle_doc(slug)), starting_groups(slug))
    assert not outcome.solved


@pytest.mark.parametrize("slug", sorted(PUZZLES))
def test_each_seed_puzzle_has_a_solution(slug):
    outcome = grade_puzzle(read_puzzle(puzzle_doc(slug)), SOLUTIONS[slug])
    assert outcome.solved, [(mark.goal.flow.name, mark.deciding.explanation) for mark in outcome.goals if not mark.met]


def failing(outcome):
    return [mark.goal.flow.name for mark in outcome.goals if not mark.met], [mark.constraint.kind for mark in outcome.constraints if not mark.met]


def test_an_outbound_rule_breaks_the_no_outbound_constraint_but_not_the_goal():
    answer = web_group([tcp(80, cidr="0.0.0.0/0")], [ALL_OUT])
    outcome = grade_puzzle(read_puzzle(puzzle_doc("answer-without-outbound")), answer)
    goals, constraints = failing(outcome)
    assert goals == []
    # Two rules added: the inbound one and the outbound one, so the limit of one fails too.
    assert constraints == [ConstraintKind.NO_RULES_ADDED, ConstraintKind.MAX_RULE_CHANGES]
    assert [rule.protocol for rule in outcome.constraints[0].offending] == [-1]


def test_a_failing_goal_is_named_with_the_engines_explanation():
    outcome = grade_puzzle(read_puzzle(puzzle_doc("ssh-from-office-only")), starting_groups("ssh-from-office-only"))
    goals, constraints = failing(outcome)
    assert goals == ["IP A cannot reach SSH"]
    assert constraints == [ConstraintKind.NOT_OPEN_TO_WORLD]
    missed = next(mark for mark in outcome.goals if not mark.met)
    assert missed.deciding.explanation.startswith("Allowed by inbound rule tcp port 22 from 0.0.0.0/0")


def test_closing_ssh_entirely_drops_the_office_too():
    outcome = grade_puzzle(read_puzzle(puzzle_doc("ssh-from-office-only")), web_group([tcp(80, cidr="0.0.0.0/0")]))
    assert failing(outcome) == (["The office reaches SSH"], [])


def test_a_reply_dropped_is_the_deciding_packet():
    # Tracked flows always answer; drop the reply with a stateless NACL on the way out.
    doc = puzzle_doc("answer-without-outbound")
    doc["scenario"]["subnets"] = [{"id": "subnet-web", "cidr": "10.0.1.0/24"}]
    doc["scenario"]["instances"][0]["subnet"] = "subnet-web"
    doc["scenario"]["network_acls"] = [{"NetworkAclId": "acl-1", "Associations": [{"SubnetId": "subnet-web"}], "Entries": [
        {"RuleNumber": 100, "Protocol": "6", "RuleAction": "allow", "Egress": False, "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 80, "To": 80}},
    ]}]
    mark = grade_puzzle(read_puzzle(doc), SOLUTIONS["answer-without-outbound"]).goals[0]
    assert not mark.met and mark.deciding is mark.reply and mark.reply.basis.value == "nacl"


def test_groups_that_do_not_load_give_the_engines_faults_with_paths():
    broken = web_group([{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "10.0.0.0/33"}]}])
    with pytest.raises(ScenarioError) as error:
        grade_puzzle(read_puzzle(puzzle_doc("answer-without-outbound")), broken)
    assert [fault.path for fault in error.value.faults] == ["security_groups[0].IpPermissions[0].IpRanges[0].CidrIp"]


def test_a_bad_puzzle_document_names_every_fault():
    doc = puzzle_doc("ssh-from-office-only")
    doc["goals"][0]["to"] = "mail server"
    doc["goals"][1]["expect"] = "maybe"
    doc["constraints"][1]["limit"] = -1
    doc["constraints"].append({"kind": "be-nice"})
    with pytest.raises(ScenarioError) as error:
        read_puzzle(doc)
    assert [fault.path for fault in error.value.faults] == ["goals[0].to", "goals[1].expect", "constraints[1].limit", "constraints[2].kind"]


def test_a_bad_starting_scenario_is_reported_under_scenario():
    doc = puzzle_doc("ssh-from-office-only")
    doc["scenario"]["instances"][0]["private_ip"] = "10.0.1.999"
    with pytest.raises(ScenarioError) as error:
        read_puzzle(doc)
    assert [fault.path for fault in error.value.faults] == ["scenario.instances[0].private_ip"]


PORTS = st.integers(min_value=1, max_value=65535)


@given(st.lists(PORTS, max_size=6, unique=True), st.lists(PORTS, max_size=6, unique=True))
def test_rules_changed_count_edits_once_and_ignore_order(removed, added):
    """From a group with ``removed`` ports to one with ``added`` ports (as CIDR rules on tcp):
    the changes counted are the larger of the ports dropped and the ports new."""
    doc = puzzle_doc("answer-without-outbound")
    doc["scenario"]["security_groups"] = web_group([tcp(port, cidr="10.9.0.0/16") for port in removed])
    doc["constraints"] = [{"kind": "max-rule-changes", "limit": 0}]
    answer = web_group([tcp(port, cidr="10.9.0.0/16") for port in reversed(added)])
    mark = grade_puzzle(read_puzzle(doc), answer).constraints[0]
    gone, new = set(removed) - set(added), set(added) - set(removed)
    assert mark.changes == max(len(gone), len(new))
    assert mark.met == (not gone and not new)


@given(st.integers(min_value=0, max_value=65535), st.integers(min_value=0, max_value=65535), st.integers(min_value=0, max_value=65535))
def test_not_open_to_world_flags_exactly_the_world_rules_covering_the_port(low, high, port):
    low, high = sorted((low, high))
    doc = puzzle_doc("ssh-from-office-only")
    doc["constraints"] = [{"kind": "not-open-to-world", "protocol": "tcp", "port": port}]
    answer = web_group([{"IpProtocol": "tcp", "FromPort": low, "ToPort": high, "IpRanges": [{"CidrIp": "0.0.0.0/0"}, {"CidrIp": "203.0.113.7/32"}]}])
    mark = grade_puzzle(read_puzzle(doc), copy.deepcopy(answer)).constraints[0]
    assert mark.met == (not low <= port <= high)
    assert all(str(rule.peer) == "0.0.0.0/0" for rule in mark.offending)
