"""The harness of the browser tests: a real daphne serving the site, Debian's Chromium driven
by Playwright.

Each test class starts one daphne (ChannelsLiveServerTestCase, in a forked process, its
websockets closing as config/daphne_server.py's do) and one headless Chromium; each test
gets a fresh browser context (its own cookies, so its own quiz session) and a database
holding the seed lesson again.
"""

import os
import re
import subprocess
from pathlib import Path

from channels.testing import ChannelsLiveServerTestCase
from daphne.testing import DaphneProcess
from playwright.sync_api import expect, sync_playwright

from benchmarks._harness import CHROMIUM, launch_chromium  # noqa: F401  (the browser tests take launch_chromium from here)
from conftest import SEED_SLUG, load_seed_lesson
from config.daphne_server import close_instead_of_dropping

# Where the screenshots go (gitignored): the test prints the full path.
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Waits cover the flowchart animation (at most 1.2 s a step at 1x) with a wide margin.
expect.set_options(timeout=10_000)


def installed_chromium_version():
    """`chromium --version` prints e.g. "Chromium 156.0.8078.108 built on Debian ..."."""
    output = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, check=True).stdout
    return re.search(r"\d+(\.\d+)+", output).group(0)


def allow_async_unsafe(allowed):
    """Playwright's sync API runs an event loop in this thread, so Django's ORM (used by the
    test case's flush and by load_seed_lesson) would refuse to run here. The flag is only set
    while no server process is being forked, so that daphne never inherits it and keeps
    catching real sync-in-async mistakes."""
    if allowed:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    else:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


class SgvizDaphneProcess(DaphneProcess):
    """daphne's test server process, whose server closes a failed websocket with a code
    (1009 for a message over the limit) as sgviz's daphne does, instead of dropping TCP."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kwargs["ready_callable"] = self.server_ready

    def server_ready(self):
        close_instead_of_dropping(self.server)  # in the server process, once run() built its factories


class BrowserTestCase(ChannelsLiveServerTestCase):
    ProtocolServerProcess = SgvizDaphneProcess
    # Static files come from WhiteNoise inside the application, as in production, not from
    # the test case's own static handler.
    serve_static = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()  # starts daphne
        allow_async_unsafe(True)
        cls.playwright = sync_playwright().start()
        try:
            cls.browser = launch_chromium(cls.playwright)
        except BaseException:  # tearDownClass will not run: stop daphne, or pytest waits for it
            cls.playwright.stop()
            allow_async_unsafe(False)
            super().tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        # daphne first: a server forked after Playwright started holds copies of the pipes to
        # Playwright's driver, which would wait forever for them to close.
        try:
            super().tearDownClass()
        finally:
            cls.browser.close()
            cls.playwright.stop()
            allow_async_unsafe(False)

    @classmethod
    def restart_server(cls):
        """Stop daphne (its connections drop as a crash would drop them) and start a new one on
        the same port."""
        port = cls._port
        cls._server_process.terminate()
        cls._server_process.join()
        allow_async_unsafe(False)
        try:
            cls._server_process = cls.ProtocolServerProcess(
                cls.host, cls._server_process.get_application, setup=cls._server_process.setup, port=port
            )
            cls._server_process.start()
            if not cls._server_process.ready.wait(timeout=30):
                raise RuntimeError("daphne did not start again")
        finally:
            allow_async_unsafe(True)

    def setUp(self):
        super().setUp()
        load_seed_lesson()  # the previous test's flush emptied the database
        self.context = self.new_context()
        self.context.set_default_timeout(10_000)  # a broken page fails fast, not after 30 s a step
        self.page = self.context.new_page()

    def tearDown(self):
        self.context.close()
        super().tearDown()

    def new_context(self, **options):
        options.setdefault("viewport", {"width": 1280, "height": 900})
        return self.browser.new_context(base_url=self.live_server_url, **options)

    # The lesson page -----------------------------------------------------------------------

    lesson_path = f"/lessons/{SEED_SLUG}/"

    def open_lesson(self, query="", page=None):
        """Open the seed lesson and wait until its player is connected to the server."""
        page = page or self.page
        response = page.goto(self.lesson_path + query)
        self.assertEqual(response.status, 200)
        self.expect_live(page)
        return response

    def expect_live(self, page=None):
        expect((page or self.page).locator("#player-connection")).to_have_text("Live")

    def expect_step(self, number, total=4, page=None):
        """The player shows step `number`, and the flowchart has finished drawing it."""
        page = page or self.page
        expect(page.locator("#step-status")).to_have_text(f"Step {number} of {total}")
        expect(page.locator("#player-scrubber")).to_have_value(str(number))
        if number:
            expect(page.locator(".flow-node.is-end")).to_have_count(1)
        else:
            expect(page.locator(".flow-node.is-visited")).to_have_count(0)

    def press_player(self, button_id, page=None):
        (page or self.page).locator(f"#{button_id}").click()

    def table_rows(self, page=None):
        return table_rows(page or self.page)

    def tracker_cells(self, page=None):
        return tracker_cells(page or self.page)


# Both read the page in one evaluation: a locator's evaluate_all finds the elements, then runs
# the function in a second round trip, and a frame swapped in between (a class page's first
# frame resets the table it was served with) leaves it holding detached rows, none "visible".


def table_rows(page):
    """The process table's rows a reader sees, as lists of cell texts (glyphs are
    aria-hidden: kept out; the "no packet yet" row only while it shows)."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('#exec-table tbody tr')).filter(row => row.checkVisibility()).map(row => Array.from(row.cells, cell => {
               const copy = cell.cloneNode(true);
               copy.querySelectorAll('[aria-hidden="true"]').forEach(hidden => hidden.remove());
               return copy.textContent.trim();
           }))"""
    )


def tracker_cells(page):
    """The status tracker's Connection State row: the text a reader sees in each column."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('#tracker tbody tr td'), cell => {
               const copy = cell.cloneNode(true);
               copy.querySelectorAll('.visually-hidden').forEach(hidden => hidden.remove());
               return copy.textContent.trim();
           })"""
    )
