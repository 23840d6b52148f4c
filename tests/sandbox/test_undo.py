"""One Undo for a draft replaced whole: what the page offers (plain pytest) and the swap it
does (Django's test client)."""

import json

import pytest

from conftest import form_values
from sandbox import undo, views
from sandbox.gallery import BY_SLUG
from sandbox.models import Draft
from tests.support.editor import placed_message

SEED = json.load(open("examples/seed-lesson.json"))
SEED_ROWS = "1 security group, 1 rule, 1 instance and 4 timeline entries"


def kept(by, document=SEED, at=7):
    return {"document": document, "json_text": "", "paste_text": "", "by": by, "at": at}


@pytest.mark.parametrize("by, text", [
    (undo.replacement(undo.START, "A three-tier application"), "You started from “A three-tier application”."),
    (undo.replacement(undo.COPY, "qka7dyut5dmjcwdl4pp2"), "You started from a copy of shared scenario qka7dyut5dmjcwdl4pp2."),
    (undo.replacement(undo.JSON), "You saved the JSON box over your draft."),
    (undo.replacement(undo.IMPORT), "You imported AWS output into your draft."),
])
def test_after_a_replacement_the_page_says_what_happened_and_what_is_kept(by, text):
    offer = undo.offer(kept(by))
    assert offer == undo.Offer(f"{text} The draft it replaced ({SEED_ROWS}) is kept.", "Undo: bring back my previous draft", 7)


def test_after_an_undo_the_page_offers_to_bring_the_replacement_back():
    offer = undo.offer(kept(undo.undone(undo.replacement(undo.START, "Blank")), document={"security_groups": [], "instances": [], "timeline": []}))
    assert offer.text == "Your previous draft is back. What replaced it, the starting point “Blank” (nothing yet), is kept too."
    assert offer.button == "Redo: bring back the starting point “Blank”"
    assert undo.undone(undo.undone(undo.replacement(undo.JSON))) == undo.replacement(undo.JSON)


def test_nothing_is_offered_without_a_replacement_or_for_an_empty_draft_replaced():
    assert undo.offer(None) is None
    assert undo.offer(kept(undo.replacement(undo.START, "Blank"), document={"security_groups": [], "instances": [], "timeline": []})) is None
    assert undo.offer({**kept(undo.replacement(undo.JSON), document={}), "json_text": "{not json yet"}) is not None  # typing kept as typed is worth bringing back


# ---------------------------------------------------------------- the views


def draft(client):
    """The client's browser session's sandbox draft."""
    return Draft.objects.get(session_key=client.session.session_key, user=None, lesson=None)


def page(client):
    return client.get("/try/").content.decode()


def undo_at(html):
    return html.split('name="at" value="', 1)[1].split('"', 1)[0]


@pytest.mark.django_db
def test_a_starting_point_keeps_the_draft_it_replaced_and_undo_brings_it_back_then_redo(client):
    client.post("/try/start/", {"start": "seed"})
    renamed = client.post("/try/save/", {**form_values(page(client)), "sg0-name": "my own work"})
    assert renamed.status_code == 302
    mine = draft(client).document
    response = client.post("/try/start/", {"start": "three-tier"})
    assert response["Location"] == "/try/#replaced"  # the page opens at the Undo, the editor below it
    html = page(client)
    assert 'id="replaced"' in html and "You started from “A three-tier application”. The draft it replaced (" in html
    assert len(draft(client).document["security_groups"]) == 3
    client.post("/try/undo/", {"at": undo_at(html)})
    assert draft(client).document == mine
    html = page(client)
    assert "Your previous draft is back." in html and "Redo: bring back the starting point “A three-tier application”" in html
    client.post("/try/undo/", {"at": undo_at(html)})
    assert len(draft(client).document["security_groups"]) == 3


@pytest.mark.django_db
def test_a_first_starting_point_offers_no_undo_and_opens_at_the_editor(client):
    assert client.post("/try/start/", {"start": "seed"})["Location"] == "/try/#editor"
    assert 'id="replaced"' not in page(client)


@pytest.mark.django_db
def test_an_undo_pressed_twice_undoes_once_and_says_so(client):
    client.post("/try/start/", {"start": "seed"})
    client.post("/try/start/", {"start": "web-ssh"})
    at = undo_at(page(client))
    client.post("/try/undo/", {"at": at})
    back = draft(client).document
    response = client.post("/try/undo/", {"at": at})  # the same page's button again, or another tab's
    assert response["Location"] == "/try/#undo-message" and draft(client).document == back
    assert placed_message(page(client), "undo-message") == f"✗ {views.NOT_UNDONE}"


@pytest.mark.django_db
def test_the_same_starting_point_twice_keeps_the_draft_the_first_replaced(client):
    client.post("/try/start/", {"start": "seed"})
    client.post("/try/save/", {**form_values(page(client)), "sg0-name": "my own work"})
    client.post("/try/start/", {"start": "web-ssh"})
    client.post("/try/start/", {"start": "web-ssh"})
    client.post("/try/undo/", {"at": undo_at(page(client))})
    assert draft(client).document["security_groups"][0]["GroupName"] == "my own work"


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["copy", "json", "import"])
def test_a_copy_the_json_box_and_an_import_can_be_undone_too(client, how):
    client.post("/try/start/", {"start": "seed"})
    shared = client.post("/try/share/")["Location"]
    client.post("/try/start/", {"start": "three-tier"})
    before = draft(client).document
    version = draft(client).version
    if how == "copy":
        client.post(f"{shared}copy/")
    elif how == "json":
        client.post("/try/json/", {"json": json.dumps(SEED), "version": version})
    else:
        client.post("/try/import/", {"paste": open("/work/shared/fixtures/aws/hybrid-cloud-describe-security-groups.json").read(), "version": version})
    assert draft(client).document != before
    client.post("/try/undo/", {"at": undo_at(page(client))})
    assert draft(client).document == before


