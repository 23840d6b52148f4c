"""What the sandbox's editor costs at scale: GET /try/ and a Save of the whole form, on a real
daphne with production settings.

Three drafts, each in a browser session of its own: the seed lesson's scenario (the baseline,
measured in the same run against the same server), the big scenario of benchmarks/try.py
(5 groups x 60 rules, 200 packets: 3,433 fields) and an editor at every cap of the sandbox
(benchmarks/_scenarios.editor_at_the_caps: 44,244 fields). For each, requests alternate
between the three drafts, RUNS of each kind after WARMUP:

- GET /try/: the draft unchanged, so its analysis (the engine's work) is computed once, in
  the warm-up: the figures are the page's own. Sent with a browser's Accept-Encoding: the
  page's size is given as sent (gzip) and as HTML.
- Save: the editor's whole form as a browser posts it without JavaScript (every field,
  URL-encoded, with the CSRF token and the Origin header), one description changed each time
  so that every post stores a new document; timed to the 302 (the redirect is not followed).
- Autosave: the same form as htmx posts it on a change (HX-Request, action=autosave) to its
  answer, every row's faults and the results swapped by id; the content unchanged, so, as
  for GET, the engine's work is not in the figures.

Besides wall time (p50, p95: the machine is shared, and other work inflates it), daphne's CPU
time (its process, all threads, from /proc) per request of each kind.

Then in Debian's Chromium, with JavaScript, for the seed lesson's draft and the big one (the
page at the caps, 20 MB of HTML, is left out: seconds of layout a load), BROWSER_RUNS times
after WARMUP: the page's load (navigation start to the load event) and a save on change (a
field's change event to its answer settled, the faults placed: the content unchanged, as above).

Run: .venv/bin/python benchmarks/editor.py   (exits 1 if a target is missed)
"""

import gzip
import http.client
import http.cookies
import json
import sys
import time
import urllib.parse
from pathlib import Path

from playwright.sync_api import sync_playwright

from _harness import Row, benchmark_site, cpu_seconds, exit_on_sigterm, launch_chromium, machine_note, ms, percentiles, print_table, ratio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project, whose sandbox caps the scenarios read
from benchmarks._forms import form_values  # noqa: E402
from benchmarks._scenarios import big_scenario, editor_at_the_caps  # noqa: E402

RUNS = 30
WARMUP = 3
BROWSER_RUNS = 10
SEED = json.loads((Path(__file__).resolve().parent.parent / "examples" / "seed-lesson.json").read_text())
DRAFTS = {"seed lesson": SEED, "big scenario": big_scenario(), "at the caps": editor_at_the_caps()}
BROWSER_DRAFTS = ("seed lesson", "big scenario")
BROWSER_ENCODINGS = "gzip, deflate, br, zstd"  # what Chromium sends
# Server CPU per request on the big scenario: a page a learner waits for on every load.
TARGETS = {("big scenario", "GET /try/"): 0.100, ("big scenario", "Save"): 0.100, ("big scenario", "Autosave"): 0.100}


class Learner:
    """One browser: its cookies, on a kept-alive connection."""

    def __init__(self, server):
        self.server = server
        self.connection = http.client.HTTPConnection(server.url.removeprefix("http://"), timeout=120)
        self.cookies = http.cookies.SimpleCookie()

    def request(self, method, path, body=None, headers=()):
        """(status, body as sent, body as HTML, headers) of one request."""
        sent = {"Accept-Encoding": BROWSER_ENCODINGS, "Cookie": "; ".join(f"{k}={v.value}" for k, v in self.cookies.items())}
        if body is not None:
            sent |= {"Content-Type": "application/x-www-form-urlencoded", "Origin": self.server.origin}
        self.connection.request(method, path, body=body, headers=sent | dict(headers))
        response = self.connection.getresponse()
        raw = response.read()
        for cookie in response.headers.get_all("Set-Cookie") or ():
            self.cookies.load(cookie)
        html = gzip.decompress(raw) if response.headers.get("Content-Encoding") == "gzip" else raw
        return response.status, raw, html.decode(), response.headers

    def post(self, path, fields, headers=()):
        fields = {**fields, "csrfmiddlewaretoken": self.cookies["csrftoken"].value}
        return self.request("POST", path, urllib.parse.urlencode(fields), headers)

    def open_with(self, doc):
        """The learner's draft is ``doc``, stored through the JSON box; the editor's fields."""
        self.request("GET", "/try/")
        status, *_ = self.post("/try/json/", {"json": json.dumps(doc, separators=(",", ":")), "version": "0"})
        if status != 302:
            raise AssertionError(f"The draft was not stored: {status}")
        _, _, page, _ = self.request("GET", "/try/")
        return form_values(page, form_id="editor-form")


