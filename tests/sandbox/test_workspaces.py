"""Workspaces: the sandbox (/try/) and each lesson's Try mode (/lessons/<slug>/try/) hold a
draft each per learner. A lesson's Try mode opens on the lesson's scenario under the lesson's
header and mode bar, and every action there stays there and acts on its own draft; no
workspace's posts ever change another's draft, however two tabs interleave them (Django's
test client, SQLite)."""

import json
import re

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SEED_SLUG, form_values
from lessons.content import CONTENT_DIR, load_lesson
from lessons.models import Lesson, LessonMode
from sandbox.document import MAX_DOCUMENT_BYTES, normalize
from sandbox.models import Draft, Snapshot
from sandbox.workspaces import lesson_scenario
from sgviz.engine import dump_scenario, load_scenario
from tests.practice.support import page_text
from tests.support.editor import posted

pytestmark = pytest.mark.django_db

SANDBOX = "/try/"
LESSON_TRY = f"/lessons/{SEED_SLUG}/try/"
THREE_TIER = open("/work/shared/fixtures/aws/three-tier-describe-security-groups.json").read()
TRY_IS_CURRENT = f'<a class="mode is-active" href="{LESSON_TRY}" aria-current="page">Try</a>'


def drafts(client):
    """The client's browser session's drafts: workspace (a lesson's slug, None: the sandbox) -> document."""
    rows = Draft.objects.filter(session_key=client.session.session_key, user=None).select_related("lesson")
    return {row.lesson.slug if row.lesson else None: row.document for row in rows}


def editor_addresses(html):
    """Where the page's editor sends the learner: every form's action, link, htmx post, Run's
    address and player socket under the site's header, anchors and queries left out."""
    main = html[html.index("<main") :]
    return re.findall(r'(?:action|href|hx-post|data-run-url|ws-connect)="([^"#?]*)', main)


def assert_in_the_lessons_try_mode(html):
    """The page is the lesson's Try mode: its header and mode bar, Try marked, and every one
    of its editor's addresses in the lesson's Try mode, none in the sandbox."""
    assert "Choose your learning style" in html and TRY_IS_CURRENT in html
    tries = [address for address in editor_addresses(html) if "try/" in address]
    assert tries and all(address.startswith((LESSON_TRY, f"/ws{LESSON_TRY}")) for address in tries), tries


def lesson_page(client):
    response = client.get(LESSON_TRY)
    assert response.status_code == 200
    return response.content.decode()


def test_a_newcomers_lessons_try_mode_shows_the_lessons_scenario_under_its_header_and_mode_bar(client, seed_lesson):
    html = lesson_page(client)
    assert_in_the_lessons_try_mode(html)
    assert f'<h1 id="lesson-title">{seed_lesson.title}<span class="lesson-subtitle"> - Try</span></h1>' in html
    shown, expected = form_values(html), posted(normalize(seed_lesson.scenario))
    assert shown.items() >= expected.items()
    assert {name for name in shown if name.endswith("-present")} == {name for name in expected if name.endswith("-present")}
    assert not Draft.objects.exists(), "reading a page never writes"


def test_a_try_mode_with_a_scenario_of_its_own_starts_from_that_one(client, without_seed_modes):
    own = json.loads(json.dumps(without_seed_modes.scenario))
    own["timeline"] = own["timeline"][:1]
    LessonMode.objects.create(lesson=without_seed_modes, mode="try", scenario=own)
    shown = form_values(lesson_page(client))
    assert "t0-present" in shown and "t1-present" not in shown


def test_save_and_every_button_stay_in_the_lessons_try_mode_and_change_its_draft_only(client, seed_lesson):
    values = form_values(lesson_page(client))
    response = client.post(LESSON_TRY + "save/", values | {"sg0-name": "typed here"})
    assert response["Location"] == LESSON_TRY + "#editor"
    response = client.post(LESSON_TRY + "save/", form_values(lesson_page(client)) | {"action": "add_rule:0:out"})
    assert response["Location"] == LESSON_TRY + "#f-sg0-out0-protocol"  # at the rule added, in the lesson's Try mode
    html = lesson_page(client)
    assert_in_the_lessons_try_mode(html)
    assert form_values(html)["sg0-name"] == "typed here" and "sg0-out0-present" in form_values(html)
    assert list(drafts(client)) == [SEED_SLUG]
    assert drafts(client)[SEED_SLUG]["security_groups"][0]["GroupName"] == "typed here"


