"""What the benchmarks share: a real daphne serving sgviz on a free loopback port, with a
throwaway database, Debian's Chromium, and the figures printed the same way.

Every server, database and folder made here is removed when the ``with`` block ends, also
when the benchmark fails or is stopped (Ctrl-C, or SIGTERM after ``exit_on_sigterm()``).
tests/test_scaled_deployment.py starts its daphne processes with ``daphne()`` and
``manage()`` too.
"""

import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_SLUG = "stateful-security-groups"
HOST = "127.0.0.1"
STARTUP_SECONDS = 30
STOP_SECONDS = 10
LISTENING = re.compile(r"Listening on TCP address 127\.0\.0\.1:(\d+)")
CHROMIUM = "/usr/bin/chromium"  # Debian's: never a browser download
# No sandbox (containers), no GPU, and nothing that phones home or updates itself.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# Settings the parent shell may have set that must not leak into a server started here.
SITE_VARIABLES = ("DATABASE_URL", "REDIS_URL", "REDIS_PREFIX", "STATIC_ROOT", "HTTPS", "DEBUG", "ALLOWED_HOSTS")


def launch_chromium(playwright):
    """Debian's Chromium, headless, through Playwright's sync API."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def exit_on_sigterm():
    """Turn SIGTERM into SystemExit, so that `finally` blocks stop the servers."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def site_env(**settings):
    """The environment of a production-like sgviz: DEBUG off, a fresh SECRET_KEY, loopback
    only; ``settings`` add or replace variables (DATABASE_URL, REDIS_URL, STATIC_ROOT...)."""
    env = {name: value for name, value in os.environ.items() if name not in SITE_VARIABLES}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        PYTHONUNBUFFERED="1",
    )
    env.update(settings)
    return env


def manage(*args, env):
    """Run a manage.py command for the site that ``env`` describes; its output on failure."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


FULL_COLLECTION = 2  # the collector's oldest generation: collecting it scans every tracked object


@dataclass(frozen=True)
class Pause:
    """One garbage collection in a probed server (benchmarks/_gc_probe.py), a line of its file."""

    generation: int
    seconds: float  # wall: what every socket of the process waited
    cpu: float  # the collecting thread's CPU time: unlike the wall pause, not grown by other work on the machine
    objects: int  # for a full collection, the tracked objects it scanned (0 for a younger generation)

    def line(self):
        return f"{self.generation} {self.seconds:.6f} {self.cpu:.6f} {self.objects}\n"

    @classmethod
    def parse(cls, line):
        generation, seconds, cpu, objects = line.split()
        return cls(int(generation), float(seconds), float(cpu), int(objects))

    @property
    def full(self):
        return self.generation == FULL_COLLECTION


class PauseLog:
    """The pauses a probed server writes: ``mark()`` a moment, ``since(mark)`` the pauses after it."""

    def __init__(self, path):
        self.path = path

    def mark(self):
        return self.path.stat().st_size if self.path.exists() else 0

    def since(self, mark):
        with open(self.path, "rb") as written:
            written.seek(mark)
            return [Pause.parse(line) for line in written.read().decode().splitlines()]


@dataclass(frozen=True)
class Server:
    process: subprocess.Popen
    port: int
    log: Path
    gc_pauses: PauseLog | None = None  # the collector's pauses, when started with a probe

    @property
    def url(self):
        return f"http://{HOST}:{self.port}"

    @property
    def origin(self):
        """The Origin header of this site's own pages (the websocket origin check wants it)."""
        return self.url

    def ws_url(self, path):
        return f"ws://{HOST}:{self.port}{path}"

    def log_tail(self, lines=40):
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


