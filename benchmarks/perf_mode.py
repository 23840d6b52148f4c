"""Perf mode benchmark: `python benchmarks/perf_mode.py` prints figures and a ratio against a
baseline measured in the same run. Not a test: nothing here asserts; the figures go in reports.

The Perf page's work: the seed lesson's Perf load (100,000 flows, content/modes/) run through
the engine's connection table and summarised (modes.perf.summarise, uncached), then laid out as
the chart (modes.perf_chart.chart).
    target: p95 over 10 runs <= 1 s
    baseline: a bare dict insert of the same 100,000 flow keys, in the same run
"""

from __future__ import annotations

import gc
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from modes import perf, perf_chart  # noqa: E402
from sgviz.engine import load_scenario  # noqa: E402
from sgviz.engine.conntrack import flow_key  # noqa: E402

CONTENT = Path(__file__).resolve().parent.parent / "content/modes/stateful-security-groups/perf.json"
RUNS = 10
TARGET_SECONDS = 1.0


def timed_runs(work, runs: int = RUNS) -> list[float]:
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return times


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[18]


def main() -> None:
    content = json.loads(CONTENT.read_text())
    document = content["scenario"]
    load = perf.Load(content["load"]["flows"], content["load"]["flows_per_second"])
    templates = perf.judge_templates(load_scenario(document))
    keys = [
        flow_key(4, templates[index].packet.protocol, templates[index].packet.dst.value, templates[index].packet.dst_port, client, templates[index].packet.src_port)
        for _, index, client in perf.flows(templates, load)
    ]

    def page_work():
        perf._summarise.cache_clear()  # measure the run, not the cache
        perf_chart.chart(perf.summarise(document, load), at=load.seconds)

    def bare_insert():
        table = {}
        for key in keys:
            table[key] = 0

    print(f"sgviz Perf mode benchmark - Python {sys.version.split()[0]}, {RUNS} runs, {load.flows:,} flows\n")
    engine = timed_runs(page_work)
    baseline = timed_runs(bare_insert)
    met = p95(engine) <= TARGET_SECONDS
    print(f"  baseline: bare dict insert of the same flow keys     p95 {p95(baseline) * 1000:8.1f} ms  median {statistics.median(baseline) * 1000:8.1f} ms")
    print(f"  summarise + chart (engine connection table)          p95 {p95(engine) * 1000:8.1f} ms  median {statistics.median(engine) * 1000:8.1f} ms"
          f"   target p95 <= {TARGET_SECONDS * 1000:.0f} ms {'MET' if met else 'MISSED'}")
    print(f"  ratio to the bare dict insert                        {p95(engine) / p95(baseline):.1f}x (p95 / p95)")


if __name__ == "__main__":
    main()
