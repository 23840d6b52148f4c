"""Where the editor's page opens after a button, and what it shows after a renamed group,
through Django's test client (SQLite): without JavaScript, the redirect's anchor; with htmx,
the answer's data-land and the fields a save on change rewrote."""

import json
import re
from html import unescape

import pytest

from conftest import form_values
from sandbox import undo
from sandbox.editor import landing
from sandbox.models import Draft
from tests.sandbox.test_after_a_post import OLD, with_references

pytestmark = pytest.mark.django_db

# Every kind of button that redraws the editor, in an order each can be pressed in from the
# seed lesson's scenario: adds, then moves, then removals (of a last row and of a row with one after it).
BUTTONS = [
    "add_group",
    "add_rule:0:in",
    "add_rule:1:out",
    "add_instance",
    "add_subnet",
    "add_subnet",
    "add_acl",
    "add_acl_entry:0",
    "add_acl_entry:0",
    "add_packet",
    "reply:0",
    "add_rule_change",
    "add_nacl_change",
    "move_up:1",
    "move_up:3",
    "move_down:6",
    "move_down:2",
    "remove_rule:0:in:1",
    "remove_rule:0:in:0",
    "remove_entry:0",
    "remove_entry:6",
    "remove_acl_entry:0:0",
    "remove_acl_entry:0:0",
    "remove_subnet:0",
    "remove_acl:0",
    "remove_instance:1",
    "remove_group:0",
    "remove_group:0",
]


def draft(client):
    return Draft.objects.get(session_key=client.session.session_key, user=None, lesson=None)


def editor_fields(html):
    return form_values(html, form_id="editor-form")


def focusable(html, element_id):
    """Whether the page has an enabled field or button with this id (what an anchor focuses)."""
    tag = re.search(rf'<(input|select|button)\b[^>]*\bid="{re.escape(element_id)}"[^>]*>', html)
    return bool(tag) and " disabled" not in tag.group(0)


def test_without_javascript_each_button_opens_the_page_at_where_the_learner_goes_on(client):
    assert client.post("/try/start/", {"start": "seed"}).status_code == 302
    html = client.get("/try/").content.decode()
    for action in BUTTONS:
        response = client.post("/try/save/", editor_fields(html) | {"action": action})
        assert response.status_code == 302, action
        # A removal kept for Undo opens at its offer (a notice the anchor focuses), any other button where editor.landing says.
        kept = action.partition(":")[0] in undo.KEPT_REMOVALS
        land = "replaced" if kept else landing(action, draft(client).document)
        assert land and response["Location"] == f"/try/#{land}", action
        html = client.get("/try/").content.decode()
        assert ('<div id="replaced" class="notice notice--ok replaced" tabindex="-1"' in html) if kept else focusable(html, land), (action, land)
    assert draft(client).document["timeline"] and not draft(client).document["security_groups"]


def test_a_save_without_javascript_opens_at_the_editor(client):
    assert client.post("/try/start/", {"start": "seed"}).status_code == 302
    html = client.get("/try/").content.decode()
    assert client.post("/try/save/", editor_fields(html) | {"action": "save"})["Location"] == "/try/#editor"


def test_with_htmx_a_buttons_answer_says_where_the_focus_goes(client):
    assert client.post("/try/start/", {"start": "seed"}).status_code == 302
    html = client.get("/try/").content.decode()
    for action in ("add_rule:0:in", "move_down:0", "remove_entry:3"):
        html = client.post("/try/save/", editor_fields(html) | {"action": action}, HTTP_HX_REQUEST="true").content.decode()
        land = landing(action, draft(client).document)
        assert f'<div id="editor-region" data-land="{land}">' in html and focusable(html, land), action
    html = client.post("/try/save/", editor_fields(html) | {"action": "save"}, HTTP_HX_REQUEST="true").content.decode()
    assert '<div id="editor-region">' in html  # a save leaves the focus on Save


def with_references_stored(client):
    assert client.post("/try/start/", {"start": "blank"}).status_code == 302
    assert client.post("/try/json/", {"json": json.dumps(with_references()), "version": draft(client).version}).status_code == 302
    return client.get("/try/").content.decode()


def test_without_javascript_the_page_after_a_save_shows_a_renamed_groups_references(client):
    html = with_references_stored(client)
    assert client.post("/try/save/", editor_fields(html) | {"sg0-group_id": "sg-web", "action": "save"}).status_code == 302
    shown = editor_fields(client.get("/try/").content.decode())
    assert (shown["inst0-security_groups"], shown["sg1-in0-peer"], shown["t4-group"]) == ("sg-web", "sg-web", "sg-web")


def test_a_save_on_change_that_renames_a_group_answers_the_references_it_rewrote_and_the_suggestions(client):
    html = with_references_stored(client)
    fields = editor_fields(html)
    # As editor.js posts it: the page's own fields, and only the row typed in.
    carried = {name: value for name, value in fields.items() if "-" not in name or name.startswith("sg0-")}
    response = client.post("/try/save/", carried | {"sg0-group_id": "sg-web", "action": "autosave"}, HTTP_HX_REQUEST="true")
    answer = response.content.decode()
    assert response.status_code == 200 and response["HX-Reswap"] == "none"
    rewritten = dict(re.findall(r'<data data-for="([^"]+)" value="([^"]*)"></data>', re.search(r'<div id="editor-rewritten" hidden hx-swap-oob="true">(.*?)</div>', answer).group(1)))
    assert rewritten == {"f-inst0-security_groups": "sg-web", "f-sg1-in0-peer": "sg-web", "f-t4-group": "sg-web"}
    group_ids = re.search(r'<datalist id="dl-group-ids">(.*?)</datalist>', re.search(r'<div id="editor-datalists" hx-swap-oob="true">(.*?)</div>', answer, re.S).group(1)).group(1)
    assert 'value="sg-web"' in group_ids and OLD not in group_ids
    # A save on change that rewrites nothing says so.
    state = dict(re.findall(r'name="(version|base)" value="([^"]+)"', answer))
    again = client.post("/try/save/", carried | state | {"sg0-group_id": "sg-web", "sg0-name": "web", "action": "autosave"}, HTTP_HX_REQUEST="true")
    assert again.status_code == 200
    assert '<div id="editor-rewritten" hidden hx-swap-oob="true"></div>' in again.content.decode()


def test_a_refused_save_on_change_answers_what_it_would_have_rewritten(client):
    """A save refused for a cap keeps the learner's version on the page, renamed references included."""
    html = with_references_stored(client)
    carried = {name: value for name, value in editor_fields(html).items() if "-" not in name or name.startswith("sg0-")}
    response = client.post("/try/save/", carried | {"sg0-group_id": "sg-web", "sg0-description": "x" * 300_000, "action": "autosave"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert unescape('<data data-for="f-inst0-security_groups" value="sg-web">') in response.content.decode()
