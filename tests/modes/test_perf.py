"""Perf's summariser against the engine itself (plain pytest, no database)."""

import copy
import json
from dataclasses import replace
from pathlib import Path

import pytest

from modes import perf, perf_chart
from sgviz.engine import load_scenario, simulate
from sgviz.engine.model import TimelineEntry
from sgviz.engine.results import Basis

PERF = json.loads((Path(__file__).resolve().parents[2] / "content/modes/stateful-security-groups/perf.json").read_text())


def small_scenario(capacity):
    document = copy.deepcopy(PERF["scenario"])
    for instance in document["instances"]:
        instance["conntrack_capacity"] = capacity
    return document


def engine_counts(document, load):
    """The same flows, each request and its reply a timeline entry, through simulate()."""
    scenario = perf.with_tcp_established_timeout(load_scenario(document), load.tcp_established_timeout)
    templates = perf.judge_templates(scenario)
    timeline = []
    for now, index, client in perf.flows(templates, load):
        request = perf.request(templates[index], client)
        timeline += [TimelineEntry(now / 1000, request), TimelineEntry(now / 1000, perf.reply_to(request))]
    run = simulate(replace(scenario, timeline=tuple(timeline)))
    names = {str(i.private_ip): i.name for i in scenario.instances}
    counts = {name: {"tracked": 0, "untracked": 0, "exceeded": 0} for name in names.values()}
    for result in run.results[::2]:  # the requests
        tally = counts[names[str(result.packet.dst)]]
        tally["tracked"] += result.tracked is True
        tally["untracked"] += result.tracked is False
        tally["exceeded"] += result.basis == Basis.CAPACITY
    return counts


@pytest.mark.parametrize("timeout", [None, 60])
def test_the_summary_counts_what_the_engine_decides_flow_by_flow(timeout):
    # 600 flows at 5 a second against a 100-entry table: it fills, and with a 60 s timeout
    # entries also expire during the run, so capacity, stages and expiry are all compared.
    document, load = small_scenario(100), perf.Load(600, 5, timeout)
    summary = perf.summarise(document, load)
    expected = engine_counts(document, load)
    got = {i.instance: {"tracked": i.tracked, "untracked": i.untracked, "exceeded": i.exceeded} for i in summary.instances}
    assert got == expected
    assert got["tracked server"]["exceeded"] > 0 and got["untracked server"] == {"tracked": 0, "untracked": 300, "exceeded": 0}


def test_every_flow_is_counted_once_and_the_series_cover_the_whole_run():
    summary = perf.summarise(small_scenario(100), perf.Load(600, 5))
    for instance in summary.instances:
        assert instance.flows == instance.tracked + instance.untracked + instance.refused + instance.exceeded
        assert len(instance.live) == len(instance.exceeded_by) == summary.seconds + 1
        assert max(instance.live) <= instance.capacity
        assert instance.exceeded_by[-1] == instance.exceeded


def test_a_timeout_outside_aws_range_is_refused():
    with pytest.raises(ValueError, match="outside AWS's range"):
        perf.summarise(small_scenario(100), perf.Load(10, 5, 59))


def test_the_quota_table_counts_each_groups_rules_against_the_defaults():
    rows = {row.what: (row.used, row.quota) for row in perf.quota_use(PERF["scenario"])}
    assert rows["sg-0tracked: IPv4 inbound rules"] == (1, 60)
    assert rows["sg-0untracked: IPv4 outbound rules"] == (1, 60)
    assert rows["tracked server: security groups on the interface"] == (1, 5)


def test_the_chart_is_drawn_inside_its_plot_area():
    summary = perf.summarise(small_scenario(100), perf.Load(600, 5))
    chart = perf_chart.chart(summary, at=60)
    for line in chart.lines:
        for point in line.points.split():
            x, y = map(int, point.split(","))
            assert perf_chart.LEFT <= x <= perf_chart.RIGHT and perf_chart.TOP <= y <= perf_chart.BOTTOM
    assert chart.bands and chart.bands[0].instance == "tracked server"  # where flows were dropped
    assert perf_chart.LEFT < chart.marker_x < perf_chart.RIGHT
