"""Grading benchmark: `python benchmarks/grading.py` prints figures and a ratio against a
baseline measured in the same run. Not a test: nothing here asserts.

Grading a project of 4 groups, 4 instances and 20 flows (the seed's three-tier project, its
worked answer, its 10 flows and 10 more): target p95 <= 30 ms, against one simulate() of the
same scenario (the flows' requests and replies as a timeline).

Grading loads the learner's groups through the engine's validator, sends every request and
(when it passed) its reply, and runs the review's three checks; the baseline only simulates.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sgviz.engine import simulate  # noqa: E402
from sgviz.grading import grade_project, read_project  # noqa: E402
from sgviz.grading.flows import with_groups  # noqa: E402
from tests.grading.cases import PROJECT_SOLUTION, project_task  # noqa: E402

ROUNDS = 300
TARGET_MS = 30


def twenty_flows() -> dict:
    """The project with its 10 flows and 10 more of the same kinds on other ports and sources."""
    task = project_task()
    extra_required = [dict(flow, name=f"{flow['name']} (again)", **({"from": "198.51.100.20"} if flow["from"] == "198.51.100.10" else {})) for flow in task["required"]]
    extra_forbidden = [dict(flow, name=f"{flow['name']} on {flow['port'] + 1}", port=flow["port"] + 1) for flow in task["forbidden"]]
    task["required"] += extra_required
    task["forbidden"] += extra_forbidden
    assert len(task["required"]) + len(task["forbidden"]) == 20
    return task


def p95_ms(work, clock, rounds: int = ROUNDS) -> tuple[float, float]:
    """(median, 95th percentile) of ``rounds`` timed calls on ``clock``, in milliseconds."""
    times = []
    for _ in range(rounds):
        start = clock()
        work()
        times.append((clock() - start) * 1000)
    return statistics.median(times), statistics.quantiles(times, n=20)[-1]


def main() -> None:
    print(f"sgviz grading benchmark - Python {sys.version.split()[0]}, {ROUNDS} rounds each\n")
    project = read_project(twenty_flows())
    groups = PROJECT_SOLUTION
    outcome = grade_project(project, groups)
    scenario = with_groups(project.scenario, groups, project.timeline)
    print(f"  project: {len(scenario.security_groups)} groups, {len(scenario.instances)} instances, {outcome.flows_total} flows "
          f"({len(scenario.timeline)} packets), {outcome.flows_met} flows met, {outcome.checks_passed} of {len(outcome.review)} checks passed")
    # Wall time is what a learner waits; this thread's CPU time is the same work without the
    # time other processes took the core (a shared 2-core machine can double the wall figures).
    for clock_name, clock in (("wall", time.perf_counter), ("CPU", time.thread_time)):
        gc.collect()
        base_median, base_p95 = p95_ms(lambda: simulate(scenario), clock)
        median, p95 = p95_ms(lambda: grade_project(project, groups), clock)
        print(f"  {clock_name} time")
        print(f"    baseline: one simulate() of the same scenario   median {base_median:7.2f} ms   p95 {base_p95:7.2f} ms")
        print(f"    grade_project (load, send, review)              median {median:7.2f} ms   p95 {p95:7.2f} ms "
              f"({p95 / base_p95:.2f}x the baseline's p95)   target p95 <= {TARGET_MS} ms {'MET' if p95 <= TARGET_MS else 'MISSED'}")


if __name__ == "__main__":
    main()
