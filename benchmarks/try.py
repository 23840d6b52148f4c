"""How long Run and a shared link take on a big sandbox scenario, on a real daphne.

The scenario (benchmarks/_scenarios.py): 5 security groups of 60 inbound rules each on one
instance and 200 timeline entries (packets), stored as the learner's draft through the JSON box
(untimed). Each of the RUNS runs is what a learner does on the editor page: change a field (a
rule's description, so the content is new and nothing is cached from the run before), then
press Run, timed to the player's page (its first frame, rendered in the page) and to the first
state frame on the player's websocket, in three cases:

- Run after a save on change: the field was left a while before (htmx saved it then, untimed;
  that save ran the engine on the new content, to show the verdicts beside the editor), so Run
  only opens the player (static/js/editor.js posts nothing when every row is stored);
- Run right after typing: the save on change (only the typed row, as editor.js posts it) and
  Run are queued back to back: the save, with the engine's run of the new content, is timed;
- Run without JavaScript: the whole form posted with the change, the redirect followed to the
  page, which is the frame (no websocket without JavaScript).

Baseline, on the same server in the same run: the seed lesson, opening its page and its
player's websocket to the first state frame.

Then the scenario is shared once and ``/s/<id>/`` is fetched RUNS times (the page renders the
player, the results and the stateless comparison).

Besides wall time, the server's CPU time (daphne's process, all threads, from /proc) is summed
over the timed part of each run, seed opening and fetch, and given per run: the machine is
shared, and other work inflates the wall times but not the CPU the server spends.

The server runs with a probe on its garbage collector (benchmarks/_gc_probe.py): the full
collections (those that scan every object the process keeps, and stall every socket while
they do) after the warm-up, through the runs and the fetches, are counted, with their longest
pause (wall, and the collector's CPU time, which other work on the machine does not inflate),
their total and the most objects one scanned.

Run: .venv/bin/python benchmarks/try.py   (exits 1 if a target is missed)
"""

import asyncio
import html
import http.cookiejar
import json
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from websockets.asyncio.client import connect

from _harness import SEED_SLUG, Row, benchmark_site, cpu_seconds, exit_on_sigterm, machine_note, ms, percentiles, print_table, ratio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project, whose sandbox caps the scenarios read
from benchmarks._forms import form_values  # noqa: E402
from benchmarks._scenarios import ENTRIES, GROUPS, RULES, big_scenario  # noqa: E402

RUNS = 100
WARMUP = 5
TARGET_RUN_P95 = 0.050
TARGET_PAGE_P95 = 0.020
TARGET_GC_PAUSE = 0.030  # the longest full collection (the collector's CPU time), seconds


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

    def post(self, path, fields, headers=()):
        """(status, response headers, final address, body) of a form post, redirects followed."""
        fields = {**fields, "csrfmiddlewaretoken": self.cookie("csrftoken")}
        request = urllib.request.Request(
            self.server.url + path, data=urllib.parse.urlencode(fields).encode(), headers={"Origin": self.server.origin, **dict(headers)}
        )
        with self.opener.open(request) as response:
            return response.status, response.headers, response.geturl(), response.read().decode()


HTMX = {"HX-Request": "true"}  # what htmx adds to the editor's posts
RUN_PAGE = "/try/run/?step=0"  # where Run goes (the editor form's data-run-url)


def version(page):
    """The draft's version in an editor page."""
    return page.split('name="version" value="')[1].split('"')[0]


def take_save(fields, answer):
    """The editor's ``fields`` after a save on change: the version and the base (the document
    the page now shows) its answer carries, as htmx swaps them in."""
    fields["version"] = version(answer)
    fields["base"] = html.unescape(answer.split('name="base" value="')[1].split('"')[0])


def ws_path(page):
    """The player's websocket address in a page (its ``ws-connect``)."""
    return html.unescape(page.split('ws-connect="')[1].split('"')[0])