@pytest.mark.django_db
def test_replace_keeps_the_draft_it_replaces_only_from_the_version_it_was_read_at(client):
    client.post("/try/start/", {"start": "seed"})
    row = draft(client)
    assert not row.replace(row.version - 1, undo.replacement(undo.JSON), document={})  # a stale page: nothing stored
    assert row.replace(row.version, undo.replacement(undo.JSON), document={"security_groups": []})
    row.refresh_from_db()
    assert row.document == {"security_groups": []} and row.replaced["document"] == BY_SLUG["seed"].document()


# ---------------------------------------------------------------- a removal


GROUP_TITLE = "group sg-0a1b2c3d4e5f60001 (web-server)"


@pytest.mark.parametrize("action, section, title", [
    ("remove_group:0", "security_groups", GROUP_TITLE),
    ("remove_instance:0", "instances", "instance web server"),
])
def test_removing_a_whole_object_is_kept_for_undo_named_as_the_page_names_it(action, section, title):
    by = undo.removal(action, SEED)
    assert by == {**undo.replacement(undo.REMOVE, title), "section": section}
    offer = undo.offer(kept(by), version=7)
    assert offer == undo.Offer(f"You removed {title}. The draft before the removal ({SEED_ROWS}) is kept.", f"Undo: bring back {title}", 7, section)
    back = undo.offer(kept(undo.undone(by)), version=7)
    assert back.text.startswith(f"{title[0].upper()}{title[1:]} is back") and back.button == f"Redo: remove {title} again"
    assert back.section == section


def test_a_removals_undo_is_offered_only_until_the_draft_changes_again():
    by = undo.removal("remove_group:0", SEED)
    assert undo.offer(kept(by, at=7), version=8) is None
    assert undo.offer(kept(undo.undone(by), at=7), version=8) is None
    assert undo.offer(kept(undo.replacement(undo.JSON), at=7), version=8) is not None  # a whole draft replaced: offered until the next replacement


@pytest.mark.parametrize("action", ["remove_rule:0:in:0", "remove_entry:0", "add_group", "move_up:1", "save", "autosave"])
def test_a_row_removed_or_any_other_action_keeps_no_undo(action):
    assert undo.removal(action, SEED) is None


def in_section(html, section_heading_id):
    """The HTML of the editor section headed by ``section_heading_id``, up to the next section."""
    return html.split(f'id="{section_heading_id}"', 1)[1].split('class="editor-section"', 1)[0]


@pytest.mark.django_db
def test_a_removed_group_comes_back_with_undo_with_what_was_typed_in_the_same_post_then_redo(client):
    client.post("/try/start/", {"start": "seed"})
    values = form_values(page(client))
    instance_name = next(name for name, value in values.items() if value == "web server")
    response = client.post("/try/save/", {**values, instance_name: "typed with the removal", "action": "remove_group:0"})
    assert response["Location"] == "/try/#replaced"  # the page opens at the offer: what went, and how to bring it back
    assert draft(client).document["security_groups"] == []
    html = page(client)
    groups = in_section(html, "h-groups")
    assert f"You removed {GROUP_TITLE}." in groups and 'form="undo-form"' in groups and 'id="replaced"' in groups
    assert html.count('id="replaced"') == 1 and 'id="undo-form"' in html
    client.post("/try/undo/", {"at": undo_at(html)})
    restored = draft(client).document
    assert restored["security_groups"] == SEED["security_groups"]
    assert restored["instances"][0]["name"] == "typed with the removal"  # the typing posted with the button is kept
    html = page(client)
    assert f"Redo: remove {GROUP_TITLE} again" in in_section(html, "h-groups")
    client.post("/try/undo/", {"at": undo_at(html)})
    assert draft(client).document["security_groups"] == []


@pytest.mark.django_db
def test_with_htmx_the_editor_answer_to_a_removal_offers_its_undo(client):
    client.post("/try/start/", {"start": "seed"})
    values = form_values(page(client))
    answer = client.post("/try/save/", {**values, "action": "remove_instance:0"}, HTTP_HX_REQUEST="true").content.decode()
    assert "You removed instance web server." in in_section(answer, "h-instances") and 'id="undo-form"' in answer
    assert 'data-land="replaced"' in answer  # editor.js moves the focus to the offer


@pytest.mark.django_db
def test_a_rule_removed_keeps_the_undo_there_was(client):
    client.post("/try/start/", {"start": "seed"})
    client.post("/try/start/", {"start": "web-ssh"})
    offered = undo_at(page(client))
    client.post("/try/save/", {**form_values(page(client)), "action": "remove_rule:0:in:0"})
    assert undo_at(page(client)) == offered


@pytest.mark.django_db
def test_after_an_edit_a_removals_undo_is_gone_and_refused(client):
    client.post("/try/start/", {"start": "seed"})
    client.post("/try/save/", {**form_values(page(client)), "action": "remove_instance:0"})
    html = page(client)
    at = undo_at(html)
    client.post("/try/save/", {**form_values(html), "action": "add_group"})
    assert 'id="replaced"' not in page(client)
    response = client.post("/try/undo/", {"at": at})  # the removal's Undo, as the page before the edit showed it
    assert response["Location"] == "/try/#undo-message"
    assert draft(client).document["instances"] == [] and len(draft(client).document["security_groups"]) == 2
