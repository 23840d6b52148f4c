"""The lesson page (Visual mode) as the server renders it: it reads well without JavaScript."""

import re
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.test import Client

from conftest import SEED_SCENARIO, SEED_SLUG
from lessons import mode_pages
from lessons.models import Lesson, LessonMode
from tests.support.html import element, table_rows, text
from tests.support.seed import NO_PACKET_YET, NOT_REACHED, SEED_ROWS, SEED_TRACKER

pytestmark = pytest.mark.django_db

URL = f"/lessons/{SEED_SLUG}/"
SEED_TRACKER_TABLE = [
    ["Variable", "Start", *(f"After Step {n}" for n in range(1, 5))],
    ["Connection State", *SEED_TRACKER],
]


def page(client, query=""):
    response = client.get(URL + query)
    assert response.status_code == 200
    return response.content.decode()


def test_it_renders_the_seed_lessons_header(client, seed_lesson):
    html = page(client)
    assert "<h1 id=\"lesson-title\">Stateful behavior of security groups in AWS" in html
    assert "AWS cloud" in html and "~10 mins" in html
    bar = mode_pages.mode_bar(seed_lesson, current="visual")  # Visual and the content file's modes
    assert "Choose your learning style" in html and f"{bar.ready} of {len(bar.links)} modes ready" in html
    assert '<a class="mode is-active" href="/lessons/stateful-security-groups/" aria-current="page">Visual</a>' in html


def test_without_a_step_it_shows_the_whole_walkthrough_and_the_live_player_starts_at_zero(client):
    html = page(client)
    assert table_rows(html, "exec-table")[1:] == SEED_ROWS  # what reads without JavaScript
    assert table_rows(html, "tracker") == SEED_TRACKER_TABLE
    assert "Step 4 of 4" in element(html, "player-scrubber").replace('aria-valuetext="', "")
    assert 'ws-connect="/ws/lessons/stateful-security-groups/?step=0"' in html  # with it: the start


def test_a_deep_link_opens_the_page_at_that_step(client):
    html = page(client, "?step=2")
    rows = table_rows(html, "exec-table")[1:]
    assert rows == SEED_ROWS[:2]
    assert '<tbody class="step-row" role="rowgroup" data-step="2"><tr role="row" class="is-current" aria-current="step">\n  <td role="cell" data-label="Step">2</td>' in html
    assert table_rows(html, "tracker")[1] == SEED_TRACKER_TABLE[1][:4] + [NOT_REACHED, NOT_REACHED]
    assert 'value="2"' in element(html, "player-scrubber")
    assert 'ws-connect="/ws/lessons/stateful-security-groups/?step=2"' in html
    assert 'data-step="2"' in element(html, "flow-state")
    assert "Step 2 of 4. Outgoing tcp packet from web server to IP A port 50000" in text(html)


def test_step_zero_shows_no_row_yet(client):
    html = page(client, "?step=0")
    assert table_rows(html, "exec-table")[1:] == [[NO_PACKET_YET]]
    assert table_rows(html, "tracker")[1] == ["Connection State", "Empty"] + [NOT_REACHED] * 4
    assert 'data-nodes=""' in element(html, "flow-state")


