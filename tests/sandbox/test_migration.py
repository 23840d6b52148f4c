"""sandbox's migration 0002: the drafts browser sessions held by token become their learners'
rows, and keep working; and back."""

from datetime import timedelta

from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client, TransactionTestCase
from django.utils import timezone

from conftest import SEED_SCENARIO, form_values
from sandbox.models import Draft

BEFORE = [("sandbox", "0001_initial")]
AFTER = [("sandbox", "0002_drafts_per_learner_and_workspace")]
LATEST = [("sandbox", "0003_draft_replaced")]  # what the site's models need
TOKEN_KEY = "sandbox_draft"  # where a session held its draft's token before 0002


def migrate(targets):
    """Migrate the test database to ``targets``; the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def named(name):
    """The seed scenario with its group renamed: a draft a learner changed."""
    return {**SEED_SCENARIO, "security_groups": [{**SEED_SCENARIO["security_groups"][0], "GroupName": name}]}


class DraftsBecomeTheirLearnersRowsTest(TransactionTestCase):
    def tearDown(self):
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
        super().tearDown()

    def old_draft(self, apps, name, session=None, updated=None):
        """A draft as 0001 kept it, its token held by ``session`` (a session key) if given."""
        draft = apps.get_model("sandbox", "Draft").objects.create(document=named(name), version=3, updated=updated or timezone.now())
        if session is not None:
            store = SessionStore(session_key=session)
            store[TOKEN_KEY] = draft.token
            store.save()
        return draft

    def browser(self, session_key=None):
        client = Client()
        if session_key is not None:
            client.cookies["sessionid"] = session_key
        return client

    def test_every_draft_a_live_session_held_is_its_learners_sandbox_draft_after_the_migration(self):
        old = migrate(BEFORE)
        anonymous = SessionStore()
        anonymous.create()
        ada = User.objects.create_user("ada")
        devices = [Client(), Client()]
        for device in devices:
            device.force_login(ada)
        self.old_draft(old, "anonymous's", session=anonymous.session_key)
        self.old_draft(old, "ada's on her laptop, earlier", session=devices[0].session.session_key, updated=timezone.now() - timedelta(hours=1))
        self.old_draft(old, "ada's on her phone, later", session=devices[1].session.session_key)
        self.old_draft(old, "no session holds it")
        expired = SessionStore()
        expired.create()
        self.old_draft(old, "its session expired", session=expired.session_key)
        Session.objects.filter(session_key=expired.session_key).update(expire_date=timezone.now() - timedelta(days=1))

        after = migrate(AFTER)
        rows = {(draft.user_id, draft.session_key, draft.lesson_id): draft.document["security_groups"][0]["GroupName"] for draft in after.get_model("sandbox", "Draft").objects.all()}
        migrate(LATEST)
        self.assertEqual(rows, {(None, anonymous.session_key, None): "anonymous's", (ada.pk, "", None): "ada's on her phone, later"})
        page = self.browser(anonymous.session_key).get("/try/").content.decode()
        values = form_values(page)
        self.assertEqual((values["sg0-name"], values["version"]), ("anonymous's", "3"))
        self.assertEqual(self.browser(anonymous.session_key).post("/try/save/", values | {"sg0-name": "still mine"}).status_code, 302)
        self.assertEqual(Draft.objects.get(user=None).document["security_groups"][0]["GroupName"], "still mine")
        for device in devices:
            self.assertEqual(form_values(device.get("/try/").content.decode())["sg0-name"], "ada's on her phone, later")

    def test_going_back_gives_each_sessions_sandbox_draft_a_token_it_holds(self):
        migrate(LATEST)
        anonymous = SessionStore()
        anonymous.create()
        self.browser(anonymous.session_key).post("/try/start/", {"start": "seed"})
        self.browser(anonymous.session_key).post("/lessons/stateful-security-groups/try/start/", {"start": "blank"})
        old = migrate(BEFORE)
        (draft,) = old.get_model("sandbox", "Draft").objects.all()
        self.assertEqual(SessionStore(session_key=anonymous.session_key).load()[TOKEN_KEY], draft.token)
        self.assertEqual(draft.document["security_groups"][0]["GroupName"], "web-server")
