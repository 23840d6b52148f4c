"""A class in real Chromium across the scaled deployment: the projector on one daphne process,
two learners' devices on another, Redis between them (under a key prefix of this test's own)
and one database. The database follows the suite's: a throwaway PostgreSQL database when
DATABASE_URL names PostgreSQL, else a SQLite file both processes open. Skipped, saying why,
when Redis does not answer here."""

import os
import re
import tempfile
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect, sync_playwright

from benchmarks._harness import Server, daphne, manage, postgres_database, site_env
from tests.classroom.test_redis import REDIS, redis_answers
from tests.classroom.test_two_processes import START_CLASS

from .base import launch_chromium, table_rows, tracker_cells
from .test_classroom import expect_class_step, join_class, panels_shown

pytestmark = pytest.mark.skipif(not redis_answers(), reason="no Redis on 127.0.0.1:6379")

# One manage.py run (each costs a Django start-up): the seed lesson, then START_CLASS (which
# makes the teacher), then the teacher signed in, as the projector's owner must be.
LOAD_LESSONS = """
from django.core.management import call_command
call_command("load_lessons")
"""
SIGN_IN_TEACHER = """
from django.test import Client
client = Client()
client.force_login(teacher)
print("OWNER", client.cookies["sessionid"].value)
"""
# The flowchart nodes the step has lit, by id.
VISITED_NODES = "nodes => nodes.map(node => node.dataset.node)"


@dataclass(frozen=True)
class TwoServers:
    a: Server  # the presenter's
    b: Server  # the learners'
    code: str
    owner_session: str


@contextmanager
def shared_database(folder):
    """The URL of a database for both processes, of the kind the suite runs on."""
    suite_database = os.environ.get("DATABASE_URL", "")
    if suite_database.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(suite_database)
        name = f"{parts.path.lstrip('/')}_two_servers_{os.getpid()}"
        with postgres_database(f"{parts.scheme}://{parts.netloc}", name) as url:
            yield url
    else:
        yield f"sqlite:///{folder}/db.sqlite3"


@pytest.fixture(scope="module")
def two_servers():
    with tempfile.TemporaryDirectory(prefix="sgviz-class-browser-") as folder, shared_database(folder) as database:
        env = site_env(
            DATABASE_URL=database,
            REDIS_URL=f"redis://{REDIS[0]}:{REDIS[1]}/0",
            REDIS_PREFIX=f"sgviz-classroom-browser-test-{os.getpid()}",
        )
        manage("migrate", "--noinput", env=env)
        started = manage("shell", "-c", LOAD_LESSONS + START_CLASS + SIGN_IN_TEACHER, env=env)
        code = re.search(r"^CLASS (\S+) ", started, re.M).group(1)
        owner_session = re.search(r"^OWNER (\S+)$", started, re.M).group(1)
        with ExitStack() as servers:
            a = servers.enter_context(daphne("config.asgi:application", env, Path(folder) / "a.log"))
            b = servers.enter_context(daphne("config.asgi:application", env, Path(folder) / "b.log"))
            yield TwoServers(a, b, code, owner_session)


@pytest.fixture
def browser(two_servers):
    # After the servers: they are separate programs (Popen closes Playwright's pipes for them).
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


def shown(page):
    """Everything of one class page that follows the presenter, as a reader sees it."""
    return {
        "step": page.locator("#step-status").inner_text(),
        "rows": table_rows(page),
        "tracker": tracker_cells(page),
        "caption": page.locator("#caption").inner_text(),
        "visited": page.locator(".flow-node.is-visited").evaluate_all(VISITED_NODES),
        "panels": panels_shown(page),
    }


def test_learners_on_another_process_see_what_the_projector_shows_and_their_votes_count(two_servers, browser):
    projector_context = browser.new_context(base_url=two_servers.a.url, viewport={"width": 1280, "height": 900})
    projector_context.add_cookies([{"name": "sessionid", "value": two_servers.owner_session, "url": two_servers.a.url}])
    projector = projector_context.new_page()
    projector.goto(f"/class/{two_servers.code}/projector/")
    expect(projector.locator("#class-connection")).to_have_text("Live")
    learners = [
        join_class(browser.new_context(base_url=two_servers.b.url, viewport={"width": 390, "height": 800}), two_servers.code, name)
        for name in ("Ada", "Grace")
    ]
    expect(projector.locator("#class-online")).to_have_text("2 learners connected")

    for action, step in [("step", 1), ("step", 2), ("back", 1)]:
        projector.locator(f'#class-controls [data-action="{action}"]').click()
        for page in [projector, *learners]:
            expect_class_step(page, step)
        on_the_projector = shown(projector)
        assert len(on_the_projector["rows"]) == step
        for learner in learners:
            assert shown(learner) == on_the_projector, f"after {action} to step {step}"

    projector.get_by_label("Ask the class").select_option("packet-2")
    projector.get_by_role("button", name="Open the vote").click()
    for learner, total in zip(learners, ["1 vote", "2 votes"]):
        choice = learner.get_by_role("button", name="it answers a tracked connection")
        choice.click()
        expect(choice).to_have_attribute("aria-pressed", "true")
        expect(projector.locator("#tally .tally__total")).to_have_text(total)
