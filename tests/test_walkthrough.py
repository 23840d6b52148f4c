"""The player's data: the seed lesson's table, tracker and chart come out of the engine, built
once per scenario content."""

import re

import pytest

from conftest import SEED_SCENARIO
from player import walkthrough
from sgviz.engine import FLOW_GRAPH, ScenarioError
from tests.support.seed import SEED_TABLE, SEED_TRACKER, SEED_VERDICT_NODES

HTTP_RULE = {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}


@pytest.fixture(scope="module")
def seed():
    return walkthrough.build(SEED_SCENARIO)


def test_it_yields_the_seed_lessons_four_table_rows(seed):
    rows = [(str(s.number), s.row.direction, s.row.check, s.row.answer, s.row.action) for s in seed.steps]
    assert rows == SEED_TABLE


def test_it_yields_the_seed_lessons_tracker_cells(seed):
    assert [cell.text for cell in seed.frame(seed.total).tracker] == SEED_TRACKER


def test_each_step_follows_edges_of_the_flow_graph_to_its_verdict_node(seed):
    for step in seed.steps:
        assert step.nodes[0] in {"in.arrive", "out.arrive"}
        for key in step.edges:
            source, target = key.split(">")
            assert FLOW_GRAPH.edge(source, target) is not None, key
        assert FLOW_GRAPH.node(step.verdict_node).kind.value == ("allow" if step.allowed else "drop")
    assert [step.verdict_node for step in seed.steps] == SEED_VERDICT_NODES


def test_the_chart_holds_every_visited_node_and_every_travelled_edge(seed):
    drawn_nodes = {node.id for lane in seed.lanes for node in lane.nodes}
    drawn_edges = {edge.key for lane in seed.lanes for edge in lane.edges}
    assert drawn_nodes == {node for step in seed.steps for node in step.nodes}
    assert drawn_edges == {edge for step in seed.steps for edge in step.edges}
    assert [lane.name for lane in seed.lanes] == ["in", "out"]


def test_decision_branches_carry_their_yes_or_no_label(seed):
    labels = {edge.key: edge.label for lane in seed.lanes for edge in lane.edges}
    assert labels["in.rules_ok>in.allow"] == "Yes"
    assert labels["in.rules_ok>in.drop"] == "No"
    assert labels["out.state_ok>out.drop"] == "No"
    assert labels["in.arrive>in.state"] == ""


def test_nodes_of_a_lane_do_not_overlap_and_fit_inside_it(seed):
    for lane in seed.lanes:
        boxes = sorted((node.y, node.y + node.height, node) for node in lane.nodes)
        for (_, bottom, _), (top, _, _) in zip(boxes, boxes[1:]):
            assert bottom < top
        for node in lane.nodes:
            assert 0 <= node.x and node.x + node.width <= lane.width
            assert 0 <= node.y and node.y + node.height <= lane.height


def test_edges_start_and_end_on_their_nodes(seed):
    for lane in seed.lanes:
        nodes = {node.id: node for node in lane.nodes}
        for edge in lane.edges:
            source, target = (nodes[end] for end in edge.key.split(">"))
            numbers = [int(n) for n in re.findall(r"-?\d+", edge.path)]
            start_x, start_y, end = numbers[0], numbers[1], numbers[-1]
            assert source.x <= start_x <= source.x + source.width
            assert source.y <= start_y <= source.y + source.height
            # A path ends with V (straight down, at the target's top) or H (at its side).
            assert end in (target.y, target.x, target.x + target.width)


def test_allow_and_drop_nodes_carry_a_glyph_and_a_word(seed):
    words = {node.kind: node.verdict_word for lane in seed.lanes for node in lane.nodes}
    assert words["allow"] == "✓ ALLOW"
    assert words["drop"] == "✗ DROP"
    assert words["decision"] == ""


def test_frame_zero_shows_no_row_and_only_the_start_column(seed):
    frame = seed.frame(0)
    assert frame.rows == ()
    assert frame.current is None
    assert [cell.text for cell in frame.tracker] == ["Empty", "", "", "", ""]
    assert frame.tracker[0].current
    assert frame.visited == frozenset() and frame.verdict_node == ""
    assert frame.caption.startswith("Step 0 of 4")


