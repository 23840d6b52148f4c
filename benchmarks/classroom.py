"""A class of many learners: the presenter steps once a second, every learner's socket
receives the frame. Prints the latency from the presenter's send to each learner's receipt
(p50/p95/p99), frames lost and sequence gaps, against a baseline measured in the same run:
the same sockets each asking the server for the current frame (``sync``), one round trip.

    python benchmarks/classroom.py [--learners 500] [--seconds 30] [--redis redis://127.0.0.1:6379/0]

With ``--redis`` the presenter is on one daphne process and the learners on a second, over
Redis (key prefix ``sgviz-classroom-bench-<pid>``); without it, one daphne and the in-memory
channel layer. Targets (issue 10): p95 <= 150 ms, p99 <= 250 ms, nothing lost.
"""

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from websockets.asyncio.client import connect  # noqa: E402

from benchmarks._harness import daphne, exit_on_sigterm, manage, site_env  # noqa: E402

SEQUENCE = re.compile(r'id="class-state"[^>]*data-sequence="(\d+)"')
START = """
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from classroom.models import ClassSession
from classroom.views import LEARNERS, PRESENTING
from lessons.models import Lesson
teacher = User.objects.create_user("bench", is_staff=True)
c = ClassSession.objects.start(owner=teacher, lesson=Lesson.objects.get(slug="stateful-security-groups"))
def session(key, value):
    store = SessionStore()
    store[key] = value
    store.create()
    return store.session_key
print("PRESENTER", c.code, session(PRESENTING, [c.pk]))
for _ in range({learners}):
    print("LEARNER", session(LEARNERS, {{str(c.pk): c.learners.create().key}}))
"""
# The seed lesson has 4 steps: step through them and start over, so every press changes the class.
PRESSES = ["step", "step", "step", "step", "first"]
CONNECT_BATCH = 50  # under daphne's listen backlog


def sequence_of(text):
    found = SEQUENCE.search(text)
    return int(found.group(1)) if found else None


async def open_socket(server, code, session):
    socket = await connect(
        server.ws_url(f"/ws/class/{code}/"), origin=server.origin, additional_headers={"Cookie": f"sessionid={session}"},
        open_timeout=30, max_queue=None,
    )
    while sequence_of(await socket.recv()) is None:
        pass
    return socket


async def listen(socket, received):
    """Record (sequence, time) of every frame until the socket closes."""
    try:
        async for message in socket:
            sequence = sequence_of(message)
            if sequence is not None:
                received.append((sequence, time.perf_counter()))
    except Exception:  # the benchmark closes the sockets at its end
        pass


async def measure(presenter_server, learner_server, code, presenter_session, learner_sessions, seconds):
    presenter = await open_socket(presenter_server, code, presenter_session)
    learners = []
    for first in range(0, len(learner_sessions), CONNECT_BATCH):
        batch = learner_sessions[first:first + CONNECT_BATCH]
        learners += await asyncio.gather(*(open_socket(learner_server, code, session) for session in batch))
    await asyncio.sleep(1)
    received = [[] for _ in learners]
    listeners = [asyncio.create_task(listen(socket, log)) for socket, log in zip(learners, received)]
    presenter_frames = []
    presenter_listener = asyncio.create_task(listen(presenter, presenter_frames))
    sent = {}
    start_sequence = None
    for press in range(seconds):
        moment = time.perf_counter()
        await presenter.send(json.dumps({"action": PRESSES[press % len(PRESSES)]}))
        sent[press] = moment
        await asyncio.sleep(max(0.0, moment + 1 - time.perf_counter()))
        if start_sequence is None and presenter_frames:
            start_sequence = presenter_frames[0][0] - 1
    await asyncio.sleep(1)
    sent_at = {start_sequence + 1 + press: moment for press, moment in sent.items()}
    latencies, lost, gaps = [], 0, 0
    for log in received:
        seen = [sequence for sequence, _ in log]
        lost += len(set(sent_at) - set(seen))
        gaps += sum(1 for a, b in zip(seen, seen[1:]) if b > a + 1)
        latencies += [(at - sent_at[sequence]) * 1000 for sequence, at in log if sequence in sent_at]
    for task in listeners + [presenter_listener]:
        task.cancel()
    baseline = await round_trips(learners)
    for socket in learners + [presenter]:
        await socket.close()
    return latencies, lost, gaps, baseline


async def round_trips(sockets, rounds=5):
    """The baseline: each socket asks for the current frame once a second and times the answer."""
    times = []

    async def ask(socket):
        moment = time.perf_counter()
        await socket.send('{"action": "sync"}')
        while sequence_of(await socket.recv()) is None:
            pass
        times.append((time.perf_counter() - moment) * 1000)

    for _ in range(rounds):
        moment = time.perf_counter()
        await asyncio.gather(*(ask(socket) for socket in sockets))
        await asyncio.sleep(max(0.0, moment + 1 - time.perf_counter()))
    return times


def cuts(values):
    q = statistics.quantiles(values, n=100, method="inclusive")
    return f"p50 {q[49]:.0f} ms, p95 {q[94]:.0f} ms, p99 {q[98]:.0f} ms"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--redis", default="")
    options = parser.parse_args()
    exit_on_sigterm()
    with tempfile.TemporaryDirectory(prefix="sgviz-bench-class-") as folder, ExitStack() as stack:
        settings = {"DATABASE_URL": f"sqlite:///{folder}/db.sqlite3"}
        if options.redis:
            settings.update(REDIS_URL=options.redis, REDIS_PREFIX=f"sgviz-classroom-bench-{os.getpid()}")
        env = site_env(**settings)
        manage("migrate", "--noinput", env=env)
        lines = manage("shell", "-c", START.format(learners=options.learners), env=env).splitlines()
        _, code, presenter_session = next(line for line in lines if line.startswith("PRESENTER ")).split()
        learner_sessions = [line.split()[1] for line in lines if line.startswith("LEARNER ")]
        a = stack.enter_context(daphne("config.asgi:application", env, Path(folder) / "a.log"))
        b = stack.enter_context(daphne("config.asgi:application", env, Path(folder) / "b.log")) if options.redis else a
        latencies, lost, gaps, baseline = asyncio.run(measure(a, b, code, presenter_session, learner_sessions, options.seconds))
    layer = "two daphne processes over Redis" if options.redis else "one daphne, in-memory layer"
    print(f"classroom: {options.learners} learners, {options.seconds} presses, {layer}")
    print(f"  presenter -> learner: {cuts(latencies)} ({len(latencies)} frames received)")
    print(f"  lost: {lost}, sequence gaps: {gaps}")
    print(f"  baseline, sync round trip: {cuts(baseline)}")
    print("  target: p95 <= 150 ms, p99 <= 250 ms, nothing lost")


if __name__ == "__main__":
    main()
