"""What opening a lesson costs: the page's response time, and every byte it makes a browser fetch.

1. Response time of the seed lesson's page (/lessons/<slug>/, rendered by Django) over 200
   requests, from sending the request to its last byte, on a kept-alive connection as a
   browser would use; baseline, in the same run and from the same daphne: htmx's script,
   a static file WhiteNoise serves without touching Django's views. Requests alternate.
   Then 200 more of each, one kind at a time, to count the CPU time daphne spends per
   request: a figure that, unlike the latency, other work on the machine does not inflate.
2. Transfer: the page plus every asset its HTML (script, link, img, source...) and its CSS
   (url(), @import) point to, requested with a browser's Accept-Encoding and counted as sent
   on the wire (status line, headers and body, compressed as served). Baseline: the same
   files uncompressed. Also the JavaScript alone, and a check that nothing the page loads
   or connects to lives on another host.

The server runs with production settings (DEBUG=0, a SECRET_KEY, collectstatic into a
temporary STATIC_ROOT), so WhiteNoise serves the hashed, pre-compressed files real users get.
1 KB = 1000 bytes.

Run: .venv/bin/python benchmarks/page.py   (about 15 s; exits 1 if a target is missed)
"""

import http.client
import re
import sys
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from _harness import HOST, SEED_SLUG, Row, benchmark_site, cpu_seconds, exit_on_sigterm, machine_note, ms
from _harness import percentiles, print_table, ratio

REQUESTS = 200
WARMUP = 20
PAGE = f"/lessons/{SEED_SLUG}/"
BASELINE_ASSET = "htmx-2.0.11"  # the static file the page time is compared with
BROWSER_ENCODINGS = "gzip, deflate, br, zstd"  # what Chromium sends
TARGET_P95 = 0.020
TARGET_TOTAL = 60_000
TARGET_JS = 25_000
# Attributes through which a page makes the browser fetch or connect to something.
FETCHED = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "iframe": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
}
# Where the page sends the browser later (forms, htmx requests, the websocket): never fetched
# here, but they must stay on this site too.
CONNECTS = ("action", "formaction", "ws-connect", "hx-get", "hx-post", "hx-put", "hx-patch", "hx-delete", "sse-connect")
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+?)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")


@dataclass(frozen=True)
class Fetched:
    path: str
    status: int
    content_type: str
    encoding: str
    wire_bytes: int  # status line + headers + body, as sent
    body: bytes


class References(HTMLParser):
    """The URLs a page fetches (``fetched``) and the ones it may connect to later (``connects``)."""

    def __init__(self):
        super().__init__()
        self.fetched, self.connects = [], []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if not value:
                continue
            if name in FETCHED.get(tag, ()):
                urls = [part.split()[0] for part in value.split(",") if part.strip()] if name == "srcset" else [value]
                self.fetched.extend(urls)
            elif name in CONNECTS:
                self.connects.append(value)


def fetch(connection, path, encodings=BROWSER_ENCODINGS):
    connection.request("GET", path, headers={"Accept-Encoding": encodings})
    response = connection.getresponse()
    body = response.read()
    head = f"HTTP/1.1 {response.status} {response.reason}\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in response.getheaders()
    )
    return Fetched(
        path=path,
        status=response.status,
        content_type=response.getheader("Content-Type", ""),
        encoding=response.getheader("Content-Encoding", "identity"),
        wire_bytes=len(head.encode("latin-1")) + 2 + len(body),
        body=body,
    )


def timed(connection, path, times):
    started = time.perf_counter()
    response = fetch(connection, path)
    times.append(time.perf_counter() - started)
    if response.status != 200:
        raise AssertionError(f"GET {path} answered {response.status}")


def cpu_per_request(server, connection, path):
    before = cpu_seconds(server.process)
    times = []
    for _ in range(REQUESTS):
        timed(connection, path, times)
    return (cpu_seconds(server.process) - before) / REQUESTS


def foreign(url, site):
    """True when the URL leaves this site (another host, port or scheme); data: stays inline."""
    if url.startswith("data:"):
        return False
    parts = urlsplit(urljoin(site + PAGE, url))
    site_parts = urlsplit(site)
    if parts.scheme in {"ws", "wss"}:
        return parts.netloc != site_parts.netloc
    return (parts.scheme, parts.netloc) != (site_parts.scheme, site_parts.netloc)


