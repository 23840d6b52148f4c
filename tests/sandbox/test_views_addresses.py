"""The editor's addresses as a browser meets them outside its forms: a POST-only address
opened with GET, a 404 for a share link, the JSON box after a save with faults and while the
draft has faults."""

import json
import re
from html import unescape

import pytest

from conftest import SEED_SLUG, form_values
from tests.sandbox.test_views import draft, start

pytestmark = pytest.mark.django_db

POST_ONLY = {"import/": "import", "save/": "editor", "start/": "h-gallery", "share/": "share", "undo/": "editor"}


@pytest.mark.parametrize("route, section", POST_ONLY.items())
@pytest.mark.parametrize("root", ["/try/", f"/lessons/{SEED_SLUG}/try/"])
def test_a_get_of_a_post_only_address_opens_the_workspaces_page_at_its_section(client, root, route, section):
    response = client.get(root + route)
    assert response.status_code == 302 and response["Location"] == f"{root}#{section}"
    assert client.head(root + route).status_code == 302
    assert client.put(root + route).status_code == 405


def test_a_get_of_edit_a_copy_opens_the_shared_scenario(client):
    start(client)
    link = client.post("/try/share/")["Location"]
    assert client.get(link + "copy/")["Location"] == link


@pytest.mark.parametrize("address", ["/s/zzzzzzzzzzzzzzzzzzzz/", "/s/not-an-id!!/", "/s/zzzzzzzzzzzzzzzzzzzz/embed/", "/s/short/embed/", "/s/zzzzzzzzzzzzzzzzzzzz/scenario.json"])
def test_an_unknown_or_malformed_share_link_is_a_404_that_speaks_of_the_link(client, address):
    response = client.get(address)
    html = response.content.decode()
    assert response.status_code == 404
    assert "No shared scenario has this link: check that it was copied whole." in html and "lesson" not in html.split("<main")[-1].split("Back to")[0]


def test_the_404_of_a_lesson_address_speaks_of_the_lesson_and_any_other_says_what_is_true(client):
    assert "The lesson may have been renamed" in client.get("/lessons/no-such-lesson/").content.decode()
    other = client.get("/no/such/page/")
    assert other.status_code == 404 and "There is no page at this address. Check that it was typed or copied whole." in other.content.decode()
    assert "renamed" not in other.content.decode()


def json_box(html):
    return unescape(re.search(r'<textarea id="f-json"[^>]*>(.*?)</textarea>', html, re.S).group(1))


def test_saving_json_with_a_fault_says_so_at_the_box_with_a_link_to_the_fault(client):
    html = start(client)
    doc = json.loads(json_box(html))
    doc["security_groups"][0]["IpPermissions"][0]["IpRanges"][0]["CidrIp"] = "10.0.0.0/33"
    response = client.post("/try/json/", {"version": draft(client).version, "json": json.dumps(doc)})
    assert response.status_code == 302 and response["Location"] == "/try/#json"
    page = client.get("/try/").content.decode()
    report = re.search(r'<div class="box-report">(.*?)</div>', page, re.S).group(1)
    assert "Saved, with 1 fault to fix:" in report and "✓ Saved: the scenario is this JSON now." not in report
    first = re.search(r'<a href="#([^"]+)">see it at its field', report).group(1)
    assert f'id="{first}"' in page and 'aria-invalid="true"' in page
    # Fixed again: the plain report.
    doc["security_groups"][0]["IpPermissions"][0]["IpRanges"][0]["CidrIp"] = "10.0.0.0/8"
    client.post("/try/json/", {"version": draft(client).version, "json": json.dumps(doc)})
    assert "✓</span> Saved: the scenario is this JSON now." in client.get("/try/").content.decode()


def test_the_json_box_shows_the_drafts_document_while_it_has_faults(client):
    html = start(client, "blank")
    for action in ("add_group", "add_instance"):
        client.post("/try/save/", form_values(html) | {"action": action})
        html = client.get("/try/").content.decode()
    assert "fault" in html and draft(client).document["instances"]
    shown = json.loads(json_box(html))
    assert shown == draft(client).document and shown["security_groups"] and shown["instances"]
    fetched = client.get("/try/json/", HTTP_ACCEPT="application/json").json()
    assert json.loads(fetched["text"]) == draft(client).document and fetched["version"] == draft(client).version
