"""The scaled deployment: two daphne processes serve one site from PostgreSQL and Redis.

A proxy in front may send each request and each websocket to either process, so whatever a
learner did through one must show through the other. These tests start two real daphne
processes (production settings: DEBUG off, loopback only) on a throwaway PostgreSQL
database they create, migrate and drop themselves, whatever database the rest of the suite
uses. They skip, saying why, when PostgreSQL or Redis does not answer on this machine.
"""

import json
import os
import re
import socket
import subprocess
import sys
from contextlib import ExitStack
from dataclasses import dataclass

import psycopg
import pytest
import requests
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from benchmarks._harness import ROOT, SEED_SLUG, Server, daphne, manage, postgres_database, site_env

POSTGRES = ("127.0.0.1", 5432)
REDIS = ("127.0.0.1", 6379)
POSTGRES_URL = f"postgres://postgres@{POSTGRES[0]}:{POSTGRES[1]}"
REDIS_URL = f"redis://{REDIS[0]}:{REDIS[1]}/0"
PAGE = f"/lessons/{SEED_SLUG}/"
TIMEOUT = 15
STEP_STATUS = re.compile(r'<output id="step-status"[^>]*>Step (\d+) of (\d+)</output>')

# Run in a process of its own with the site's settings: each prints what the test checks.
RECEIVE = """
import asyncio, json, django
django.setup()
from channels.layers import get_channel_layer

async def main():
    layer = get_channel_layer()
    channel = await layer.new_channel()
    print(type(layer).__name__, channel, flush=True)
    print(json.dumps(await asyncio.wait_for(layer.receive(channel), 20)), flush=True)

asyncio.run(main())
"""
SEND = """
import asyncio, sys, django
django.setup()
from channels.layers import get_channel_layer

asyncio.run(get_channel_layer().send(sys.argv[1], {"type": "scaled.check", "text": sys.argv[2]}))
"""


@dataclass(frozen=True)
class Deployment:
    a: Server
    b: Server
    env: dict


def answers(address):
    try:
        socket.create_connection(address, timeout=2).close()
        return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    services = {"PostgreSQL": POSTGRES, "Redis": REDIS}
    silent = [f"{name} on {host}:{port}" for name, (host, port) in services.items() if not answers((host, port))]
    if silent:
        pytest.skip(f"The scaled deployment needs {' and '.join(silent)}, which did not answer")
    database = f"sgviz_scaled_{os.getpid()}"
    logs = tmp_path_factory.mktemp("daphne")
    with postgres_database(POSTGRES_URL, database) as database_url:
        env = site_env(DATABASE_URL=database_url, REDIS_URL=REDIS_URL, REDIS_PREFIX=database)
        manage("migrate", "--noinput", env=env)
        manage("load_lessons", env=env)
        with ExitStack() as servers:
            a = servers.enter_context(daphne("config.asgi:application", env, logs / "a.log"))
            b = servers.enter_context(daphne("config.asgi:application", env, logs / "b.log"))
            yield Deployment(a, b, env)


def test_each_process_serves_the_seed_lesson(deployment):
    pages = [requests.get(server.url + PAGE, timeout=TIMEOUT) for server in (deployment.a, deployment.b)]

    for page in pages:
        assert page.status_code == 200
        assert "Stateful behavior of security groups in AWS" in page.text
        assert STEP_STATUS.search(page.text).groups() == ("4", "4")  # without ?step=, after the last step


def answer(socket_):
    """One answer of the player: the rows that changed, then the state message, which ends it."""
    messages = [socket_.recv(timeout=TIMEOUT)]
    while 'id="player-error"' not in messages[-1]:
        messages.append(socket_.recv(timeout=TIMEOUT))
    return messages[-1]


def test_a_websocket_to_each_process_steps_through_the_lesson(deployment):
    for server in (deployment.a, deployment.b):
        with connect(server.ws_url(f"/ws/lessons/{SEED_SLUG}/"), origin=server.origin, open_timeout=TIMEOUT) as socket_:
            step, total = map(int, STEP_STATUS.search(answer(socket_)).groups())
            assert (step, total) == (0, 4)

            socket_.send(json.dumps({"action": "step"}))
            first = answer(socket_)
            socket_.send(json.dumps({"action": "goto", "step": total}))
            last = answer(socket_)

        assert STEP_STATUS.search(first).groups() == ("1", "4")
        assert STEP_STATUS.search(last).groups() == ("4", "4")
        assert 'id="flow-state"' in last and 'id="player-error"' in last


def test_each_process_refuses_a_websocket_from_another_site(deployment):
    for server in (deployment.a, deployment.b):
        with pytest.raises(InvalidStatus) as refused:
            connect(server.ws_url(f"/ws/lessons/{SEED_SLUG}/"), origin="http://evil.example", open_timeout=TIMEOUT)
        assert refused.value.response.status_code == 403


def test_a_quiz_answer_given_through_one_process_shows_through_the_other(deployment):
    browser = requests.Session()  # one cookie jar: a proxy sends the learner to either process
    page = browser.get(deployment.a.url + PAGE, timeout=TIMEOUT).text
    action, question = re.search(rf'action="({PAGE}quiz/(\d+)/)"', page).groups()
    form = page[page.index(f'id="question-{question}"') :]
    option = re.search(r'name="option" value="(\d+)"', form).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)

    answer = {"option": option, "csrfmiddlewaretoken": token}
    answered = browser.post(deployment.a.url + action, data=answer, allow_redirects=False, timeout=TIMEOUT)
    reloaded = browser.get(deployment.b.url + PAGE, timeout=TIMEOUT).text

    assert answered.status_code == 302, answered.text[:2000]
    chosen = re.search(rf'<button id="option-{option}" class="([^"]*)"', reloaded).group(1)
    assert "is-chosen" in chosen.split()
    assert "(1 answered)" in reloaded
    with psycopg.connect(deployment.env["DATABASE_URL"]) as database:
        stored = database.execute("SELECT session_key FROM django_session").fetchall()
    assert stored == [(browser.cookies["sessionid"],)]  # kept in PostgreSQL, where both processes read it


def test_the_channel_layer_carries_a_message_from_one_process_to_another(deployment):
    receiver = subprocess.Popen(
        [sys.executable, "-c", RECEIVE], cwd=ROOT, env=deployment.env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        announced = receiver.stdout.readline()
        assert announced, receiver.stderr.read()  # it ended before opening its channel: say why
        backend, channel = announced.split()
        nonce = os.urandom(8).hex()
        sender = [sys.executable, "-c", SEND, channel, nonce]
        subprocess.run(sender, cwd=ROOT, env=deployment.env, check=True, timeout=TIMEOUT)
        received, errors = receiver.communicate(timeout=TIMEOUT)
    finally:
        receiver.kill()
        receiver.wait()

    assert backend == "RedisChannelLayer", errors
    assert json.loads(received) == {"type": "scaled.check", "text": nonce}