def load_everything(connection, site):
    """The page and every asset it loads, each fetched once: (page, assets, foreign URLs)."""
    page = fetch(connection, PAGE)
    if page.status != 200:
        raise AssertionError(f"GET {PAGE} answered {page.status}:\n{page.body[:2000]!r}")
    references = References()
    references.feed(fetch(connection, PAGE, encodings="identity").body.decode())  # the HTML as parsed
    foreign_urls = [url for url in references.fetched + references.connects if foreign(url, site)]
    queue = [url for url in references.fetched if not url.startswith("data:")]
    assets, seen = [], set()
    while queue:
        url = queue.pop(0)
        path = urlsplit(urljoin(site + PAGE, url)).path
        if foreign(url, site) or path in seen:
            continue
        seen.add(path)
        asset = fetch(connection, path)
        if asset.status != 200:
            raise AssertionError(f"The page loads {path}, which answered {asset.status}")
        assets.append(asset)
        if asset.content_type.startswith("text/css"):
            text = fetch(connection, path, encodings="identity").body.decode()
            for found in CSS_URL.finditer(text):
                url_in_css = urljoin(path, found.group(1) or found.group(2))
                if foreign(url_in_css, site):
                    foreign_urls.append(url_in_css)
                elif not url_in_css.startswith("data:"):
                    queue.append(url_in_css)
    return page, assets, foreign_urls


def uncompressed_size(connection, fetched):
    return fetch(connection, fetched.path, encodings="identity").wire_bytes


def kb(size):
    return f"{size / 1000:.1f} KB"


def main():
    exit_on_sigterm()
    print(f"page: {PAGE}, {REQUESTS} requests (+{WARMUP} warm-up) each to the page and to a static file")
    print(f"machine: {machine_note()}")
    with benchmark_site(collect_static=True) as server:
        connection = http.client.HTTPConnection(HOST, server.port, timeout=10)
        page, assets, foreign_urls = load_everything(connection, server.url)
        baseline_path = next((asset.path for asset in assets if BASELINE_ASSET in asset.path), None)
        if baseline_path is None:
            raise AssertionError(f"The page no longer loads {BASELINE_ASSET}: choose another static file as baseline")
        raw_total = uncompressed_size(connection, page) + sum(uncompressed_size(connection, a) for a in assets)
        scripts = [asset for asset in assets if "javascript" in asset.content_type]
        raw_js = sum(uncompressed_size(connection, a) for a in scripts)

        page_connection = http.client.HTTPConnection(HOST, server.port, timeout=10)
        static_connection = http.client.HTTPConnection(HOST, server.port, timeout=10)
        page_times, static_times = [], []
        for index in range(WARMUP + REQUESTS):
            timed(page_connection, PAGE, page_times)
            timed(static_connection, baseline_path, static_times)
        page_cpu = cpu_per_request(server, page_connection, PAGE)
        static_cpu = cpu_per_request(server, static_connection, baseline_path)
        for opened in (connection, page_connection, static_connection):
            opened.close()

    print(f"\n{'file':<60} {'type':<24} {'encoding':<9} {'on the wire':>11}")
    for fetched in [page, *assets]:
        kind = fetched.content_type.split(";")[0]
        print(f"{fetched.path:<60} {kind:<24} {fetched.encoding:<9} {fetched.wire_bytes:>11}")
    print(f"\nforeign URLs (other host, port or scheme): {foreign_urls or 'none'}")

    page_p50, page_p95 = percentiles(page_times[WARMUP:])
    static_p50, static_p95 = percentiles(static_times[WARMUP:])
    total = page.wire_bytes + sum(asset.wire_bytes for asset in assets)
    js = sum(asset.wire_bytes for asset in scripts)
    met = print_table(
        f"Lesson page (baseline: {baseline_path} for time, the same files uncompressed for size)",
        [
            Row("page p50", "-", ms(page_p50), ms(static_p50), ratio(page_p50, static_p50), None),
            Row("page p95", "<= 20 ms", ms(page_p95), ms(static_p95), ratio(page_p95, static_p95), page_p95 <= TARGET_P95),
            Row("page CPU / request", "-", ms(page_cpu), ms(static_cpu), ratio(page_cpu, static_cpu), None),
            Row("page + assets, wire", "<= 60 KB", kb(total), kb(raw_total), ratio(total, raw_total), total <= TARGET_TOTAL),
            Row("JavaScript, wire", "<= 25 KB", kb(js), kb(raw_js), ratio(js, raw_js), js <= TARGET_JS),
            Row("requests to other hosts", "0", str(len(foreign_urls)), "-", "-", not foreign_urls),
        ],
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