def measure(server):
    """Per draft and request kind: the wall times, daphne's CPU seconds per request, and the
    last answer's size as sent and as HTML."""
    learners = {name: Learner(server) for name in DRAFTS}
    fields = {name: learners[name].open_with(doc) for name, doc in DRAFTS.items()}
    figures = {}

    def timed(name, kind, index, send, expected):
        before = cpu_seconds(server.process)
        started = time.perf_counter()
        status, raw, html, _ = send()
        wall = time.perf_counter() - started
        used = cpu_seconds(server.process) - before
        if status != expected:
            raise AssertionError(f"{kind} of the {name}: {status}, not {expected}:\n{html[:2000]}")
        if index >= WARMUP:
            entry = figures.setdefault((name, kind), {"walls": [], "cpu": 0.0})
            entry["walls"].append(wall)
            entry["cpu"] += used / RUNS
            entry["sent"], entry["html"] = len(raw), len(html.encode())
        return html

    for index in range(WARMUP + RUNS):
        for name, learner in learners.items():
            timed(name, "GET /try/", index, lambda: learner.request("GET", "/try/"), 200)
    for index in range(WARMUP + RUNS):
        for name, learner in learners.items():
            changed = fields[name] | {"action": "save", "sg0-description": f"save {index}"}
            timed(name, "Save", index, lambda: learner.post("/try/save/", changed), 302)
            fields[name] = changed | {"version": str(int(changed["version"]) + 1)}
    for index in range(WARMUP + RUNS):
        for name, learner in learners.items():
            autosave = fields[name] | {"action": "autosave"}
            answer = timed(name, "Autosave", index, lambda: learner.post("/try/save/", autosave, {"HX-Request": "true"}), 200)
            fields[name] = autosave | {"version": answer.split('name="version" value="')[1].split('"')[0]}
    return figures, {name: len(f) for name, f in fields.items()}


# A save on change, as a learner's edit makes it (htmx saves the form on its change event),
# timed in the page to the answer settled.
SAVE_ON_CHANGE = """() => new Promise(settled => {
    const started = performance.now();
    document.addEventListener("htmx:afterSettle", () => settled(performance.now() - started), {once: true});
    document.getElementById("f-sg0-group_id").dispatchEvent(new Event("change", {bubbles: true}));
})"""
LOADED = "() => performance.getEntriesByType('navigation')[0].loadEventEnd"


def measure_in_chromium(server):
    """Per draft: the page's load and a save on change in Chromium, in seconds."""
    figures = {}
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for name in BROWSER_DRAFTS:
                page = browser.new_context(base_url=server.url).new_page()
                page.goto("/try/")
                page.locator("#f-json").fill(json.dumps(DRAFTS[name], separators=(",", ":")))
                page.locator("#b-json").click()
                page.wait_for_url("**/try/#json")
                loads, saves = [], []
                for index in range(WARMUP + BROWSER_RUNS):
                    page.goto("/try/", wait_until="load")
                    loaded, saved = page.evaluate(LOADED) / 1000, page.evaluate(SAVE_ON_CHANGE) / 1000
                    if index >= WARMUP:
                        loads.append(loaded)
                        saves.append(saved)
                figures[name] = {"Chromium: page load": loads, "Chromium: save on change": saves}
        finally:
            browser.close()
    return figures


def kilobytes(size):
    return f"{size / 1000:,.0f} KB"


def main():
    exit_on_sigterm()
    print(f"editor: GET /try/, Save and Autosave of three drafts, {RUNS} of each (+{WARMUP} warm-up)")
    print(f"machine: {machine_note()}")
    with benchmark_site() as server:
        figures, field_counts = measure(server)
        in_chromium = measure_in_chromium(server)
    rows = []
    baseline_name = "seed lesson"
    for name in DRAFTS:
        if name == baseline_name:
            continue
        for kind in ("GET /try/", "Save", "Autosave"):
            entry, base = figures[(name, kind)], figures[(baseline_name, kind)]
            p50, p95 = percentiles(entry["walls"])
            base50, base95 = percentiles(base["walls"])
            target = TARGETS.get((name, kind))
            label = f"{name} ({field_counts[name]:,} fields posted) {kind}"
            rows += [
                Row(f"{label} p50", "-", ms(p50), ms(base50), ratio(p50, base50), None),
                Row(f"{label} p95", "-", ms(p95), ms(base95), ratio(p95, base95), None),
                Row(
                    f"{label} server CPU",
                    f"<= {ms(target)}" if target else "-",
                    ms(entry["cpu"]),
                    ms(base["cpu"]),
                    ratio(entry["cpu"], base["cpu"]) if base["cpu"] else "-",
                    entry["cpu"] <= target if target else None,
                ),
            ]
            if kind != "Save":
                rows += [
                    Row(f"{label} as HTML", "-", kilobytes(entry["html"]), kilobytes(base["html"]), ratio(entry["html"], base["html"]), None),
                    Row(f"{label} as sent (gzip)", "-", kilobytes(entry["sent"]), kilobytes(base["sent"]), ratio(entry["sent"], base["sent"]), None),
                ]
    for kind in ("Chromium: page load", "Chromium: save on change"):
        base50, base95 = percentiles(in_chromium[baseline_name][kind])
        for name in BROWSER_DRAFTS[1:]:
            p50, p95 = percentiles(in_chromium[name][kind])
            label = f"{name} ({field_counts[name]:,} fields posted) {kind}"
            rows += [
                Row(f"{label} p50", "-", ms(p50), ms(base50), ratio(p50, base50), None),
                Row(f"{label} p95", "-", ms(p95), ms(base95), ratio(p95, base95), None),
            ]
    met = print_table(f"The sandbox's editor (baseline: the seed lesson's draft, {field_counts[baseline_name]} fields, same server)", rows)
    print(f"machine at the end: {machine_note()}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
