"""A class of many learners, three measurements (issue 10), each against a baseline of the same run.

    python benchmarks/classroom.py [--learners 500] [--seconds 30] [--redis redis://127.0.0.1:6379/0]
    python benchmarks/classroom.py --idle 2000
    python benchmarks/classroom.py --votes 500

Default, fan-out: the presenter steps once a second, every learner's socket receives the
frame. Prints the latency from the presenter's send to each learner's receipt (p50/p95/p99),
frames lost and sequence gaps, and the daphne processes' CPU time per press (wall time on a
shared machine grows with other work; CPU time does not). Baseline: the same sockets' count
of clients, each sending to an echo consumer in the same daphne (``benchmarks/bench_asgi.py``)
a message padded to the frame's size, once a second, and timing the echo; and each learner
asking for the current frame (``sync``). Targets: p95 <= 150 ms, p99 <= 250 ms, nothing lost.
With ``--redis`` the presenter is on one daphne process and the learners on a second, over
Redis (key prefix ``sgviz-classroom-bench-<pid>``); without it, one daphne and the in-memory
channel layer.

``--idle N``: N learners connect and stay idle; prints the daphne process's resident memory
(VmRSS) before any socket and with all N held. Target: 2,000 within 200 MB.

``--votes N``: the presenter opens a vote, the N learners vote spread over one second; prints
the votes counted in the database, the time from the last vote sent to the projector's tally
showing all N, and each learner's vote confirmation round trip. Target: N counted, the tally
right within 1 s of the last vote.
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

from benchmarks._harness import cpu_seconds, daphne, exit_on_sigterm, machine_note, manage, site_env  # noqa: E402
from benchmarks.bench_asgi import ECHO_PATH  # noqa: E402

SEQUENCE = re.compile(r'id="class-state"[^>]*data-sequence="(\d+)"')
TALLY = re.compile(r'class="tally__total">(\d+) vote')
MY_VOTE = 'id="my-vote-data"'
IDLE_TARGET_MB = 200
# daphne drops a handshake not accepted within 5 s; hundreds at once on a loaded machine take longer.
DAPHNE_OPTIONS = ("--websocket_connect_timeout", "60")
START = """
from django.db import transaction
transaction.set_autocommit(False)  # one commit for all the sessions: 2,000 commits take minutes on SQLite
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
from classroom.frames import questions_for
print("CHOICES", *[option.key for option in questions_for(c)["packet-1"].options])
for _ in range({learners}):
    print("LEARNER", session(LEARNERS, {{str(c.pk): c.learners.create().key}}))
transaction.commit()
"""
# The seed lesson has 4 steps: step through them and start over, so every press changes the class.
PRESSES = ["step", "step", "step", "step", "first"]
CONNECT_BATCH = 50  # under daphne's listen backlog


def sequence_of(text):
    found = SEQUENCE.search(text)
    return int(found.group(1)) if found else None


async def open_socket(server, code, session):
    """A class socket, once it has shown its first frame; the frame's sequence is kept on it."""
    socket = await connect(
        server.ws_url(f"/ws/class/{code}/"), origin=server.origin, additional_headers={"Cookie": f"sessionid={session}"},
        open_timeout=60, max_queue=None,
    )
    socket.first_sequence = None
    while socket.first_sequence is None:
        socket.first_sequence = sequence_of(await socket.recv())
    return socket


async def open_sockets(server, code, sessions):
    sockets = []
    for first in range(0, len(sessions), CONNECT_BATCH):
        batch = sessions[first:first + CONNECT_BATCH]
        sockets += await asyncio.gather(*(open_socket(server, code, session) for session in batch))
    return sockets


async def listen(socket, received, pattern=SEQUENCE, sizes=None):
    """Record (the pattern's number, time) of every message until the socket closes, and
    the messages' sizes in bytes into ``sizes`` if given."""
    try:
        async for message in socket:
            found = pattern.search(message)
            if found:
                received.append((int(found.group(1)), time.perf_counter()))
                if sizes is not None:
                    sizes.append(len(message.encode()))
    except Exception:  # the benchmark closes the sockets at its end
        pass