async def first_frame(server, path, cookie=""):
    headers = {"Cookie": cookie} if cookie else None
    async with connect(server.ws_url(path), origin=server.origin, additional_headers=headers, max_size=2**24) as socket:
        # The connect answer is a resynchronisation, the rows up to the step, then the state
        # frame (#flow-state ... #player-error): the first whole step.
        frame = ""
        while 'id="player-error"' not in frame:
            frame = await socket.recv()
    if 'id="flow-state"' not in frame:
        raise AssertionError(f"Not a player state frame:\n{frame[:2000]}")


@dataclass
class Chain:
    """One timed chain, in seconds from its start: to the player's page, and to its websocket's
    first state frame (None without JavaScript: the page is the frame)."""

    page: float
    frame: float | None


def typed_rows(fields, rows=()):
    """What htmx posts of the editor (static/js/editor.js): the fields outside the rows, and
    the fields of ``rows``, those typed in since the last save."""
    return {name: value for name, value in fields.items() if "-" not in name or name.rsplit("-", 1)[0] in rows}


def press_run(server, browser, fields, typed=()):
    """Press Run on the editor with JavaScript: the rows typed in and not stored yet (``typed``)
    are saved first (their save on change, queued before Run); then, every row being stored,
    Run opens the player's page (static/js/editor.js posts nothing more), and its websocket
    to the first state frame."""
    started = time.perf_counter()
    if typed:
        status, _, _, body = browser.post("/try/save/", {**typed_rows(fields, typed), "action": "autosave"}, HTMX)
        if status != 200 or 'id="editor-version"' not in body:
            raise AssertionError(f"The save on change was refused ({status}):\n{body[:2000]}")
        take_save(fields, body)
    page = browser.get(RUN_PAGE)
    paged = time.perf_counter() - started
    asyncio.run(first_frame(server, ws_path(page), f"sessionid={browser.cookie('sessionid')}"))
    return Chain(paged, time.perf_counter() - started)


def press_run_without_javascript(browser, fields):
    """Press Run with JavaScript off: the whole form posted, the redirect followed to the page."""
    started = time.perf_counter()
    _, _, address, page = browser.post("/try/save/", {**fields, "action": "run"})
    if "/try/run/" not in address or 'id="live"' not in page:
        raise AssertionError(f"Run did not go to the player ({address}):\n{page[:2000]}")
    return Chain(time.perf_counter() - started, None)


def open_seed(server, browser):
    """The baseline: the seed lesson's page, then its player's websocket to the first frame."""
    started = time.perf_counter()
    page = browser.get(f"/lessons/{SEED_SLUG}/")
    paged = time.perf_counter() - started
    asyncio.run(first_frame(server, ws_path(page)))
    return Chain(paged, time.perf_counter() - started)


def timed(server, measure):
    """(what ``measure`` returns, the server's CPU seconds meanwhile)."""
    before = cpu_seconds(server.process)
    result = measure()
    return result, cpu_seconds(server.process) - before


@dataclass
class Series:
    """The chains of one case and the server's CPU seconds they took in all."""

    name: str
    chains: list = field(default_factory=list)
    cpu: float = 0.0

    def add(self, chain, cpu):
        self.chains.append(chain)
        self.cpu += cpu

    def rows(self, baseline, target=None):
        """Summary rows: p50 and p95 to the page and to the websocket's first frame (the page
        alone without JavaScript), ``target`` checked on the page's p95: the page holds the
        player's first frame, which the learner sees as it arrives (the websocket's first
        frame says the same once connected); the server's CPU per chain."""
        parts = ("page", "frame") if self.chains[0].frame is not None else ("page",)
        rows = []
        for part in parts:
            p50, p95 = percentiles([getattr(chain, part) for chain in self.chains])
            b50, b95 = percentiles([getattr(chain, part) for chain in baseline.chains])
            checked = target is not None and part == "page"
            rows.append(Row(f"{self.name} -> {part} p50", "-", ms(p50), ms(b50), ratio(p50, b50), None))
            rows.append(Row(f"{self.name} -> {part} p95", f"<= {ms(target)}" if checked else "-", ms(p95), ms(b95), ratio(p95, b95), p95 <= target if checked else None))
        cpu, base_cpu = self.cpu / len(self.chains), baseline.cpu / len(baseline.chains)
        rows.append(Row(f"{self.name}: server CPU / run", "-", ms(cpu), ms(base_cpu), ratio(cpu, base_cpu) if base_cpu else "-", None))
        return rows


