"""What the editor's page shows after a renamed group, through Django's test client (SQLite):
without JavaScript, the page after the redirect; with htmx, the fields a save on change rewrote."""

import json
import re
from html import unescape

import pytest

from conftest import form_values
from sandbox.models import Draft
from tests.sandbox.test_after_a_post import OLD, with_references

pytestmark = pytest.mark.django_db

def draft(client):
    return Draft.objects.get(session_key=client.session.session_key, user=None, lesson=None)


def editor_fields(html):
    return form_values(html, form_id="editor-form")


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