async def measure_fanout(presenter_server, learner_server, code, presenter_session, learner_sessions, seconds):
    presenter = await open_socket(presenter_server, code, presenter_session)
    learners = await open_sockets(learner_server, code, learner_sessions)
    await asyncio.sleep(1)
    received = [[] for _ in learners]
    sizes = []
    listeners = [asyncio.create_task(listen(socket, log)) for socket, log in zip(learners[1:], received[1:])]
    listeners.append(asyncio.create_task(listen(learners[0], received[0], sizes=sizes)))
    presenter_frames = []
    presenter_listener = asyncio.create_task(listen(presenter, presenter_frames))
    servers = {presenter_server, learner_server}
    cpu_before = sum(cpu_seconds(server.process) for server in servers)
    client_before = time.process_time()
    sent = {}
    for press in range(seconds):
        moment = time.perf_counter()
        await presenter.send(json.dumps({"action": PRESSES[press % len(PRESSES)]}))
        sent[press] = moment
        await asyncio.sleep(max(0.0, moment + 1 - time.perf_counter()))
    await asyncio.sleep(1)
    cpu_per_press = (sum(cpu_seconds(server.process) for server in servers) - cpu_before) / seconds
    client_per_press = (time.process_time() - client_before) / seconds
    # Every press changes the class (PRESSES), and nothing else moves its sequence meanwhile.
    sent_at = {presenter.first_sequence + 1 + press: moment for press, moment in sent.items()}
    latencies, lost, gaps = [], 0, 0
    for log in received:
        seen = [sequence for sequence, _ in log]
        lost += len(set(sent_at) - set(seen))
        gaps += sum(1 for a, b in zip(seen, seen[1:]) if b > a + 1)
        latencies += [(at - sent_at[sequence]) * 1000 for sequence, at in log if sequence in sent_at]
    for task in listeners + [presenter_listener]:
        task.cancel()
    sync_times = await round_trips(learners, '{"action": "sync"}', lambda text: sequence_of(text) is not None)
    for socket in learners + [presenter]:
        await socket.close()
    frame_bytes = round(statistics.mean(sizes))
    echo_times = await echo_round_trips(learner_server, len(learners), frame_bytes)
    return latencies, lost, gaps, (cpu_per_press, client_per_press), echo_times, frame_bytes, sync_times


async def echo_round_trips(server, count, frame_bytes, rounds=5):
    """The issue's baseline: as many sockets, to an echo consumer in the same daphne, each
    sending once a second a message that comes back padded to a frame's size."""
    sockets = []
    for first in range(0, count, CONNECT_BATCH):
        sockets += await asyncio.gather(*(
            connect(server.ws_url(ECHO_PATH), origin=server.origin, open_timeout=60, max_queue=None)
            for _ in range(min(CONNECT_BATCH, count - first))
        ))
    times = await round_trips(sockets, json.dumps({"bytes": frame_bytes}), lambda text: True, rounds)
    for socket in sockets:
        await socket.close()
    return times


async def round_trips(sockets, message, is_answer, rounds=5):
    """Each socket sends ``message`` once a second and times the answer."""
    times = []

    async def ask(socket):
        moment = time.perf_counter()
        await socket.send(message)
        while not is_answer(await socket.recv()):
            pass
        times.append((time.perf_counter() - moment) * 1000)

    for _ in range(rounds):
        moment = time.perf_counter()
        await asyncio.gather(*(ask(socket) for socket in sockets))
        await asyncio.sleep(max(0.0, moment + 1 - time.perf_counter()))
    return times


def resident_mb(process):
    """The process's resident memory (VmRSS) in MB, from Linux's /proc."""
    for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc status")


async def measure_idle(server, code, learner_sessions):
    await asyncio.sleep(1)
    before = resident_mb(server.process)
    learners = await open_sockets(server, code, learner_sessions)
    await asyncio.sleep(5)  # let the connections settle (handshakes' garbage collected)
    held = resident_mb(server.process)
    cpu_before = cpu_seconds(server.process)
    await asyncio.sleep(5)
    idle_cpu = (cpu_seconds(server.process) - cpu_before) / 5
    for socket in learners:
        await socket.close()
    return before, held, idle_cpu


async def measure_votes(server, code, presenter_session, learner_sessions, choices):
    presenter = await open_socket(server, code, presenter_session)
    learners = await open_sockets(server, code, learner_sessions)
    tallies = []
    presenter_listener = asyncio.create_task(listen(presenter, tallies, TALLY))
    await presenter.send(json.dumps({"action": "ask", "question": "packet-1"}))
    await asyncio.sleep(2)  # every learner has the question on screen
    confirmations = []
    last_sent = 0.0

    async def vote(index, socket):
        nonlocal last_sent
        await asyncio.sleep(index / len(learners))  # spread over one second
        moment = time.perf_counter()
        await socket.send(json.dumps({"action": "vote", "choice": choices[index % len(choices)]}))
        last_sent = max(last_sent, moment)
        while MY_VOTE not in await socket.recv():
            pass
        confirmations.append((time.perf_counter() - moment) * 1000)

    await asyncio.wait_for(asyncio.gather(*(vote(index, socket) for index, socket in enumerate(learners))), 60)
    deadline = time.perf_counter() + 10
    while time.perf_counter() < deadline and not any(total == len(learners) for total, _ in tallies):
        await asyncio.sleep(0.05)
    presenter_listener.cancel()
    right_at = next((at for total, at in tallies if total == len(learners)), None)
    for socket in learners + [presenter]:
        await socket.close()
    return confirmations, (right_at - last_sent) * 1000 if right_at else None, max((t for t, _ in tallies), default=0)