def test_a_frame_shows_the_rows_and_cells_up_to_its_step(seed):
    frame = seed.frame(2)
    assert [row.number for row in frame.rows] == [1, 2]
    assert [cell.text for cell in frame.tracker] == SEED_TRACKER[:3] + ["", ""]
    assert [cell.current for cell in frame.tracker] == [False, False, True, False, False]
    assert frame.visited == {"out.arrive", "out.state", "out.state_ok", "out.allow"}
    assert frame.taken == {"out.arrive>out.state", "out.state>out.state_ok", "out.state_ok>out.allow"}
    assert frame.caption == "Step 2 of 4. " + seed.steps[1].caption


@pytest.mark.parametrize("number", [-1, 5])
def test_it_refuses_a_frame_outside_the_lesson(seed, number):
    with pytest.raises(ValueError, match="outside 0..4"):
        seed.frame(number)


def test_a_rule_change_is_told_with_the_packet_that_follows_it(seed_scenario):
    group = seed_scenario["security_groups"][0]["GroupId"]
    seed_scenario["timeline"].insert(
        2,
        {"at": 1.5, "change": {"group": group, "direction": "ingress", "action": "revoke", "permission": HTTP_RULE}},
    )
    steps = walkthrough.build(seed_scenario).steps
    assert len(steps) == 4  # steps are packets; the change is not one
    assert steps[2].caption.startswith("At 1.5 s: Revoked inbound tcp port 80")
    assert "Incoming tcp packet from IP A to web server port 22: dropped" in steps[2].caption
    assert "Revoked" not in steps[1].caption + steps[3].caption


def test_a_rule_change_after_the_last_packet_is_told_with_the_last_step(seed_scenario):
    group = seed_scenario["security_groups"][0]["GroupId"]
    seed_scenario["timeline"].append(
        {"at": 9, "change": {"group": group, "direction": "ingress", "action": "revoke", "permission": HTTP_RULE}}
    )
    last = walkthrough.build(seed_scenario).steps[-1]
    seed_last = walkthrough.build(SEED_SCENARIO).steps[-1]
    assert last.caption.startswith(seed_last.caption + " At 9 s: Revoked inbound tcp port 80")
    assert last.row == seed_last.row and last.nodes == seed_last.nodes


def test_it_refuses_an_invalid_scenario_with_the_engines_error(seed_scenario):
    seed_scenario["timeline"][0]["packet"]["protocol"] = "carrier-pigeon"
    with pytest.raises(ScenarioError):
        walkthrough.build(seed_scenario)


def test_it_builds_once_per_content_whatever_the_key_order(seed_scenario):
    first = walkthrough.for_document(seed_scenario)
    reordered = dict(reversed(list(seed_scenario.items())))
    assert walkthrough.for_document(reordered) is first
    assert walkthrough.content_key(reordered) == first.key


def test_a_changed_scenario_is_a_new_walkthrough(seed_scenario):
    first = walkthrough.for_document(seed_scenario)
    seed_scenario["timeline"] = seed_scenario["timeline"][:2]
    rebuilt = walkthrough.for_document(seed_scenario)
    assert rebuilt is not first and rebuilt.total == 2 and rebuilt.key != first.key


def test_the_tracker_cells_are_typed(seed):
    assert [step.tracker.changed for step in seed.steps] == [True, True, False, False]
    assert seed.tracker_start.changed is False


def test_each_lane_describes_the_current_steps_path(seed):
    paths = {path.lane: path.description for path in seed.frame(2).lane_paths}
    assert paths["in"] == "Step 2 does not pass through this lane."
    assert paths["out"].startswith("Step 2: Outgoing Packet Arrives → Check Connection State → ")
    assert {path.description for path in seed.frame(0).lane_paths} == {"No packet sent yet."}


def test_the_sandbox_analysis_and_the_walkthrough_share_one_engine_run(seed_scenario):
    from sandbox.analysis import analysis  # the sandbox's page analysis, pure like this module

    server_ip = seed_scenario["instances"][0]["private_ip"]
    seed_scenario["labels"] = {server_ip: f"web server {id(seed_scenario)}"}  # a content no other test has checked
    analysed = [row["result"] for row in analysis(seed_scenario)["results"]]
    engine = walkthrough.checked(seed_scenario)
    assert len(analysed) == len(engine.run.results) and all(a is b for a, b in zip(analysed, engine.run.results))
    assert walkthrough.build(seed_scenario).total == len(analysed)


def test_an_invalid_documents_check_keeps_its_faults_and_refuses_a_run(seed_scenario):
    seed_scenario["timeline"][0]["packet"]["protocol"] = "carrier-pigeon"
    engine = walkthrough.checked(seed_scenario)
    assert engine.validation.scenario is None and engine.validation.faults
    with pytest.raises(ScenarioError):
        engine.run
