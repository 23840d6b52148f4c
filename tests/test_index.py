import json
import re

import pytest

from conftest import SEED_SCENARIO
from lessons.models import Lesson

pytestmark = pytest.mark.django_db


def test_it_lists_the_published_seed_lesson(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<a href="/lessons/stateful-security-groups/">Stateful behavior of security groups in AWS</a>' in page
    assert "AWS cloud" in page
    assert "~10 mins" in page
    assert "<p>Follow a request through a security group" in page


def test_it_hides_unpublished_lessons(client):
    Lesson.objects.create(slug="draft", title="A draft lesson", scenario=SEED_SCENARIO, published=False)
    page = client.get("/").content.decode()
    assert "A draft lesson" not in page


def test_it_lists_lessons_in_their_order(client):
    Lesson.objects.create(slug="intro", title="Introduction to VPCs", scenario=SEED_SCENARIO, published=True, order=0)
    page = client.get("/").content.decode()
    assert page.index("Introduction to VPCs") < page.index("Stateful behavior of security groups in AWS")


def test_it_renders_summaries_as_markdown_without_author_html(client, seed_lesson):
    seed_lesson.summary = "**Bold** move <img src=x onerror=alert(1)>"
    seed_lesson.save()
    page = client.get("/").content.decode()
    assert "<strong>Bold</strong> move &lt;img src=x onerror=alert(1)&gt;" in page


def test_it_says_so_when_nothing_is_published(client):
    Lesson.objects.update(published=False)
    page = client.get("/").content.decode()
    assert "No lessons are published yet." in page


def test_its_page_has_a_skip_link_to_the_main_content(client):
    page = client.get("/").content.decode()
    assert '<a class="skip-link" href="#main">Skip to content</a>' in page
    assert '<main id="main"' in page
    assert '<html lang="en">' in page


def test_its_page_has_no_inline_script_or_style(client):
    page = client.get("/").content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), "inline <script>"
    assert "<style" not in page
    assert not re.search(r"\sstyle=", page)
    assert not re.search(r"\son[a-z]+=", page), "inline event handler"


def test_its_page_turns_htmx_eval_off_for_the_content_security_policy(client):
    page = client.get("/").content.decode()
    config = json.loads(re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", page).group(1))
    # htmx would otherwise eval hx-on/js: attributes and inject a <style> for indicators.
    assert config["allowEval"] is False
    assert config["includeIndicatorStyles"] is False
    assert config["allowScriptTags"] is False


def test_the_sandbox_is_on_the_home_page_and_in_every_pages_header(client):
    home = client.get("/").content.decode()
    assert '<h2 id="sandbox-heading"><a href="/try/">Try: the sandbox</a></h2>' in home
    header = '<nav class="site-nav" aria-label="Site">'
    for path, current in (("/", "Lessons"), ("/try/", "Sandbox"), ("/lessons/stateful-security-groups/try/", None), ("/progress/", None)):
        page = client.get(path).content.decode()
        nav = page[page.index(header) : page.index("</nav>", page.index(header))]
        assert 'href="/">Lessons</a>' in nav.replace(' aria-current="page"', "") and 'href="/try/">Sandbox</a>' in nav.replace(' aria-current="page"', ""), path
        marked = re.findall(r'aria-current="page">(\w+)</a>', nav)
        assert marked == ([current] if current else []), path


def test_the_sandbox_stays_on_the_home_page_when_no_lesson_is_published(client):
    Lesson.objects.update(published=False)
    assert 'href="/try/">Try: the sandbox</a>' in client.get("/").content.decode()