COUNT_VOTES = "from classroom.models import Vote; print('VOTES', Vote.objects.count())"


def cuts(values):
    q = statistics.quantiles(values, n=100, method="inclusive")
    return f"p50 {q[49]:.0f} ms, p95 {q[94]:.0f} ms, p99 {q[98]:.0f} ms"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--redis", default="")
    parser.add_argument("--idle", type=int, default=0, metavar="N", help="hold N idle learners and print daphne's memory")
    parser.add_argument("--profile", default="", metavar="FOLDER", help="write each daphne's CPU-time profile (pstats) there")
    parser.add_argument("--votes", type=int, default=0, metavar="N", help="N learners vote within one second")
    options = parser.parse_args()
    if options.idle and options.votes:
        parser.error("choose one of --idle and --votes")
    exit_on_sigterm()
    learners = options.idle or options.votes or options.learners
    print(f"machine: {machine_note()}")
    with tempfile.TemporaryDirectory(prefix="sgviz-bench-class-") as folder, ExitStack() as stack:
        settings = {"DATABASE_URL": f"sqlite:///{folder}/db.sqlite3"}
        if options.redis:
            settings.update(REDIS_URL=options.redis, REDIS_PREFIX=f"sgviz-classroom-bench-{os.getpid()}")
        env = site_env(**settings)
        manage("migrate", "--noinput", env=env)
        manage("load_lessons", env=env)
        lines = manage("shell", "-c", START.format(learners=learners), env=env).splitlines()
        _, code, presenter_session = next(line for line in lines if line.startswith("PRESENTER ")).split()
        choices = next(line for line in lines if line.startswith("CHOICES ")).split()[1:]
        learner_sessions = [line.split()[1] for line in lines if line.startswith("LEARNER ")]
        app = "benchmarks.bench_asgi:application"
        profile = (lambda name: {"SGVIZ_BENCH_PROFILE": str(Path(options.profile).resolve() / f"{name}.pstats")}) if options.profile else (lambda name: {})
        a = stack.enter_context(daphne(app, {**env, **profile("a")}, Path(folder) / "a.log", *DAPHNE_OPTIONS))
        b = stack.enter_context(daphne(app, {**env, **profile("b")}, Path(folder) / "b.log", *DAPHNE_OPTIONS)) if options.redis else a
        layer = "two daphne processes over Redis" if options.redis else "one daphne, in-memory layer"
        if options.idle:
            before, held, idle_cpu = asyncio.run(measure_idle(a, code, learner_sessions))
            print(f"classroom, idle: {learners} learners held by one daphne ({layer})")
            print(f"  resident memory: {held:.0f} MB with {learners} sockets; baseline, the same daphne before any socket: {before:.0f} MB")
            print(f"  per socket: {(held - before) * 1024 / learners:.0f} KB; daphne's CPU while idle: {idle_cpu * 100:.1f}% of a core")
            print(f"  target: {learners} within {IDLE_TARGET_MB} MB: {'PASS' if held <= IDLE_TARGET_MB else 'MISS'}")
            return
        if options.votes:
            confirmations, tally_ms, best = asyncio.run(measure_votes(a, code, presenter_session, learner_sessions, choices))
            counted = int(next(line for line in manage("shell", "-c", COUNT_VOTES, env=env).splitlines() if line.startswith("VOTES")).split()[1])
            print(f"classroom, votes: {learners} learners voting within one second ({layer})")
            print(f"  counted in the database: {counted} of {learners}")
            print(f"  projector's tally showing all {learners}: " + (f"{tally_ms:.0f} ms after the last vote was sent" if tally_ms is not None else f"never (highest shown {best})"))
            print(f"  baseline, each learner's vote confirmation round trip: {cuts(confirmations)}")
            print(f"  target: {learners} counted, the tally right within 1000 ms of the last vote")
            return
        latencies, lost, gaps, cpu_per_press, echo_times, frame_bytes, sync_times = asyncio.run(
            measure_fanout(a, b, code, presenter_session, learner_sessions, options.seconds)
        )
    print(f"classroom: {options.learners} learners, {options.seconds} presses, {layer}")
    print(f"  presenter -> learner: {cuts(latencies)} ({len(latencies)} frames received)")
    print(f"  lost: {lost}, sequence gaps: {gaps}")
    server_cpu, client_cpu = cpu_per_press
    print(f"  daphne CPU time per press (all processes): {server_cpu * 1000:.0f} ms; this client's (its {options.learners} sockets' receiving, same machine): {client_cpu * 1000:.0f} ms")
    print(f"  baseline, echo round trip ({len(echo_times) // 5} sockets, {frame_bytes} bytes, the frames' mean size): {cuts(echo_times)}")
    print(f"  baseline, sync round trip: {cuts(sync_times)}")
    print("  target: p95 <= 150 ms, p99 <= 250 ms, nothing lost")


if __name__ == "__main__":
    main()
