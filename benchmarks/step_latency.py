"""How long a learner waits for a step: 500 player actions over a real websocket to a real daphne.

Measures, per action, the time from sending it to receiving the whole answer. The player
consumer answers each action with the rows that changed (none, or one message per chunk)
and then ONE message holding every region of the step (player/partials/frame.html; its last
element is #player-error), so the answer is complete when that message has arrived; each
answer is checked for the step it should show and for that final element, and after the
run no further message may arrive.

Baseline, in the same run and the same daphne: an echo consumer (benchmarks/bench_asgi.py)
behind the same origin validator and middleware, answering each request with a message of
exactly the size of the lesson's answer it follows. Requests alternate between the two
sockets, each after the same idle pause (half the pacing interval): an echo sent straight after
an answer would find the process and the CPU caches warm and look faster than it is.

The actions cycle step, step, ..., back, ..., goto last, goto 0, so every one is valid and
moves the player. The consumer allows MESSAGES_PER_SECOND messages a second per connection
(a token bucket); sends are paced just under that rate, as a fast learner's key presses would
be, so the limit is never tripped and nothing in production is changed for the benchmark.

Run: .venv/bin/python benchmarks/step_latency.py   (about 30 s; exits 1 if a target is missed)
"""

import asyncio
import json
import os
import re
import sys
import time
from contextlib import suppress
from itertools import cycle, islice

from websockets.asyncio.client import connect

from _harness import ROOT, SEED_SLUG, Row, benchmark_site, exit_on_sigterm, machine_note, ms
from _harness import percentiles, print_table, ratio

ACTIONS = 500
WARMUP = 20
TARGET_P95 = 0.015
TARGET_RATIO = 2.0
PACING_MARGIN = 1.1  # send 10 % slower than the rate limit, so clock jitter never trips it
STEP_STATUS = re.compile(r'<output id="step-status"[^>]*>Step (\d+) of (\d+)</output>')
FINAL_ELEMENT = 'id="player-error"'
RATE_LIMITED = "Too many messages"


def rate_limit():
    """The lesson consumer's own limit, read from its code rather than copied here."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from player.machine import MESSAGES_PER_SECOND

    return MESSAGES_PER_SECOND


def actions(total):
    """(message, the step the answer must show): a cycle that visits every step both ways."""
    one_cycle = (
        [({"action": "step"}, number) for number in range(1, total + 1)]
        + [({"action": "back"}, number) for number in range(total - 1, -1, -1)]
        + [({"action": "goto", "step": total}, total), ({"action": "goto", "step": 0}, 0)]
    )
    return islice(cycle(one_cycle), WARMUP + ACTIONS)


def shown_step(answer):
    found = STEP_STATUS.search(answer)
    if found is None or FINAL_ELEMENT not in answer or RATE_LIMITED in answer:
        raise AssertionError(f"Not a complete step answer:\n{answer[:2000]}")
    return int(found.group(1)), int(found.group(2))


async def answer_of(socket):
    """Every message of one answer, joined: up to the one that ends with the final element."""
    messages = [await socket.recv()]
    while FINAL_ELEMENT not in messages[-1]:
        messages.append(await socket.recv())
    return "".join(messages)


async def sleep_until(moment):
    await asyncio.sleep(max(0.0, moment - time.perf_counter()))


async def measure(server, interval):
    lesson_times, echo_times, sizes = [], [], []
    async with (
        connect(server.ws_url(f"/ws/lessons/{SEED_SLUG}/"), origin=server.origin) as lesson,
        connect(server.ws_url("/ws/echo/"), origin=server.origin) as echo,
    ):
        _, total = shown_step(await answer_of(lesson))  # the frames sent on connect: step 0
        start = time.perf_counter()
        for index, (action, expected) in enumerate(actions(total)):
            await sleep_until(start + index * interval)
            sent = time.perf_counter()
            await lesson.send(json.dumps(action))
            answer = await answer_of(lesson)
            answered = time.perf_counter()
            if shown_step(answer) != (expected, total):
                raise AssertionError(f"{action} should show step {expected} of {total}:\n{answer[:2000]}")
            size = len(answer.encode())

            await sleep_until(start + (index + 0.5) * interval)  # idle before the echo too: same conditions
            sent_echo = time.perf_counter()
            await echo.send(json.dumps({"action": action["action"], "bytes": size}))
            reply = await echo.recv()
            echoed = time.perf_counter()
            if len(reply.encode()) != size:
                raise AssertionError(f"The echo answered {len(reply.encode())} bytes instead of {size}")

            if index >= WARMUP:
                lesson_times.append(answered - sent)
                echo_times.append(echoed - sent_echo)
                sizes.append(size)
        with suppress(TimeoutError):
            extra = await asyncio.wait_for(lesson.recv(), 0.5)
            raise AssertionError(f"The consumer sent a message nobody asked for:\n{extra[:2000]}")
    return lesson_times, echo_times, sizes, total


def main():
    exit_on_sigterm()
    interval = PACING_MARGIN / rate_limit()
    print(f"step_latency: {ACTIONS} actions (+{WARMUP} warm-up) over one websocket, one every {interval * 1000:.0f} ms")
    print(f"machine: {machine_note()}")
    with benchmark_site("benchmarks.bench_asgi:application") as server:
        lesson_times, echo_times, sizes, total = asyncio.run(measure(server, interval))
    lesson_p50, lesson_p95 = percentiles(lesson_times)
    echo_p50, echo_p95 = percentiles(echo_times)
    times_echo = lesson_p95 / echo_p95
    print(f"lesson: {total} steps; answers of {min(sizes)}-{max(sizes)} bytes, the rows that changed, then the step's regions")
    met = print_table(
        "Step latency: send the action -> whole answer received (baseline: echo of the same size)",
        [
            Row("step p50", "-", ms(lesson_p50), ms(echo_p50), ratio(lesson_p50, echo_p50), None),
            Row("step p95", "<= 15 ms", ms(lesson_p95), ms(echo_p95), ratio(lesson_p95, echo_p95), lesson_p95 <= TARGET_P95),
            Row("step p95 / echo p95", "<= 2.00x", ratio(lesson_p95, echo_p95), "-", "-", times_echo <= TARGET_RATIO),
        ],
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