def test_the_caption_narrates_the_step_in_a_polite_live_region(client):
    html = page(client, "?step=3")
    assert '<p id="caption" class="caption author-text" aria-live="polite" aria-atomic="true">' in html
    caption = re.search(r'<p id="caption"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert text(caption) == "✗ DROP Step 3 of 4. Incoming tcp packet from IP A to web server port 22: dropped, as no inbound rule allows it."


def test_the_chart_marks_the_steps_path_and_verdict(client):
    html = page(client, "?step=3")
    assert re.search(r'class="flow-node flow-node--drop is-visited is-end" data-node="in.drop"', html)
    assert re.search(r'class="flow-edge is-taken" data-edge="in.rules_ok&gt;in.drop"', html)
    assert re.search(r'class="flow-edge" data-edge="in.rules_ok&gt;in.allow"', html)
    assert re.search(r'class="flow-node flow-node--allow" data-node="in.allow"', html)
    assert html.count("<polygon") == 3  # the three decisions the seed lesson visits
    assert "✓ ALLOW" in html and "✗ DROP" in html


@pytest.mark.parametrize("step", ["9", "-1", "two", "²"])
def test_a_step_outside_the_lesson_is_explained_and_the_last_step_shown(client, step):
    html = page(client, f"?step={step}")
    assert f"There is no step “{step}” in this lesson." in html and "Steps run from 0 to 4; showing step 4." in html
    assert len(table_rows(html, "exec-table")) == 5


def test_a_lesson_without_packets_still_renders(client, seed_scenario):
    seed_scenario["timeline"] = []
    Lesson.objects.create(slug="empty", title="Empty", scenario=seed_scenario, published=True)
    html = client.get("/lessons/empty/").content.decode()
    assert "This scenario sends no packets yet" in html
    assert "Step 0 of 0" in html and "<svg class=\"flow-chart\"" not in html


def test_the_player_works_as_plain_links_without_javascript(client):
    html = page(client, "?step=2")
    assert re.search(r'<form class="player__buttons" method="get" action="/lessons/stateful-security-groups/">', html)
    assert 'id="player-first" name="step" value="0"' in html
    assert 'id="player-back" name="step" value="1"' in html
    assert 'id="player-step" name="step" value="3"' in html
    assert 'id="player-last" name="step" value="4"' in html
    edge = page(client, "?step=4")
    assert 'id="player-step" name="step" value="4"' in edge


def test_the_page_carries_every_part_of_the_seed(client, seed_lesson):
    html = page(client)
    plain = text(html)
    for line in seed_lesson.sample_lines.all():
        assert line.text in plain
    assert "Key Moments - 2 Insights" in plain
    assert "Visual Quiz - 3 Questions" in plain
    assert html.count('class="quiz-option"') == 12
    assert html.count('<details class="hint">') == 3
    assert "Score counts your first answer" in plain
    for bullet in seed_lesson.snapshot_bullets.all():
        assert bullet.text in plain
    assert "Security groups in AWS act like smart gatekeepers." in plain
    assert "Packets dropped if not allowed inbound or not part of existing connection state" in plain
    assert 'href="/lessons/stateful-security-groups/?step=2#flow" data-goto="2"' in html


def test_projector_view_shows_only_the_chart_tables_caption_and_player(client):
    html = page(client, "?projector=1&step=1")
    assert '<body class="is-projector">' in html
    for present in ('id="flow"', 'id="exec-table"', 'id="tracker"', 'id="caption"', 'id="player"'):
        assert present in html
    for absent in ("Key Moments", "Visual Quiz", "Concept Snapshot", "Full Transcript", "Execution Sample", "Choose your learning style"):
        assert absent not in html
    assert '<input type="hidden" name="projector" value="1">' in html
    assert 'href="/lessons/stateful-security-groups/?step=1" data-keep-step>Leave projector view' in html


def test_the_projector_button_keeps_the_step(client):
    assert 'href="/lessons/stateful-security-groups/?projector=1&amp;step=3" data-keep-step>Projector view' in page(client, "?step=3")


def test_an_unpublished_lesson_is_not_found(client):
    Lesson.objects.create(slug="draft", title="Draft", scenario=SEED_SCENARIO, published=False)
    assert client.get("/lessons/draft/").status_code == 404
    assert client.get("/lessons/no-such-lesson/").status_code == 404


def test_staff_preview_an_unpublished_lesson(client):
    Lesson.objects.create(slug="draft", title="Draft", scenario=SEED_SCENARIO, published=False)
    client.force_login(User.objects.create_user("author", is_staff=True))
    response = client.get("/lessons/draft/")
    assert response.status_code == 200
    assert "Draft: only staff can see this lesson" in response.content.decode()


def test_authored_modes_appear_in_the_mode_bar_and_say_which_one_is_ready(client, without_seed_modes, monkeypatch):
    monkeypatch.delitem(mode_pages._url_names, "try", raising=False)  # a mode whose app has no page yet
    LessonMode.objects.create(lesson=without_seed_modes, mode="learn", body="Read me", order=0)  # has a page (modes app)
    LessonMode.objects.create(lesson=without_seed_modes, mode="try", body="Later", order=0)
    html = page(client)
    assert "2 of 3 modes ready" in html
    assert '<a class="mode" href="/lessons/stateful-security-groups/learn/">Learn</a>' in html
    # Listed, visibly marked, and not a link or a control.
    assert '<span class="mode is-unavailable">Try <span class="mode__soon">coming soon</span></span>' in html
    assert 'href="/lessons/stateful-security-groups/try' not in html


def test_only_the_caption_announces_each_step(client):
    html = page(client, "?step=2")
    # An <output> is a live status region of its own: silenced, so a step is announced once.
    assert element(html, "step-status") == '<output id="step-status" class="player__status" for="player-scrubber" aria-live="off">'
    live = re.findall(r'<[a-z]+ [^>]*aria-live="(?:polite|assertive)"[^>]*>', html[: html.index('class="lesson__more')])
    assert [re.search(r'id="([^"]+)"', tag).group(1) for tag in live] == ["caption"]


def test_the_flowchart_follows_a_saved_change_to_the_lesson(client, seed_lesson):
    assert "- Stateful behavior" in page(client, "?step=1")  # rendered once, then reused
    seed_lesson.title = "Renamed lesson"
    seed_lesson.save()
    assert 'Process Flow <span class="heading-detail">- Renamed lesson</span>' in page(client, "?step=1")


def test_the_flowchart_differs_per_step_and_view(client):
    first, third = page(client, "?step=1"), page(client, "?step=3")
    assert 'class="flow-edge is-taken" data-edge="in.rules_ok&gt;in.allow"' in first
    assert 'class="flow-edge" data-edge="in.rules_ok&gt;in.allow"' in third
    assert 'class="flow__summary' in page(client, "?step=1")
    assert 'class="flow__summary' not in page(client, "?step=1&projector=1")


def test_the_page_is_gzipped_for_browsers_that_accept_it(client):
    response = client.get(URL, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]


def test_author_markdown_is_rendered_and_html_escaped(client, seed_lesson):
    attack = "**bold** <script>alert(1)</script> <img src=x onerror=alert(2)>"
    seed_lesson.transcript = attack
    seed_lesson.flow_summary = attack
    seed_lesson.sample_summary = attack
    seed_lesson.table_note = "<b>note</b>"
    seed_lesson.save()
    moment = seed_lesson.key_moments.first()
    moment.answer = attack
    moment.save()
    question = seed_lesson.quiz_questions.first()
    question.prompt = "<i>prompt</i>"
    question.save()
    html = page(client)
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>note" not in html
    assert html.count("<strong>bold</strong> &lt;script&gt;alert(1)&lt;/script&gt;") == 4
    assert "&lt;b&gt;note&lt;/b&gt;" in html and "&lt;i&gt;prompt&lt;/i&gt;" in html


def test_it_sends_a_strict_csp_and_has_no_inline_script_or_style(client):
    response = client.get(URL)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "unsafe" not in policy
    html = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.S)
    assert len(scripts) == 6 and all(body.strip() == "" for body in scripts)  # htmx, its ws extension, flowchart.js, player.js, panels.js, quiz.js
    assert all(" src=\"/static/" in tag for tag in re.findall(r"<script\b[^>]*>", html))
    assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=|javascript:|hx-on", html)
    assert '"allowEval":false' in html


