"""The editor posts whole at any size the sandbox's caps allow, sent as a browser sends it
(application/x-www-form-urlencoded, every field of the form, the CSRF token checked); a post
beyond what the site reads is answered in words, in the site's layout, and stores nothing."""

import json
from urllib.parse import quote_plus, urlencode

import pytest
from django.conf import settings
from django.test import Client, override_settings

from benchmarks._scenarios import big_scenario, editor_at_the_caps
from conftest import form_values
from sandbox.document import MAX_DOCUMENT_BYTES, cap_problems, encoded_size
from sandbox.editor import most_fields_posted
from sandbox.models import Draft

pytestmark = pytest.mark.django_db
FORM = "application/x-www-form-urlencoded"
# Django's own limit, which refused every Save of the big scenario (3,433 fields).
DJANGO_DEFAULT_FIELDS = 1000


def learner(doc):
    """A browser (CSRF checked) whose draft is ``doc``, stored through the JSON box."""
    client = Client(enforce_csrf_checks=True)
    client.get("/try/")
    stored = client.post("/try/json/", {"json": json.dumps(doc, separators=(",", ":")), "version": "0", "csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert stored.status_code == 302
    return client


def editor_fields(client):
    """What the editor's form posts when its Save button is pressed."""
    return form_values(client.get("/try/").content.decode(), form_id="editor-form") | {"action": "save"}


def post(client, fields, **headers):
    return client.post("/try/save/", urlencode(fields), content_type=FORM, **headers)


def stored(client):
    return Draft.objects.get(session_key=client.session.session_key, user=None, lesson=None).document


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_the_big_scenarios_editor_is_saved_whole(htmx):
    client = learner(big_scenario())
    fields = editor_fields(client)
    assert len(fields) > DJANGO_DEFAULT_FIELDS
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = post(client, fields | {"sg4-in59-description": "the last rule", "t199-at": "250"}, **headers)
    assert response.status_code == (200 if htmx else 302)
    doc = stored(client)
    assert doc["security_groups"][4]["IpPermissions"][59]["IpRanges"][0]["Description"] == "the last rule"
    assert doc["timeline"][199]["at"] == 250


def with_spare_room_filled(doc):
    """``doc`` with its first group's description filled up to the document-size cap with a
    character a browser sends as three (%3C): the largest post of this editor the caps allow."""
    doc["security_groups"][0]["Description"] = ""
    doc["security_groups"][0]["Description"] = "<" * (MAX_DOCUMENT_BYTES - encoded_size(doc))
    return doc


def test_an_editor_at_every_cap_posts_its_every_field_and_stores_them():
    doc = with_spare_room_filled(editor_at_the_caps())
    assert encoded_size(doc) == MAX_DOCUMENT_BYTES and cap_problems(doc, MAX_DOCUMENT_BYTES) == []
    client = learner(doc)
    fields = editor_fields(client)
    assert len(fields) == most_fields_posted() == settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    body = urlencode(fields)
    # The values a post carries come from the document, at most three bytes (%XX) for each of
    # its bytes: no draft within the caps posts more than this editor's names and a whole
    # document's worth of %XX, which Django's limit on a post's size leaves room for.
    names = sum(len(quote_plus(name)) + 2 for name in fields)
    assert len(body) <= names + 3 * MAX_DOCUMENT_BYTES <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert post(client, fields).status_code == 302
    assert stored(client) == doc


def test_a_post_of_more_fields_than_the_site_reads_is_answered_in_the_sites_layout_and_stores_nothing():
    client = learner(big_scenario())
    fields = editor_fields(client)
    with override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=len(fields) - 1):
        response = post(client, fields | {"sg0-in0-description": "lost"})
    html = response.content.decode()
    assert response.status_code == 413
    assert '<main id="main"' in html and 'class="site-header"' in html
    assert "This form is too large to send" in html and f"at most {len(fields) - 1:,} fields" in html
    assert stored(client) == big_scenario()


def test_a_post_too_large_to_read_is_answered_in_words_that_the_editor_shows_with_javascript():
    client = learner(big_scenario())
    fields = editor_fields(client)
    padding = "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = post(client, fields | {"action": "autosave", "sg0-in0-description": padding}, HTTP_HX_REQUEST="true")
    assert response.status_code == 413 and response["HX-Reswap"] == "none"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().startswith("Not saved: this form is too large to send (the site reads at most")
    assert stored(client) == big_scenario()


def test_any_other_unreadable_request_gets_the_sites_page_too():
    response = Client().post("/try/save/", "not multipart", content_type="multipart/form-data; boundary=")
    assert response.status_code == 400
    assert "This request could not be read" in response.content.decode()
