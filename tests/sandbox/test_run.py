"""Run: the draft and shared snapshots in the player, over HTTP and the websocket."""


from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client, TransactionTestCase

from config.asgi import application
from conftest import form_values
from sandbox.models import Snapshot
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

    async def test_without_a_draft_there_is_nothing_to_play(self):
        communicator = await self.connect("/ws/sandbox/draft/")
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