def test_with_htmx_a_save_on_change_and_a_button_answer_with_the_lessons_addresses(client, seed_lesson):
    values = form_values(lesson_page(client))
    autosave = client.post(LESSON_TRY + "save/", values | {"sg0-name": "typed", "action": "autosave"}, HTTP_HX_REQUEST="true")
    assert autosave.status_code == 200 and autosave["HX-Reswap"] == "none"
    values |= form_values(autosave.content.decode())  # the version and base it came back with
    pressed = client.post(LESSON_TRY + "save/", values | {"action": "add_packet"}, HTTP_HX_REQUEST="true")
    html = pressed.content.decode()
    assert pressed.status_code == 200 and 'id="editor-region"' in html
    assert f'action="{LESSON_TRY}save/#editor"' in html and f'data-run-url="{LESSON_TRY}run/?step=0"' in html
    assert f'hx-post="{SANDBOX}save/"' not in html and list(drafts(client)) == [SEED_SLUG]


def test_run_opens_the_lessons_try_mode_player_on_its_draft(client, seed_lesson):
    values = form_values(lesson_page(client))
    response = client.post(LESSON_TRY + "save/", values | {"action": "remove_entry:3"})
    response = client.post(LESSON_TRY + "save/", form_values(lesson_page(client)) | {"action": "run"})
    assert response["Location"] == LESSON_TRY + "run/?step=0"
    htmx = client.post(LESSON_TRY + "save/", form_values(lesson_page(client)) | {"action": "run"}, HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"] == LESSON_TRY + "run/?step=0"
    run = client.get(response["Location"]).content.decode()
    assert_in_the_lessons_try_mode(run)
    assert "Step 0 of 3" in run and f'ws-connect="/ws{LESSON_TRY}?step=0"' in run
    assert f'href="{LESSON_TRY}#editor">← Back to the editor</a>' in run
    assert 'id="projector-toggle"' not in run, "the lesson's projector link belongs to its Visual mode, not this player"
    assert list(drafts(client)) == [SEED_SLUG]


def test_a_newcomers_run_in_a_lessons_try_mode_plays_the_lessons_scenario(client, seed_lesson):
    run = client.get(LESSON_TRY + "run/?step=2").content.decode()
    assert "Step 2 of 4" in run and not Draft.objects.exists()


def test_a_fault_keeps_run_and_share_in_the_lessons_try_mode_with_their_message(client, seed_lesson):
    values = form_values(lesson_page(client))
    response = client.post(LESSON_TRY + "save/", values | {"sg0-in0-peer": "nope", "action": "run"})
    assert response["Location"] == LESSON_TRY + "#run-top-message"  # told beside the button pressed
    assert client.get(LESSON_TRY + "run/")["Location"] == LESSON_TRY + "#run-top-message"
    assert client.post(LESSON_TRY + "share/")["Location"] == LESSON_TRY + "#share-message"
    html = lesson_page(client)
    assert_in_the_lessons_try_mode(html)
    assert "runs once its faults are fixed" in html and "fix them, then share it" in html
    assert not Snapshot.objects.exists() and list(drafts(client)) == [SEED_SLUG]


def test_json_and_import_stay_in_the_lessons_try_mode_refused_or_stored(client, seed_lesson):
    version = form_values(lesson_page(client))["version"]
    too_big = client.post(LESSON_TRY + "json/", {"json": "x" * (MAX_DOCUMENT_BYTES + 1), "version": version})
    assert too_big.status_code == 400
    assert_in_the_lessons_try_mode(too_big.content.decode())
    blank = {"security_groups": [], "instances": [], "timeline": []}
    assert client.post(LESSON_TRY + "json/", {"json": json.dumps(blank), "version": version})["Location"] == LESSON_TRY + "#json"
    version = form_values(lesson_page(client))["version"]
    assert client.post(LESSON_TRY + "import/", {"paste": THREE_TIER, "version": version})["Location"] == LESSON_TRY + "#import"
    assert len(drafts(client)[SEED_SLUG]["security_groups"]) == 7 and list(drafts(client)) == [SEED_SLUG]


def test_downloads_and_share_give_the_lessons_try_mode_draft(client, seed_lesson):
    client.post(LESSON_TRY + "start/", {"start": "three-tier"})
    stored = drafts(client)[SEED_SLUG]
    assert json.loads(client.get(LESSON_TRY + "download/scenario.json").content) == stored
    assert len(json.loads(client.get(LESSON_TRY + "download/security-groups.json").content)["SecurityGroups"]) == 3
    location = client.post(LESSON_TRY + "share/")["Location"]
    assert Snapshot.objects.get().document == dump_scenario(load_scenario(stored)) and location == f"/s/{Snapshot.objects.get().id}/"
    assert list(drafts(client)) == [SEED_SLUG]


def test_a_newcomers_downloads_in_a_lessons_try_mode_are_the_lessons_scenario(client, seed_lesson):
    scenario = json.loads(client.get(LESSON_TRY + "download/scenario.json").content)
    assert load_scenario(scenario) == load_scenario(seed_lesson.scenario) and not Draft.objects.exists()


def test_the_conflict_page_of_a_lessons_try_mode_stays_there(client, seed_lesson):
    values = form_values(lesson_page(client))
    assert client.post(LESSON_TRY + "save/", values | {"sg0-description": "another tab"}).status_code == 302
    response = client.post(LESSON_TRY + "save/", values | {"sg0-name": "mine"})
    html = response.content.decode()
    assert response.status_code == 409 and "Keep mine" in html
    assert_in_the_lessons_try_mode(html)
    assert f'href="{LESSON_TRY}#editor" id="a-discard">Discard mine</a>' in html
    keep = re.search(r'name="keep" value="(\d+)"', html).group(1)
    assert client.post(LESSON_TRY + "save/", form_values(html) | {"keep": keep})["Location"] == LESSON_TRY + "#editor"
    assert drafts(client)[SEED_SLUG]["security_groups"][0]["GroupName"] == "mine" and list(drafts(client)) == [SEED_SLUG]


def test_start_from_in_a_lessons_try_mode_resets_its_draft_and_stays_there(client, seed_lesson):
    client.post(SANDBOX + "start/", {"start": "three-tier"})
    # Each opens at the Undo it offers for the draft it replaced (sandbox/undo.py).
    assert client.post(LESSON_TRY + "start/", {"start": "blank"})["Location"] == LESSON_TRY + "#replaced"
    assert drafts(client)[SEED_SLUG]["security_groups"] == []
    assert client.post(LESSON_TRY + "start/", {"start": f"lesson:{SEED_SLUG}"})["Location"] == LESSON_TRY + "#editor"  # a blank draft: nothing to undo
    assert load_scenario(drafts(client)[SEED_SLUG]) == load_scenario(seed_lesson.scenario)
    assert len(drafts(client)[None]["security_groups"]) == 3, "the sandbox's draft is its own"


def test_a_lesson_a_learner_may_not_open_has_no_try_mode_for_them(client, seed_lesson):
    Lesson.objects.create(slug="unpublished", title="Unpublished", scenario=seed_lesson.scenario, published=False)
    for path in ("/lessons/unpublished/try/", "/lessons/no-such-lesson/try/", "/lessons/unpublished/try/run/"):
        assert client.get(path).status_code == 404
    assert client.post("/lessons/unpublished/try/start/", {"start": "seed"}).status_code == 404
    assert not Draft.objects.exists()


def test_the_sandbox_stays_blank_for_a_newcomer_who_worked_in_a_lessons_try_mode(client, seed_lesson):
    client.post(LESSON_TRY + "save/", form_values(lesson_page(client)) | {"sg0-name": "lesson work"})
    html = client.get(SANDBOX).content.decode()
    assert "No security groups yet" in html and "Choose your learning style" not in html
    assert "lesson work" not in html and list(drafts(client)) == [SEED_SLUG]


# ---------------------------------------------------------------- two tabs, several workspaces


@pytest.fixture
def second_lesson(db):
    load_lesson(CONTENT_DIR / "tracked-untracked-connections.json")
    return Lesson.objects.get(slug="tracked-untracked-connections")


class Tab:
    """A tab of one browser on one workspace (a lesson's slug, None: the sandbox): the page it
    shows, drawn again from each answer, as a browser without JavaScript does."""

    def __init__(self, client, workspace):
        self.client, self.workspace = client, workspace
        self.address = SANDBOX if workspace is None else f"/lessons/{workspace}/try/"
        self.reload()

    def reload(self):
        response = self.client.get(self.address)
        assert response.status_code == 200
        self.values = form_values(response.content.decode())

    def post(self, route, data):
        response = self.client.post(self.address + route, data)
        assert response.status_code == 302, f"{self.address}{route} refused ({response.status_code}), as if another tab had written here"
        assert response["Location"].startswith(self.address)
        self.reload()


def rows(values):
    """The editor's rows a page shows or posts: each row's presence and fields."""
    return {name: value for name, value in values.items() if re.match(r"(sg|inst|t|subnet|acl)\d", name)}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_tabs_on_three_workspaces_of_one_browser_never_write_into_each_others_drafts(seed_lesson, second_lesson, data):
    """One browser, a tab on the sandbox and one on each of two lessons' Try modes; their
    saves, buttons, JSON and starting points in any order. Each tab's posts are stored (no
    other tab writes its draft, so none is refused as stale), a post leaves every other
    draft as it was, and each tab shows its own draft."""
    client = Client()
    tabs = [Tab(client, workspace) for workspace in (None, SEED_SLUG, second_lesson.slug)]
    tabs[0].post("start/", {"start": "seed"})  # the sandbox starts blank: give its tab a group to type in
    for step in range(data.draw(st.integers(1, 8), label="steps")):
        tab = data.draw(st.sampled_from(tabs), label="tab")
        others = {workspace: document for workspace, document in drafts(client).items() if workspace != tab.workspace}
        action = data.draw(st.sampled_from(["type and save", "add packet", "json", "start from seed"]), label="action")
        typed = f"{action} in {tab.address}, step {step}"
        if action == "type and save":
            tab.post("save/", tab.values | {"sg0-name": typed})
            assert tab.values["sg0-name"] == typed
        elif action == "add packet":
            entries = len(json.loads(tab.values["json"])["timeline"])
            tab.post("save/", tab.values | {"action": "add_packet"})
            assert len(json.loads(tab.values["json"])["timeline"]) == entries + 1
        elif action == "json":
            document = json.loads(tab.values["json"])
            document["security_groups"][0]["Description"] = typed
            tab.post("json/", {"json": json.dumps(document), "version": tab.values["version"]})
            assert tab.values["sg0-description"] == typed
        else:
            tab.post("start/", {"start": "seed"})
        assert {workspace: document for workspace, document in drafts(client).items() if workspace != tab.workspace} == others
    for tab in tabs:  # each shows its own draft, or, in a lesson it never changed, the lesson's scenario
        tab.reload()
        shown = drafts(client).get(tab.workspace) or lesson_scenario(Lesson.objects.get(slug=tab.workspace))
        assert rows(tab.values) == rows(posted(shown))


def test_two_tabs_posts_interleaved_on_the_sandbox_and_a_lesson_each_land_in_their_own_draft(client, seed_lesson):
    """Both pages loaded first, then their posts alternate: each is stored, none refused."""
    client.post(SANDBOX + "start/", {"start": "seed"})
    sandbox, lesson = form_values(client.get(SANDBOX).content.decode()), form_values(lesson_page(client))
    assert sandbox["version"] == "1" and lesson["version"] == "0"
    assert client.post(SANDBOX + "save/", sandbox | {"sg0-name": "sandbox"}).status_code == 302
    assert client.post(LESSON_TRY + "save/", lesson | {"sg0-name": "lesson"}).status_code == 302
    assert client.post(LESSON_TRY + "json/", {"json": '{"security_groups": [', "version": "1"}).status_code == 302
    assert client.post(SANDBOX + "import/", {"paste": THREE_TIER, "version": "2"}).status_code == 302
    stored = drafts(client)
    assert stored[None]["security_groups"][0]["GroupName"] == "sandbox" and len(stored[None]["security_groups"]) == 8
    assert stored[SEED_SLUG]["security_groups"][0]["GroupName"] == "lesson" and len(stored[SEED_SLUG]["security_groups"]) == 1
    assert Draft.objects.get(lesson=seed_lesson).json_text == '{"security_groups": [' and Draft.objects.get(lesson=None).json_text == ""
    assert "This is not JSON yet" in lesson_page(client) and "This is not JSON yet" not in page_text(client.get(SANDBOX))
