"""The simulator's shape: sides, deciding side, clock, tables after each entry, changes."""

import gc
import tracemalloc

import pytest

from sgviz.engine.graph import FLOW_GRAPH
from sgviz.engine.model import TimelineEntry
from sgviz.engine.results import Basis, ChangeResult, TableChangeKind, Verdict
from sgviz.engine.simulation import Simulation, simulate

from .factories import ALL_OUT, IN, OUT, Wire, authorize, group, instance, packet, revoke, scenario, seed_lesson

APP, DB = "10.0.1.20", "10.0.2.30"


def app_and_db(db_ingress=(("tcp", 5432, "sg-app"),), app_egress=(ALL_OUT,), **kwargs):
    groups = [group("sg-app", egress=app_egress), group("sg-db", ingress=db_ingress)]
    return Wire(groups, [instance("app", APP, "sg-app"), instance("db", DB, "sg-db")], **kwargs)


def sides(result):
    return [(s.instance, s.direction) for s in result.steps if s.node.endswith(".arrive")]


def test_a_packet_between_instances_is_checked_leaving_then_entering():
    result = app_and_db().send(packet(f"{APP}:40000", f"{DB}:5432"))
    assert sides(result) == [("app", OUT), ("db", IN)]
    assert (result.verdict, result.basis, result.tracked) == (Verdict.ALLOW, Basis.RULE, True)
    assert result.steps[result.deciding_step].node == "in.rules_ok"
    assert result.explanation.endswith("(decided entering db).")


def test_a_packet_the_source_drops_never_reaches_the_destination():
    result = app_and_db(app_egress=()).send(packet(f"{APP}:40000", f"{DB}:5432"))
    assert sides(result) == [("app", OUT)]
    assert (result.verdict, result.steps[-1].node) == (Verdict.DROP, "out.drop")


def test_the_destination_decides_when_it_drops():
    result = app_and_db(db_ingress=()).send(packet(f"{APP}:40000", f"{DB}:5432"))
    assert (result.verdict, result.basis, result.steps[result.deciding_step].instance) == (Verdict.DROP, Basis.NO_MATCH, "db")


def test_the_source_records_a_connection_for_a_packet_the_destination_drops():
    wire = app_and_db(db_ingress=())
    wire.send(packet(f"{APP}:40000", f"{DB}:5432"))
    assert [(c.instance, c.remote) for c in wire.simulation.connections()] == [("app", f"{DB}:5432")]


def test_both_sides_record_and_both_pass_the_reply_by_state():
    wire = app_and_db()
    wire.send(packet(f"{APP}:40000", f"{DB}:5432"))
    assert [c.instance for c in wire.simulation.connections()] == ["app", "db"]
    reply = wire.send(packet(f"{DB}:5432", f"{APP}:40000"))
    assert (reply.verdict, reply.basis) == (Verdict.ALLOW, Basis.STATE)
    assert wire.simulation.connections("db")[0].state == "established"


def test_a_reply_allowed_by_state_on_the_source_is_reported_as_state():
    """app's flow is untracked (all in, all out), db's is tracked: db's state decides the reply."""
    groups = [group("sg-app", ingress=[("-1", None, "0.0.0.0/0")], egress=[ALL_OUT]), group("sg-db", ingress=[("tcp", 5432, "sg-app")])]
    wire = Wire(groups, [instance("app", APP, "sg-app"), instance("db", DB, "sg-db")])
    wire.send(packet(f"{APP}:40000", f"{DB}:5432"))
    reply = wire.send(packet(f"{DB}:5432", f"{APP}:40000"))
    assert (reply.verdict, reply.basis, reply.tracked) == (Verdict.ALLOW, Basis.STATE, None)
    assert reply.steps[reply.deciding_step].instance == "db"
    assert reply.explanation.endswith("(decided leaving db).")


def test_every_step_names_a_node_of_the_flow_graph_along_its_edges():
    for result in simulate(seed_lesson()).results:
        ids = [s.node for s in result.steps]
        for node in ids:
            FLOW_GRAPH.node(node)
        for source, target in zip(ids, ids[1:]):
            assert FLOW_GRAPH.edge(source, target) is not None, (source, target)


def test_run_has_a_table_after_every_entry():
    run = simulate(seed_lesson())
    assert len(run.tables) == len(run.results) == 4


