"""Every region a websocket fragment swaps is on each page that plays it. htmx reports a
fragment without its target (oobErrorNoTarget) and drops it, so a page that leaves out one
of the player's partials silently stops following the step."""

import re
from html.parser import HTMLParser

from channels.db import database_sync_to_async
from django.test import Client

from classroom.frames import FOLLOWER, PRESENTER, render_frame
from classroom.state import ClassState
from conftest import SEED_SLUG
from sandbox.models import Snapshot
from tests import test_consumer as consumer_tests
from tests.classroom.support import start_class
from tests.support.live import ANSWER_END

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
MOVES = ({"action": "step"}, {"action": "step"}, {"action": "back"}, {"action": "last"}, {"action": "first"})


class _Ids(HTMLParser):
    """The page's ids, and a fragment's targets: each top-level element's hx-swap-oob
    selector, or its id (the websocket extension swaps every top-level element by id)."""

    def __init__(self):
        super().__init__()
        self.depth, self.ids, self.targets = 0, set(), set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if self.depth == 0:
            oob = attrs.get("hx-swap-oob", "true")
            self.targets.add(oob.split(":", 1)[1] if ":" in oob else "#" + attrs.get("id", "?"))
        if tag not in VOID:
            self.depth += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.depth -= 1

    def handle_endtag(self, tag):
        if tag not in VOID:
            self.depth -= 1


def parsed(html):
    parser = _Ids()
    parser.feed(html)
    return parser


def missing(page_html, messages):
    """The targets of ``messages`` whose element (a selector's leading #id) the page lacks."""
    ids = parsed(page_html).ids
    targets = set().union(*(parsed(message).targets for message in messages))
    return sorted(t for t in targets if re.match(r"#([\w-]+)", t).group(1) not in ids)


class PlayerPagesTest(consumer_tests.ConsumerTestCase):
    def setUp(self):
        super().setUp()
        self.client = Client()
        self.client.post("/try/start/", {"start": "seed"})
        self.snapshot = self.client.post("/try/share/")["Location"]

    async def messages(self, path, cookie=None):
        """Everything a socket gets on connect and over a few moves each way."""
        headers = [consumer_tests.ORIGIN] + ([(b"cookie", cookie.encode())] if cookie else [])
        communicator = consumer_tests.WebsocketCommunicator(consumer_tests.application, path, headers=headers)
        self.assertTrue((await communicator.connect())[0])
        got = []
        try:
            for move in (None, *MOVES):
                if move is not None:
                    await communicator.send_json_to(move)
                while True:
                    message = await communicator.receive_from(timeout=3)
                    got.append(message)
                    if ANSWER_END in message:
                        break
        finally:
            await communicator.disconnect()
        return got

    async def test_every_player_page_has_every_target_of_its_sockets_fragments(self):
        cookie = f"sessionid={self.client.cookies['sessionid'].value}"
        pages = {
            consumer_tests.PATH.replace("/ws", "", 1): None,
            "/try/run/": cookie,
            f"/lessons/{SEED_SLUG}/try/run/": cookie,
            self.snapshot: None,
            self.snapshot + "embed/": None,
        }
        for page, page_cookie in pages.items():
            for query in ("", "?step=0", "?step=2"):
                client = self.client if page_cookie else Client()
                html = (await database_sync_to_async(client.get)(page + query)).content.decode()
                ws = re.search(r'ws-connect="([^"]+)"', html).group(1).replace("&amp;", "&")
                with self.subTest(page=page + query):
                    self.assertEqual(missing(html, await self.messages(ws, page_cookie)), [])


class ClassPagesTest(consumer_tests.ConsumerTestCase):
    """The class pages get their frames from classroom.frames, rendered here directly: the
    first (from an unknown step) and the moves each way, for each role."""

    def test_every_class_page_has_every_target_of_its_frames(self):
        class_session = start_class()
        teacher, learner = Client(), Client()
        teacher.force_login(class_session.owner)
        learner.post("/join/", {"code": class_session.code, "name": "Ada"})
        pages = {PRESENTER: (f"/class/{class_session.code}/projector/", teacher), FOLLOWER: (f"/class/{class_session.code}/", learner)}
        for role, (page, client) in pages.items():
            html = client.get(page).content.decode()
            self.assertIn('id="live"', html, page)
            frames = []
            for sequence, (previous, step) in enumerate(((None, 0), (0, 1), (1, 2), (2, 1), (1, 4), (4, 0))):
                frames.append(render_frame(class_session, ClassState(step=step, total=4, sequence=sequence + 100), role, previous))
            with self.subTest(page=page):
                self.assertEqual(missing(html, frames), [])

    def test_a_resynchronising_frame_swaps_only_elements_every_page_has(self):
        """Elements by id, and the tracker texts from the Start cell on, which always has
        one: found whatever rows the page holds, also none at step 0, where a deletion of
        rows found nothing (oobErrorNoTarget)."""
        class_session = start_class()
        learner = Client()
        learner.post("/join/", {"code": class_session.code, "name": "Ada"})
        page = learner.get(f"/class/{class_session.code}/").content.decode()  # the class is at step 0
        self.assertRegex(page, r'<td id="tracker-cell-0"[^>]*>(<span class="tracker-pending[^>]*>[^<]*</span>)?<span class="tracker-text">')
        for step in (0, 2, 4):
            frame = render_frame(class_session, ClassState(step=step, total=4, sequence=300 + step), FOLLOWER, None)
            with self.subTest(step=step):
                targets = parsed(frame).targets - {"#tracker-cells > td:nth-child(n+2) > .tracker-text"}
                self.assertEqual(sorted(t for t in targets if not re.fullmatch(r"#[\w-]+", t)), [])