def measure_runs(server, browser):
    """The Run chains of the three cases, each on a change made just before, the seed openings
    between them, and the mark in the server's garbage collections' log where the warm-up ended."""
    saved, typed, plain = Series("Run after a save on change"), Series("Run right after typing"), Series("Run without JavaScript")
    seed = Series("seed lesson")
    page = browser.get("/try/")
    _, _, _, page = browser.post("/try/json/", {"json": json.dumps(big_scenario(0)), "version": version(page)})
    fields = form_values(page, "editor-form")
    changed = ("sg0-in0",)
    for index in range(WARMUP + RUNS):
        if index == WARMUP:
            warm = server.gc_pauses.mark()
        for case in (saved, typed, plain):
            fields["sg0-in0-description"] = f"{case.name}, run {index}"  # new content, nothing cached
            if case is saved:  # the field was left a while before Run: its save on change is done
                _, _, _, body = browser.post("/try/save/", {**typed_rows(fields, changed), "action": "autosave"}, HTMX)
                take_save(fields, body)
            if case is plain:
                chain, used = timed(server, lambda: press_run_without_javascript(browser, fields))
                fields = form_values(browser.get("/try/"), "editor-form")  # back to the editor (untimed)
            else:
                chain, used = timed(server, lambda: press_run(server, browser, fields, changed if case is typed else ()))
            if index >= WARMUP:
                case.add(chain, used)
        chain, used = timed(server, lambda: open_seed(server, browser))
        if index >= WARMUP:
            seed.add(chain, used)
    return (saved, typed, plain), seed, warm


def measure_snapshot(server, browser):
    """Wall times of the shared page's fetches, and the server's CPU seconds per fetch."""
    _, _, location, _ = browser.post("/try/share/", {})
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
    print(f"try: Run on {GROUPS} groups x {RULES} rules, {ENTRIES} timeline entries, {RUNS} runs (+{WARMUP} warm-up) per case")
    print(f"machine: {machine_note()}")
    with benchmark_site(gc_pauses=True) as server:
        browser = Browser(server)
        cases, seed, warm = measure_runs(server, browser)
        pages, page_cpu = measure_snapshot(server, browser)
        full = [pause for pause in server.gc_pauses.since(warm) if pause.full]
    page_p50, page_p95 = percentiles(pages)
    longest = max((pause.cpu for pause in full), default=0.0)
    met = print_table(
        "Run: press Run on the editor -> the player's page -> its websocket's first frame (baseline: the seed lesson's page and first frame, same server)",
        [
            # The target is Run's: the other cases also save the typed change, and so run the
            # engine on the new content (see the docstring); they are measured beside it.
            *cases[0].rows(seed, TARGET_RUN_P95),
            *(row for case in cases[1:] for row in case.rows(seed)),
            Row("GET /s/<id>/ p50", "-", ms(page_p50), "-", "-", None),
            Row("GET /s/<id>/ p95", f"<= {ms(TARGET_PAGE_P95)}", ms(page_p95), "-", "-", page_p95 <= TARGET_PAGE_P95),
            Row("GET /s/<id>/ server CPU", "-", ms(page_cpu), "-", "-", None),
            Row("server full GCs", "-", str(len(full)), "-", "-", None),
            Row("full GC longest pause (wall)", "-", ms(max((p.seconds for p in full), default=0)), "-", "-", None),
            Row("full GC longest pause (CPU)", "<= 30 ms", ms(longest), "-", "-", longest <= TARGET_GC_PAUSE),
            Row("full GC pauses in all (wall)", "-", ms(sum(p.seconds for p in full)), "-", "-", None),
            Row("full GC most objects scanned", "-", f"{max((p.objects for p in full), default=0):,}", "-", "-", None),
        ],
    )
    print(f"machine at the end: {machine_note()}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
