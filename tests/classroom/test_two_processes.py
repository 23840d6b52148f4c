"""The scaled deployment's classroom: the presenter on one daphne process, the learners on
another, Redis between them (under a key prefix of this test's own) and one SQLite file
database. Skipped, saying why, when Redis does not answer here."""

import os
import re
import tempfile
from contextlib import ExitStack
from pathlib import Path

import pytest
import requests
from websockets.sync.client import connect

from benchmarks._harness import daphne, manage, site_env

from .test_redis import REDIS, redis_answers

START_CLASS = """
from django.contrib.auth.models import User
from classroom.models import ClassSession
from lessons.models import Lesson
teacher = User.objects.create_user("teacher", is_staff=True)
c = ClassSession.objects.start(owner=teacher, lesson=Lesson.objects.get(slug="stateful-security-groups"))
print("CLASS", c.code, c.presenter_secret)
"""
FRAME_STEP = re.compile(r'id="class-state"[^>]*data-step="(\d+)"')


def session_of(server, path, data=None):
    """A browser session on ``server``: GET ``path`` (and POST ``data`` to it with the CSRF
    token, as the join form does); returns the session cookie."""
    browser = requests.Session()
    browser.get(server.url + path, timeout=10).raise_for_status()
    if data is not None:
        answer = browser.post(server.url + path, data={**data, "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
                              headers={"Referer": server.url + path}, timeout=10, allow_redirects=False)
        assert answer.status_code == 302, answer.text[:500]
    return f"sessionid={browser.cookies['sessionid']}"


def class_socket(sockets, server, code, cookie):
    """A class socket, closed with the ExitStack ``sockets``, and the step of its first frame."""
    socket = sockets.enter_context(
        connect(server.ws_url(f"/ws/class/{code}/"), origin=server.origin, additional_headers={"Cookie": cookie}, open_timeout=10)
    )
    return socket, step_of(socket)


def step_of(socket):
    while True:
        found = FRAME_STEP.search(socket.recv(timeout=10))
        if found:
            return int(found.group(1))


@pytest.mark.skipif(not redis_answers(), reason="no Redis on 127.0.0.1:6379")
def test_learners_on_another_process_follow_the_presenter():
    with tempfile.TemporaryDirectory(prefix="sgviz-class-") as folder:
        env = site_env(
            DATABASE_URL=f"sqlite:///{folder}/db.sqlite3",
            REDIS_URL=f"redis://{REDIS[0]}:{REDIS[1]}/0",
            REDIS_PREFIX=f"sgviz-classroom-test-{os.getpid()}",
        )
        manage("migrate", "--noinput", env=env)
        manage("load_lessons", env=env)  # migrating no longer loads the seed lesson: its content file does
        code, secret = re.search(r"^CLASS (\S+) (\S+)$", manage("shell", "-c", START_CLASS, env=env), re.M).groups()
        with ExitStack() as stack:
            a = stack.enter_context(daphne("config.asgi:application", env, Path(folder) / "a.log"))
            b = stack.enter_context(daphne("config.asgi:application", env, Path(folder) / "b.log"))
            presenter, _ = class_socket(stack, a, code, session_of(a, f"/class/{code}/remote/{secret}/"))
            learners = [class_socket(stack, b, code, session_of(b, "/join/", {"code": code, "name": f"L{n}"})) for n in range(3)]
            assert [step for _, step in learners] == [0, 0, 0]
            presenter.send('{"action": "step"}')
            assert [step_of(socket) for socket, _ in learners] == [1, 1, 1]
            _, late_step = class_socket(stack, b, code, session_of(b, "/join/", {"code": code}))
            assert late_step == 1