def test_htmx_and_the_page_script_come_from_this_site(client):
    html = page(client)
    for path in ("/static/vendor/htmx-2.0.11.min.js", "/static/vendor/htmx-ext-ws-2.0.4.js", "/static/js/flowchart.js", "/static/js/player.js"):
        assert f'<script src="{path}" defer></script>' in html
        assert client.get(path).status_code == 200


def test_a_step_of_thousands_of_digits_is_explained_not_a_server_error(client):
    html = page(client, "?step=" + "9" * 4301)
    assert "There is no step" in html and "Steps run from 0 to 4; showing step 4." in html
    assert "9" * 100 not in html  # the address is quoted cut short


@pytest.mark.parametrize("query", ["", "?step=2", "?step=x"])
def test_the_page_gives_the_script_the_servers_constants_as_data_attributes(client, query):
    html = page(client, query)
    live = element(html, "live")
    assert 'data-autoplay-seconds="1.6"' in live and 'data-speeds="0.5 0.75 1 1.5 2"' in live
    assert 'data-messages-per-second="20"' in live


def test_chart_labels_read_as_words_and_each_lane_describes_the_steps_path(client):
    html = page(client, "?step=1")
    assert "Check Security GroupRules" not in text(html)
    assert "Check Security Group Rules" in text(html)
    assert 'aria-describedby="lane-in-path"' in html
    assert '<p id="lane-in-path" hidden>Step 1: Incoming Packet Arrives →' in html
    assert "<desc" not in html


@pytest.mark.parametrize("path", ["/lessons/no-such-lesson/", "/no/such/page/"])
def test_an_unknown_page_is_a_404_in_the_sites_layout_with_a_way_back(client, path, settings):
    settings.DEBUG = False
    response = client.get(path)
    assert response.status_code == 404
    html = response.content.decode()
    assert '<a class="site-name" href="/">sgviz</a>' in html
    assert '<a href="/">Back to the lessons</a>' in html


def test_a_server_error_is_a_500_in_the_sites_layout_with_a_way_back(settings):
    settings.DEBUG = False
    with mock.patch("lessons.views.player_page", side_effect=RuntimeError("a bug")):
        response = Client(raise_request_exception=False).get(URL)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html and '<a href="/">Back to the lessons</a>' in html
