"""The connection-table panel, from the engine's run alone (no database)."""

import pytest
from hypothesis import given

from conftest import SEED_SCENARIO
from sgviz.engine import load_scenario, simulate
from sgviz.engine.graph import FLOW_GRAPH
from sgviz.engine.results import TableChangeKind
from sgviz.narration.connections import MOST_ROWS, connections_panels, duration_words
from sgviz.narration.timeline import packet_steps
from tests.engine import test_properties as engine_properties
from tests.engine.factories import group, instance, packet, scenario
from tests.support.seed_panels import CHART_MARKS, CONNECTION_ENDS, CONNECTION_ROWS
from tests.support.strategies import generated, mixed_scenario, timelines

def rows_of(panel):
    return [(row.marker, row.mark.kind if row.mark else None, row.state, row.timeout_left) for row in panel.rows]


@pytest.fixture(scope="module")
def seed():
    return connections_panels(load_scenario(SEED_SCENARIO), simulate(load_scenario(SEED_SCENARIO)))


@pytest.fixture(scope="module")
def mixed():
    lesson = mixed_scenario()
    return connections_panels(lesson, simulate(lesson))


@pytest.mark.parametrize("number", sorted(CONNECTION_ROWS))
def test_the_seed_table_at_each_step(seed, number):
    assert rows_of(seed[number]) == CONNECTION_ROWS[number]
    assert seed[number].chart_data == CHART_MARKS[number]


def test_a_row_names_both_ends_with_ports_and_who_opened_it(seed):
    (row,) = seed[1].rows
    assert (row.initiator, row.responder) == CONNECTION_ENDS
    assert (row.protocol, row.opened) == ("tcp", "inbound: IP A opened it")
    assert (row.mark.glyph, row.mark.words) == ("+", "recorded at this step")


def test_the_row_that_lets_a_reply_through_says_so(seed):
    (row,) = seed[2].rows
    assert (row.mark.glyph, row.mark.words) == ("▶", "found: let this reply through")
    assert [(m.node, m.words) for m in seed[2].chart_marks] == [("out.state", "#1 found")]
    assert [(m.node, m.words) for m in seed[1].chart_marks] == [("in.record", "#1 recorded")]
    assert (seed[1].chart_numbers, seed[2].chart_numbers, seed[3].chart_numbers) == ({"in.record": 1}, {"out.state": 1}, {})


def test_an_empty_table_says_so(seed):
    assert seed[0].rows == () and seed[0].empty.startswith("No tracked connections")


def test_an_untracked_flow_shows_as_not_recorded_with_the_reason(mixed):
    note = mixed[1].untracked
    assert note.startswith("Not recorded: untracked flow.")
    assert "“tcp port 80 from 0.0.0.0/0”" in note and "“all traffic to 0.0.0.0/0”" in note
    assert mixed[1].rows == ()
    assert "::/0" in mixed[3].untracked  # IPv6 is judged on its own rules
    assert mixed[2].untracked == ""


def test_one_packet_between_two_instances_is_recorded_in_both_tables_with_two_numbers(mixed):
    panel = mixed[2]
    assert panel.several_tables
    assert [(row.marker, row.instance, row.opened) for row in panel.rows] == [
        ("#1", "web", "outbound: web server opened it"),
        ("#2", "db", "inbound: web server opened it"),
    ]
    assert panel.chart_data == "out.record:1 in.record:2"
    assert [row.marker for row in mixed[4].rows] == ["#1", "#2"]  # numbers kept for the connection's life


def test_an_expired_connection_is_struck_through_once_then_gone():
    lesson = scenario(
        [group("sg-dns", egress=[("udp", 53, "0.0.0.0/0")])],
        [instance("app", "10.0.1.10", "sg-dns")],
        [
            (0, packet("10.0.1.10:40000", "10.0.0.2:53", "udp")),
            (100, packet("10.0.1.10:40001", "10.0.0.2:53", "udp")),
            (101, packet("10.0.1.10:40002", "10.0.0.2:53", "udp")),
        ],
    )
    panels = connections_panels(lesson, simulate(lesson))
    assert [(r.marker, r.mark.kind) for r in panels[1].rows] == [("#1", "recorded")]
    assert [(r.marker, r.mark.kind, r.gone, r.timeout_left) for r in panels[2].rows] == [
        ("#2", "recorded", False, "30 s"),
        ("#1", "expired", True, "gone"),
    ]
    assert [r.marker for r in panels[3].rows] == ["#2", "#3"]


def test_a_full_table_shows_what_the_step_touched_and_the_latest_others():
    queries = [(i, packet(f"10.0.1.10:{40000 + i}", "10.0.0.2:53", "udp")) for i in range(MOST_ROWS + 2)]
    reply = (20, packet("10.0.0.2:53", "10.0.1.10:40000", "udp"))  # the first query's answer
    lesson = scenario([group("sg-dns", egress=[("udp", 53, "0.0.0.0/0")])], [instance("app", "10.0.1.10", "sg-dns")], queries + [reply])
    panels = connections_panels(lesson, simulate(lesson))
    last_query, answered = panels[MOST_ROWS + 2], panels[MOST_ROWS + 3]
    assert [row.number for row in last_query.rows] == list(range(3, MOST_ROWS + 3))
    assert last_query.hidden == "2 more tracked connections not shown"
    assert [(row.number, row.mark.kind if row.mark else None) for row in answered.rows][:2] == [(1, "used"), (4, None)]
    assert answered.hidden == "2 more tracked connections not shown"


@pytest.mark.parametrize(
    "seconds, words",
    [(0, "0 s"), (119.6, "120 s"), (86399, "86399 s"), (86400, "86400 s (1 day)"), (432000, "432000 s (5 days)"), (-3, "0 s")],
)
def test_idle_time_left_in_seconds_and_days(seconds, words):
    assert duration_words(seconds) == words


@engine_properties.PROPERTY_SETTINGS
@given(engine_properties.worlds(), timelines())
def test_the_rows_are_the_engines_table_at_each_step(world, items):
    lesson = generated(world, items)
    run = simulate(lesson)
    panels = connections_panels(lesson, run)
    # Deterministic, and lazy: a frame is the same whichever frames were made before it
    # (``[::-1]`` makes the last frame first).
    assert tuple(panels) == connections_panels(lesson, run)[::-1][::-1]
    for step, panel in zip(packet_steps(run.results), panels[1:]):
        live = [row for row in panel.rows if not row.gone]
        table = run.tables[step.index]
        assert len(live) == min(len(table), MOST_ROWS)
        if len(table) <= MOST_ROWS:
            assert sorted((row.instance, row.state) for row in live) == sorted((c.instance, c.state) for c in table)
        assert [row.number for row in live] == sorted({row.number for row in live}), "one number per connection, in order"
        recorded = sum(change.kind == TableChangeKind.RECORDED for event in step.result.steps for change in event.changes)
        assert sum(1 for row in live if row.mark and row.mark.kind == "recorded") == recorded
        assert all(FLOW_GRAPH.node(mark.node) for mark in panel.chart_marks)
        assert (panel.untracked != "") == (step.result.tracked is False and step.result.verdict.value == "ALLOW")
