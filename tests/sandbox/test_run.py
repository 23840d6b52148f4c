"""Run: the draft and shared snapshots in the player, over HTTP and the websocket."""


from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from django.test import Client, TransactionTestCase

from config.asgi import application
from conftest import SEED_SCENARIO, SEED_SLUG, form_values
from lessons.models import Lesson
from sandbox.models import Snapshot
from tests.support.html import text
from tests.support.editor import placed_message
from tests.support.live import LiveView, receive_answer
from tests.support.seed import SEED_ROWS

ORIGIN = (b"origin", b"http://localhost:8000")
RUN_REFUSED = "✗ Not run: the scenario runs once its faults are fixed; each is shown at its field. Go to the first fault"


class RunTest(TransactionTestCase):
    # Not TestCase: channels' database_sync_to_async closes old connections (see tests/test_consumer.py).

    def setUp(self):
        self.client = Client()
        self.client.post("/try/start/", {"start": "seed"})

    def test_run_plays_the_draft_in_the_lesson_player_at_the_step_asked(self):
        page = self.client.get("/try/run/?step=2").content.decode()
        self.assertIn("Step 2 of 4", page)
        self.assertIn('ws-connect="/ws/sandbox/draft/?step=2"', page)
        self.assertIn('id="exec-steps"', page)

    def test_the_run_button_saves_then_opens_the_player(self):
        values = form_values(self.client.get("/try/").content.decode())
        response = self.client.post("/try/save/", values | {"action": "run", "sg0-name": "kept"})
        self.assertEqual(response["Location"], "/try/run/?step=0")
        htmx = self.client.post("/try/save/", form_values(self.client.get("/try/").content.decode()) | {"action": "run"}, HTTP_HX_REQUEST="true")
        self.assertEqual(htmx["HX-Redirect"], "/try/run/?step=0")

    def test_a_faulty_draft_does_not_run_and_says_why_beside_the_run_button_pressed(self):
        for pressed, place in (("run", "run-top-message"), ("run:end", "run-end-message")):
            values = form_values(self.client.get("/try/").content.decode())
            response = self.client.post("/try/save/", values | {"action": pressed, "inst0-private_ip": "10.0.1.999"})
            self.assertEqual(response["Location"], f"/try/#{place}")
            self.assertEqual(placed_message(self.client.get("/try/").content.decode(), place), RUN_REFUSED)
        self.assertEqual(self.client.get("/try/run/")["Location"], "/try/#run-top-message")
        self.assertIn("Not run:", placed_message(self.client.get("/try/").content.decode(), "run-top-message"))

    def test_with_htmx_a_refused_run_keeps_the_page_and_says_why_beside_the_button(self):
        values = form_values(self.client.get("/try/").content.decode())
        htmx = self.client.post("/try/save/", values | {"action": "run:end", "inst0-private_ip": "10.0.1.999"}, HTTP_HX_REQUEST="true")
        page = htmx.content.decode()
        self.assertEqual((htmx.status_code, htmx["HX-Reswap"]), (200, "none"))  # the fields stay as typed
        self.assertEqual(placed_message(page, "run-end-message"), RUN_REFUSED)
        self.assertEqual(placed_message(page, "run-top-message"), "")  # emptied: a save on change empties both
        self.assertIn('data-runs="false"', page)
        self.assertEqual(placed_message(self.client.get("/try/").content.decode(), "run-end-message"), "", "nothing left for the next page")

    def test_a_step_that_is_not_in_a_scenario_is_explained_in_the_words_of_a_scenario(self):
        self.client.post(f"/lessons/{SEED_SLUG}/try/start/", {"start": "seed"})
        location = self.client.post("/try/share/")["Location"]
        for page in ("/try/run/", f"/lessons/{SEED_SLUG}/try/run/", location, location + "embed/"):
            html = self.client.get(page + "?step=x").content.decode()
            self.assertIn("There is no step “x” in this scenario. Steps run from 0 to 4; showing step 4.", text(html), page)

    def test_a_shared_snapshot_plays_at_the_step_asked(self):
        location = self.client.post("/try/share/")["Location"]
        page = Client().get(location + "?step=3").content.decode()
        self.assertIn("Step 3 of 4", page)
        self.assertIn(f'ws-connect="{location.replace("/s/", "/ws/s/")}?step=3"', page)

    async def connect(self, path, cookie=None):
        headers = [ORIGIN] + ([(b"cookie", cookie.encode())] if cookie else [])
        communicator = WebsocketCommunicator(application, path, headers=headers)
        connected, _ = await communicator.connect()
        self.assertTrue(connected)
        return communicator

    async def test_the_websocket_plays_the_learners_own_draft(self):
        cookie = f"sessionid={self.client.cookies['sessionid'].value}"
        communicator = await self.connect("/ws/sandbox/draft/?step=2", cookie)
        view = LiveView()
        await receive_answer(communicator, view)
        self.assertEqual(view.table(), SEED_ROWS[:2])
        await communicator.disconnect()

    async def test_each_workspaces_websocket_plays_that_workspaces_draft(self):
        """One browser, two drafts: the sandbox's (the seed, four packets, from setUp) and the
        lesson's Try mode's, cut to three packets; each socket plays its own."""
        lesson_try = f"/lessons/{SEED_SLUG}/try/"
        values = form_values((await database_sync_to_async(self.client.get)(lesson_try)).content.decode())
        response = await database_sync_to_async(self.client.post)(lesson_try + "save/", values | {"action": "remove_entry:3"})
        self.assertEqual(response["Location"], lesson_try + "#b-add-packet")  # the last entry removed: at the timeline's add button
        cookie = f"sessionid={self.client.cookies['sessionid'].value}"
        for path, rows, total in (("/ws/sandbox/draft/?step=4", SEED_ROWS, 4), (f"/ws{lesson_try}?step=3", SEED_ROWS[:3], 3), ("/ws/sandbox/draft/?step=4", SEED_ROWS, 4)):
            communicator = await self.connect(path, cookie)
            view = LiveView()
            await receive_answer(communicator, view)
            self.assertEqual((view.table(), f"Step {total} of {total}" in view.state), (rows, True), path)
            await communicator.disconnect()

    async def test_a_signed_in_learners_socket_plays_their_accounts_draft_on_another_device(self):
        user = await User.objects.acreate(username="ada")
        devices = [Client(), Client()]
        for device in devices:
            await database_sync_to_async(device.force_login)(user)
        await database_sync_to_async(devices[0].post)("/try/start/", {"start": "seed"})
        communicator = await self.connect("/ws/sandbox/draft/?step=4", f"sessionid={devices[1].cookies['sessionid'].value}")
        view = LiveView()
        await receive_answer(communicator, view)
        self.assertEqual(view.table(), SEED_ROWS)
        await communicator.disconnect()

    async def test_without_a_draft_a_workspace_plays_what_it_starts_from(self):
        sandbox = await self.connect("/ws/sandbox/draft/")
        view = LiveView()
        await receive_answer(sandbox, view)
        self.assertEqual(view.table(), [], "the sandbox starts blank: no packet, no step")
        await sandbox.disconnect()
        lesson = await self.connect(f"/ws/lessons/{SEED_SLUG}/try/?step=4")
        await receive_answer(lesson, view)
        self.assertEqual(view.table(), SEED_ROWS, "a lesson's Try mode starts from the lesson's scenario")
        await lesson.disconnect()

    async def test_there_is_nothing_to_play_in_a_lesson_this_learner_may_not_open(self):
        await Lesson.objects.acreate(slug="unpublished", title="Unpublished", scenario=SEED_SCENARIO, published=False)
        for slug in ("no-such-lesson", "unpublished"):
            communicator = await self.connect(f"/ws/lessons/{slug}/try/")
            self.assertEqual((await communicator.receive_output())["type"], "websocket.close")
            await communicator.disconnect()

    async def test_the_websocket_plays_a_snapshot_for_anyone(self):
        await database_sync_to_async(self.client.post)("/try/share/")
        snapshot_id = await database_sync_to_async(lambda: Snapshot.objects.get().id)()
        communicator = await self.connect(f"/ws/s/{snapshot_id}/?step=4")
        view = LiveView()
        await receive_answer(communicator, view)
        self.assertEqual(view.table(), SEED_ROWS)
        await communicator.disconnect()
        unknown = await self.connect("/ws/s/aaaaaaaaaaaaaaaaaaaa/")
        self.assertEqual((await unknown.receive_output())["type"], "websocket.close")
        await unknown.disconnect()
