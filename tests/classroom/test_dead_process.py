"""A real daphne process killed (SIGKILL) with learners connected: no disconnect runs, so their
Presence rows stay behind. They count as connected until they expire, then never (that the
next arrival deletes them is in test_presence). The count is read at moments the test chooses."""

import re
import tempfile
from contextlib import ExitStack
from pathlib import Path

from benchmarks._harness import daphne, manage, site_env

from .test_two_processes import START_CLASS, class_socket, session_of

# Prints, for the class, its Presence rows and the learners counted now and just past the expiry.
COUNT = """
from datetime import timedelta
from django.utils import timezone
from classroom.models import PRESENCE_EXPIRY_SECONDS, ClassSession
c = ClassSession.objects.get(code="{code}")
now = timezone.now()
print("COUNT", c.presences.count(), c.online_at(now), c.online_at(now + timedelta(seconds=PRESENCE_EXPIRY_SECONDS + 1)))
"""


def counts(code, env):
    """(rows, counted now, counted past the expiry)."""
    output = manage("shell", "-c", COUNT.format(code=code), env=env)
    return tuple(int(n) for n in re.search(r"^COUNT (\d+) (\d+) (\d+)$", output, re.M).groups())


def test_a_killed_process_leaves_its_learners_counted_only_until_they_expire():
    with tempfile.TemporaryDirectory(prefix="sgviz-presence-") as folder:
        env = site_env(DATABASE_URL=f"sqlite:///{folder}/db.sqlite3")
        manage("migrate", "--noinput", env=env)
        manage("load_lessons", env=env)
        code, _ = re.search(r"^CLASS (\S+) (\S+)$", manage("shell", "-c", START_CLASS, env=env), re.M).groups()
        with ExitStack() as sockets, daphne("config.asgi:application", env, Path(folder) / "a.log") as doomed:
            for n in range(3):
                class_socket(sockets, doomed, code, session_of(doomed, "/join/", {"code": code, "name": f"L{n}"}))
            assert counts(code, env) == (3, 3, 0)
            doomed.process.kill()  # SIGKILL: no disconnect, no cleanup of any kind
            doomed.process.wait()
            assert counts(code, env) == (3, 3, 0), "the dead process's rows stay, counted only until they expire"