def new_connections(count):
    """``count`` packets, each opening a connection that stays in the table to the end."""
    timeline = [(index / 1000, packet(f"198.51.100.{index // 50000 + 1}:{1024 + index % 50000}", f"{DB}:5432")) for index in range(count)]
    return scenario([group("sg-db", ingress=[("tcp", 5432, "198.51.100.0/24")])], [instance("db", DB, "sg-db")], timeline)


def memory_of_a_run(count):
    lesson = new_connections(count)
    gc.collect()
    tracemalloc.start()
    try:
        run = simulate(lesson)
        used = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert len(run.tables[-1]) == count
    return used


def test_a_runs_memory_grows_linearly_with_its_timeline():
    """Keeping the whole table after every entry made memory quadratic (40,000 packets took
    3.3 GB): four times the packets must cost about four times the memory, not sixteen."""
    small, large = memory_of_a_run(500), memory_of_a_run(2000)
    assert large / small < 5, f"{small:,} bytes for 500 packets, {large:,} for 2,000"


def test_it_refuses_time_going_backwards():
    sim = Simulation(seed_lesson())
    sim.apply(0, TimelineEntry(5, packet=packet("198.51.100.10:1", "10.0.1.10:80")))
    with pytest.raises(ValueError, match="back in time"):
        sim.apply(1, TimelineEntry(4, packet=packet("198.51.100.10:1", "10.0.1.10:80")))


def test_it_refuses_a_packet_that_touches_no_instance():
    sim = Simulation(seed_lesson())
    with pytest.raises(ValueError, match="touches no instance"):
        sim.apply(0, TimelineEntry(0, packet=packet("192.0.2.1:1", "192.0.2.2:80")))


def test_a_packet_to_the_public_ip_is_judged_on_its_instance():
    wire = Wire([group("sg-web", ingress=[("tcp", 80, "0.0.0.0/0")])], [instance("web", "10.0.1.10", "sg-web", public_ip="54.1.2.3")])
    assert wire.send(packet("198.51.100.10:1", "54.1.2.3:80")).verdict == Verdict.ALLOW


def test_connections_are_listed_by_instance_then_in_recording_order_and_can_be_filtered():
    wire = app_and_db()
    for port in (40002, 40001):
        wire.send(packet(f"{APP}:{port}", f"{DB}:5432"))
    wire.send(packet(f"{DB}:5432", f"{APP}:40002"))  # a reply updates its entry in place
    assert [(c.instance, c.local, c.state) for c in wire.simulation.connections()] == [
        ("app", f"{APP}:40002", "established"), ("app", f"{APP}:40001", "new"),
        ("db", f"{DB}:5432", "established"), ("db", f"{DB}:5432", "new"),
    ]
    assert [c.remote for c in wire.simulation.connections("db")] == [f"{APP}:40002", f"{APP}:40001"]


def test_a_change_reports_the_connections_that_expired_before_it():
    wire = app_and_db()
    wire.send(packet(f"{APP}:40000", f"{DB}:5432"), at=0)
    change = wire.send(revoke("sg-db", IN, "tcp", 5432, "sg-app"), at=500)
    assert isinstance(change, ChangeResult)
    assert [(c.kind, c.connection.instance) for c in change.changes] == [(TableChangeKind.EXPIRED, "app"), (TableChangeKind.EXPIRED, "db")]


def test_revoking_a_rule_that_does_not_exist_says_so():
    change = app_and_db().send(revoke("sg-db", IN, "tcp", 22, "0.0.0.0/0"))
    assert change.explanation.startswith("Nothing to revoke on sg-db: no inbound rule tcp port 22 from 0.0.0.0/0")


def test_authorizing_an_existing_rule_changes_nothing():
    change = app_and_db().send(authorize("sg-db", IN, "tcp", 5432, "sg-app"))
    assert change.explanation.startswith("sg-db already has inbound tcp port 5432 from members of sg-app")


def test_a_revoked_rule_stops_new_connections():
    wire = app_and_db()
    wire.send(revoke("sg-db", IN, "tcp", 5432, "sg-app"))
    assert wire.send(packet(f"{APP}:40000", f"{DB}:5432")).verdict == Verdict.DROP


def test_the_same_scenario_gives_the_same_run():
    assert simulate(seed_lesson()) == simulate(seed_lesson())
