"""The first lesson (/work/shared/seed): its process table and state tracker come out of the engine."""

from pathlib import Path

from sgviz.engine import explain
from sgviz.engine.results import Basis, Verdict
from sgviz.engine.scenario import load_scenario
from sgviz.engine.simulation import simulate

from .factories import seed_lesson

SEED_PROCESS_TABLE = [
    ("Incoming", "Is source IP and port allowed inbound?", "Yes", "Allow packet and record connection state"),
    ("Outgoing", "Is packet part of existing connection?", "Yes", "Allow packet automatically"),
    ("Incoming", "Is source IP and port allowed inbound?", "No", "Drop packet"),
    ("Outgoing", "Is packet part of existing connection?", "No", "Drop packet"),
]
SEED_TRACKER = [
    "Connection recorded for IP A:80",
    "Connection state used to allow response",
    "No change",
    "No change",
]


def test_it_gives_the_seed_verdicts():
    results = simulate(seed_lesson()).results
    assert [(r.verdict, r.basis, r.tracked) for r in results] == [
        (Verdict.ALLOW, Basis.RULE, True),
        (Verdict.ALLOW, Basis.STATE, None),
        (Verdict.DROP, Basis.NO_MATCH, None),
        (Verdict.DROP, Basis.NO_MATCH, None),
    ]


def test_it_derives_the_seed_process_table():
    results = simulate(seed_lesson()).results
    rows = [explain.table_row(r) for r in results]
    assert [(r.direction, r.check, r.answer, r.action) for r in rows] == SEED_PROCESS_TABLE


def test_it_derives_the_seed_state_tracker():
    lesson = seed_lesson()
    results = simulate(lesson).results
    assert explain.tracker_start(lesson) == "Empty"
    assert [explain.tracker_cell(r, lesson.labels) for r in results] == SEED_TRACKER


def test_it_explains_the_reply_allowed_without_an_outbound_rule():
    reply = simulate(seed_lesson()).results[1]
    assert reply.explanation == (
        "Allowed without an outbound rule: reply to the tracked connection 198.51.100.10:50000 → 10.0.1.10:80/tcp."
    )


def test_it_explains_the_drop_naming_the_group_port_and_source():
    dropped = simulate(seed_lesson()).results[2]
    assert dropped.explanation == "Dropped: no inbound rule of sg-0a1b2c3d4e5f60001 allows tcp port 22 from 198.51.100.10."


def test_it_walks_the_seed_flowchart_nodes():
    results = simulate(seed_lesson()).results
    assert [[s.node for s in r.steps] for r in results] == [
        ["in.arrive", "in.state", "in.state_ok", "in.rules", "in.rules_ok", "in.allow", "in.record"],
        ["out.arrive", "out.state", "out.state_ok", "out.allow"],
        ["in.arrive", "in.state", "in.state_ok", "in.rules", "in.rules_ok", "in.drop"],
        ["out.arrive", "out.state", "out.state_ok", "out.drop"],
    ]


def test_it_keeps_the_recorded_connection_in_the_table_after_each_step():
    run = simulate(seed_lesson())
    assert [len(table) for table in run.tables] == [1, 1, 1, 1]
    assert [t[0].state for t in run.tables] == ["new", "established", "established", "established"]


def test_it_captions_each_step_with_labels():
    lesson = seed_lesson()
    results = simulate(lesson).results
    assert [explain.caption(r, lesson.labels) for r in results] == [
        "Incoming tcp packet from IP A to web server port 80: allowed by an inbound rule, and its connection is recorded.",
        "Outgoing tcp packet from web server to IP A port 50000: allowed automatically, as part of a tracked connection.",
        "Incoming tcp packet from IP A to web server port 22: dropped, as no inbound rule allows it.",
        "Outgoing tcp packet from web server to IP A port 50001: dropped, as it is not part of a tracked connection and there are no outbound rules.",
    ]


def test_the_seed_lesson_json_gives_the_seed_process_table_and_tracker():
    lesson = load_scenario((Path(__file__).resolve().parents[2] / "examples" / "seed-lesson.json").read_text())
    results = simulate(lesson).results
    assert [(r.direction, r.check, r.answer, r.action) for r in map(explain.table_row, results)] == SEED_PROCESS_TABLE
    assert [explain.tracker_cell(r, lesson.labels) for r in results] == SEED_TRACKER
