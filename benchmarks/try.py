"""How long Run and a shared link take on a big sandbox scenario, on a real daphne.

The scenario: 5 security groups of 60 inbound rules each on one instance and 200 timeline
entries (packets). Each of the RUNS runs stores a variant of it as the learner's draft
(through the JSON box, untimed; one label differs, so the content hash differs and nothing
is cached from the run before), then times the Run action: opening the player's websocket
on the draft to the first state frame received (the walkthrough is built in between). Baseline,
on the same server in the same run: opening the seed lesson's player to its first frame.

Then the scenario is shared once and ``/s/<id>/`` is fetched RUNS times (the page renders the
player, the results and the stateless comparison).

Besides wall time, the server's CPU time (daphne's process, all threads, from /proc) is summed
over the timed part of each run, seed opening and fetch, and given per run: the machine is
shared, and other work inflates the wall times but not the CPU the server spends.

Run: .venv/bin/python benchmarks/try.py   (exits 1 if a target is missed)
"""

import asyncio
import http.cookiejar
import json
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from websockets.asyncio.client import connect

from _harness import SEED_SLUG, Row, benchmark_site, cpu_seconds, exit_on_sigterm, machine_note, ms, percentiles, print_table, ratio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project, whose sandbox caps the scenarios read
from benchmarks._scenarios import ENTRIES, GROUPS, RULES, big_scenario  # noqa: E402

RUNS = 100
WARMUP = 5
TARGET_RUN_P95 = 0.050
TARGET_PAGE_P95 = 0.020


class Browser:
    """A learner's cookies and forms over plain HTTP."""

    def __init__(self, server):
        self.server = server
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def cookie(self, name):
        return next((c.value for c in self.cookies if c.name == name), "")

    def get(self, path):
        with self.opener.open(self.server.url + path) as response:
            return response.read().decode()

    def post(self, path, fields):
        fields = {**fields, "csrfmiddlewaretoken": self.cookie("csrftoken")}
        request = urllib.request.Request(self.server.url + path, data=urllib.parse.urlencode(fields).encode(), headers={"Origin": self.server.origin})
        with self.opener.open(request) as response:
            return response.geturl(), response.read().decode()


def version(page):
    """The draft's version in the editor page the post was redirected to."""
    return page.split('name="version" value="')[1].split('"')[0]


async def first_frame(server, path, cookie=""):
    started = time.perf_counter()
    headers = {"Cookie": cookie} if cookie else None
    async with connect(server.ws_url(path), origin=server.origin, additional_headers=headers, max_size=2**24) as socket:
        # The connect answer is a resynchronisation, the rows up to the step, then the state
        # frame (#flow-state ... #player-error): timed to that frame, the first whole step.
        frame = ""
        while 'id="player-error"' not in frame:
            frame = await socket.recv()
        elapsed = time.perf_counter() - started
    if 'id="flow-state"' not in frame:
        raise AssertionError(f"Not a player state frame:\n{frame[:2000]}")
    return elapsed


def timed(server, measure):
    """(wall seconds ``measure`` reports, the server's CPU seconds meanwhile)."""
    before = cpu_seconds(server.process)
    wall = measure()
    return wall, cpu_seconds(server.process) - before


def measure_runs(server, browser):
    """Wall times of the runs and of the seed openings, and the server's CPU seconds per each."""
    runs, seeds = [], []
    run_cpu = seed_cpu = 0.0
    page = browser.get("/try/")
    for index in range(WARMUP + RUNS):
        _, page = browser.post("/try/json/", {"json": json.dumps(big_scenario(index)), "version": version(page)})
        cookie = f"sessionid={browser.cookie('sessionid')}"  # the first post creates the session
        run, run_used = timed(server, lambda: asyncio.run(first_frame(server, "/ws/sandbox/draft/?step=1", cookie)))
        seed, seed_used = timed(server, lambda: asyncio.run(first_frame(server, f"/ws/lessons/{SEED_SLUG}/?step=1")))
        if index >= WARMUP:
            runs.append(run)
            seeds.append(seed)
            run_cpu += run_used
            seed_cpu += seed_used
    return runs, seeds, run_cpu / RUNS, seed_cpu / RUNS


def measure_snapshot(server, browser):
    """Wall times of the shared page's fetches, and the server's CPU seconds per fetch."""
    location, _ = browser.post("/try/share/", {})
    if "/s/" not in location:
        raise AssertionError(f"Share did not give a link: {location}")
    path = urllib.parse.urlparse(location).path
    times = []
    used = 0.0

    def fetch():
        started = time.perf_counter()
        page = browser.get(path)
        elapsed = time.perf_counter() - started
        if "A shared scenario" not in page:
            raise AssertionError(f"Not the shared page:\n{page[:2000]}")
        return elapsed

    for index in range(WARMUP + RUNS):
        elapsed, cpu = timed(server, fetch)
        if index >= WARMUP:
            times.append(elapsed)
            used += cpu
    return times, used / RUNS


def main():
    exit_on_sigterm()
    print(f"try: Run on {GROUPS} groups x {RULES} rules, {ENTRIES} timeline entries, {RUNS} runs (+{WARMUP} warm-up)")
    print(f"machine: {machine_note()}")
    with benchmark_site() as server:
        browser = Browser(server)
        runs, seeds, run_cpu, seed_cpu = measure_runs(server, browser)
        pages, page_cpu = measure_snapshot(server, browser)
    run_p50, run_p95 = percentiles(runs)
    seed_p50, seed_p95 = percentiles(seeds)
    page_p50, page_p95 = percentiles(pages)
    met = print_table(
        "Run: open the player on the draft -> first frame (baseline: the seed lesson's player, same server)",
        [
            Row("run p50", "-", ms(run_p50), ms(seed_p50), ratio(run_p50, seed_p50), None),
            Row("run p95", "<= 50 ms", ms(run_p95), ms(seed_p95), ratio(run_p95, seed_p95), run_p95 <= TARGET_RUN_P95),
            Row("run server CPU / run", "-", ms(run_cpu), ms(seed_cpu), ratio(run_cpu, seed_cpu) if seed_cpu else "-", None),
            Row("GET /s/<id>/ p50", "-", ms(page_p50), "-", "-", None),
            Row("GET /s/<id>/ p95", "<= 20 ms", ms(page_p95), "-", "-", page_p95 <= TARGET_PAGE_P95),
            Row("GET /s/<id>/ server CPU", "-", ms(page_cpu), "-", "-", None),
        ],
    )
    print(f"machine at the end: {machine_note()}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