@contextmanager
def daphne(application, env, log, *options, gc_pauses=None):
    """A daphne process serving ``application`` on a port the system picks (no race for a
    "free" port), with daphne's command-line ``options``; yields the Server once it listens,
    and stops it on the way out. It is sgviz's daphne (config/daphne_server.py), as
    ``make run`` starts it; with ``gc_pauses`` (a file path), through benchmarks/_gc_probe.py,
    which records each garbage collection's pause there (``Server.gc_pauses`` reads them)."""
    server = ["config.daphne_server"] if gc_pauses is None else ["benchmarks._gc_probe", str(gc_pauses)]
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", *server, "-b", HOST, "-p", "0", *options, application],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        pauses = PauseLog(Path(gc_pauses)) if gc_pauses is not None else None
        yield Server(process, _wait_until_listening(process, Path(log)), Path(log), pauses)
    finally:
        _stop(process)


def _wait_until_listening(process, log):
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        found = LISTENING.search(log.read_text(errors="replace"))
        if found:
            return int(found.group(1))
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        time.sleep(0.05)
    raise RuntimeError(f"daphne did not listen within {STARTUP_SECONDS} s:\n{log.read_text(errors='replace')}")


def _stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def postgres_database(server_url, name):
    """A new, empty PostgreSQL database ``name`` on the server at ``server_url``
    (postgres://user@host:port); yields its URL and drops it on the way out, connections
    still open included."""
    import psycopg  # only the PostgreSQL runs need it

    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{server_url}/{name}"
    finally:
        with psycopg.connect(f"{server_url}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextmanager
def benchmark_site(application="config.asgi:application", collect_static=False, gc_pauses=False):
    """sgviz under daphne with production settings and a migrated SQLite database (seed
    lesson included) in a temporary folder; with ``collect_static``, static files are
    collected there first, so WhiteNoise serves the hashed, pre-compressed copies real users get;
    with ``gc_pauses``, the server records its garbage collections (``Server.gc_pauses``)."""
    with tempfile.TemporaryDirectory(prefix="sgviz-bench-") as folder:
        settings = {"DATABASE_URL": f"sqlite:///{folder}/db.sqlite3"}
        if collect_static:
            settings["STATIC_ROOT"] = f"{folder}/static"
        env = site_env(**settings)
        manage("migrate", "--noinput", env=env)
        manage("load_lessons", env=env)
        if collect_static:
            manage("collectstatic", "--noinput", env=env)
        pauses = Path(folder) / "gc-pauses.txt" if gc_pauses else None
        with daphne(application, env, Path(folder) / "daphne.log", gc_pauses=pauses) as server:
            yield server


def cpu_seconds(process):
    """The CPU time (user + system, all threads) a process has used so far, from Linux's /proc:
    unlike wall-clock latency, it does not grow when other work on the machine takes turns."""
    fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentiles(values):
    """(p50, p95) of the values."""
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94]


@dataclass(frozen=True)
class Row:
    measure: str
    target: str
    measured: str
    baseline: str
    ratio: str
    passed: bool | None  # None: a figure without a target of its own


def print_table(title, rows):
    """The summary: one row per figure, PASS or MISS against its target."""
    header = ("measure", "target", "measured", "baseline", "ratio", "result")
    results = {True: "PASS", False: "MISS", None: "-"}
    lines = [(row.measure, row.target, row.measured, row.baseline, row.ratio, results[row.passed]) for row in rows]
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]
    print(f"\n{title}")
    for line in [header, tuple("-" * width for width in widths), *lines]:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())
    missed = [row.measure for row in rows if row.passed is False]
    print(f"\n{'MISSED: ' + ', '.join(missed) if missed else 'All targets met.'}")
    return not missed


def machine_note():
    """The load on this machine when the run started: other work skews latencies."""
    one, five, _ = os.getloadavg()
    return f"{os.cpu_count()} CPUs, load average {one:.2f} (1 min) {five:.2f} (5 min), Python {sys.version.split()[0]}"


def ms(seconds):
    return f"{seconds * 1000:.2f} ms"


def ratio(measured, baseline):
    return f"{measured / baseline:.2f}x"
