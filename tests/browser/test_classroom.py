"""A class in real Chromium: the projector (its owner, logged in), learners on their own
devices (browser contexts with their own cookies), and the presenter's remote. Broadcasts go
through the live daphne's own channel layer: every page here is a real browser."""

import json

from django.contrib.auth.models import User
from django.test import Client
from playwright.sync_api import expect

from classroom.models import ClassSession
from conftest import SEED_SLUG
from lessons.models import Lesson
from player import walkthrough
from sandbox.models import Snapshot
from tests.classroom.support import share_link
from tests.support.seed_panels import CONNECTION_ROWS, RULE_OUTCOMES

from . import test_accessibility
from .base import ARTIFACTS, BrowserTestCase

SCREENSHOTS = ARTIFACTS / "screenshots"
AXE = test_accessibility.AXE
AXE_PATH = test_accessibility.AXE_PATH


def sign_in(context, user, live_server_url):
    """Give a browser context the session of ``user``, signed in."""
    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server_url}])


def join_class(context, code, name):
    """A learner's own device (a browser context): the join form, then the class page, connected."""
    page = context.new_page()
    page.goto("/join/")
    page.get_by_label("Class code").fill(code.lower())
    page.get_by_label("Display name").fill(name)
    page.get_by_role("button", name="Join").click()
    expect(page.locator("#class-connection")).to_have_text("Live")
    return page


def expect_class_step(page, number):
    """A class page shows step ``number`` of the seed lesson, its flowchart drawn to the end."""
    expect(page.locator("#step-status")).to_have_text(f"Step {number} of 4")
    if number:
        expect(page.locator(".flow-node.is-end")).to_have_count(1)


def panels_shown(page):
    """The rules panel's outcomes and deciding rules, and the connection table's rows as
    (marker, mark kind or None, state, idle timeout left), from the page's text (the
    projector's styles hide some labels, so its inner text differs from a learner's)."""
    return page.evaluate(
        """() => ({
            outcomes: Array.from(document.querySelectorAll('#rules-panel .rules-outcome'), p => p.dataset.outcome),
            decided: Array.from(document.querySelectorAll('#rules-panel .rule.is-decided .rule__plain'), rule => rule.textContent.trim()),
            connections: Array.from(document.querySelectorAll('#connections-panel .connection'), row => [
                row.querySelector('.connection__marker').textContent.trim(),
                (Array.from(row.classList).find(name => name.startsWith('is-')) || '').replace('is-', '') || null,
                row.querySelector('[data-field="state"]').textContent.trim(),
                row.querySelector('[data-field="timeout-left"]').textContent.trim(),
            ]),
        })"""
    )


def expected_panels(step):
    kind, rule = RULE_OUTCOMES[step]
    return {"outcomes": [kind], "decided": [rule] if rule else [], "connections": [list(row) for row in CONNECTION_ROWS[step]]}


class ClassroomTests(BrowserTestCase):
    scan = test_accessibility.AccessibilityTests.scan

    def setUp(self):
        super().setUp()
        self.teacher = User.objects.create_user("teacher", is_staff=True)
        self.class_session = ClassSession.objects.start(owner=self.teacher, lesson=Lesson.objects.get(slug=SEED_SLUG))
        self.code = self.class_session.code
        sign_in(self.context, self.teacher, self.live_server_url)
        self.learner_contexts = []

    def tearDown(self):
        for context in self.learner_contexts:
            context.close()
        super().tearDown()

    def open_projector(self, size=None):
        if size:
            self.page.set_viewport_size(size)
        self.page.goto(f"/class/{self.code}/projector/")
        expect(self.page.locator("#class-connection")).to_have_text("Live")
        return self.page

    def join(self, name, width=390):
        """A learner's own device: the join form, then the class page, connected."""
        context = self.new_context(viewport={"width": width, "height": 800})
        self.learner_contexts.append(context)
        return join_class(context, self.code, name)

    def expect_class_step(self, page, number):
        expect_class_step(page, number)

    def drive(self, action):
        self.page.locator(f'#class-controls [data-action="{action}"]').click()

    def test_learners_follow_every_step_and_a_late_learner_lands_on_the_current_one(self):
        self.open_projector()
        learners = [self.join("Ada"), self.join("Grace")]
        expect(self.page.locator("#class-online")).to_have_text("2 learners connected")
        for number in (1, 2):
            self.drive("step")
            for page in [self.page] + learners:
                self.expect_class_step(page, number)
            self.assertEqual(panels_shown(self.page), expected_panels(number), f"the projector's panels at step {number}")
            for page in learners:
                self.assertEqual(panels_shown(page), panels_shown(self.page), f"a learner's panels at step {number}")
        projector_rows = self.table_rows()
        self.assertEqual(len(projector_rows), 2)
        for page in learners:
            self.assertEqual(self.table_rows(page), projector_rows)
            self.assertEqual(self.tracker_cells(page), self.tracker_cells())
            self.assertEqual(page.locator("#caption").inner_text(), self.page.locator("#caption").inner_text())
            self.assertEqual(
                page.locator(".flow-node.is-visited").evaluate_all("nodes => nodes.map(n => n.dataset.node)"),
                self.page.locator(".flow-node.is-visited").evaluate_all("nodes => nodes.map(n => n.dataset.node)"),
            )
        late = self.join("Late")
        self.expect_class_step(late, 2)
        self.assertEqual(self.table_rows(late), projector_rows)
        expect(self.page.locator("#class-online")).to_have_text("3 learners connected")

    def test_a_learners_attempt_to_drive_is_refused_and_the_class_stays(self):
        self.open_projector()
        learner = self.join("Mallory")
        reply = learner.evaluate(
            """code => new Promise(resolve => {
                   const socket = new WebSocket(`ws://${location.host}/ws/class/${code}/`);
                   let messages = 0;
                   socket.onmessage = event => {
                       messages += 1;
                       if (messages === 1) { socket.send(JSON.stringify({action: "step"})); }
                       else { resolve(event.data); socket.close(); }
                   };
               })""",
            self.code,
        )
        self.assertIn("Only the presenter can move the class.", reply)
        learner.wait_for_timeout(300)
        self.expect_class_step(learner, 0)
        self.expect_class_step(self.page, 0)

    def test_three_learners_vote_and_the_projector_shows_a_tally_of_three(self):
        self.open_projector()
        learners = [self.join(name) for name in ("A", "B", "C")]
        self.page.get_by_label("Ask the class").select_option("packet-1")
        self.page.get_by_role("button", name="Open the vote").click()
        for page, answer in zip(learners, ["a rule of the security group", "a rule of the security group", "it answers a tracked connection"]):
            choice = page.get_by_role("button", name=answer)
            choice.click()
            expect(choice).to_have_attribute("aria-pressed", "true")
            expect(page.locator("#my-vote")).to_contain_text("Your vote is in")
        expect(self.page.locator("#tally .tally__total")).to_have_text("3 votes")
        self.assertEqual(self.page.locator("#tally .tally__count").all_inner_texts()[:2], ["2 (67%)", "1 (33%)"])
        self.page.get_by_role("button", name="Reveal the answer").click()
        for page in [self.page] + learners:
            expect(page.locator("#vote .vote__answer")).to_contain_text("Right answer: Allowed: a rule of the security group allows it")
            expect(page.locator("#vote .vote__answer")).to_contain_text("Allowed by inbound rule tcp port 80 from 0.0.0.0/0")
        expect(learners[0].locator("#tally .tally__total")).to_have_text("3 votes")

    def test_a_learner_whose_connection_drops_shows_reconnecting_and_resyncs(self):
        self.open_projector()
        learner = self.join("Ada")
        self.drive("step")
        self.expect_class_step(learner, 1)
        self.restart_server()
        self.open_projector()  # the presenter's page reloads on the new server, the learner's reconnects by itself
        self.drive("step")
        expect(learner.locator("#class-connection")).to_have_text("Live", timeout=15_000)
        self.expect_class_step(learner, 2)

    def test_a_learner_explores_on_their_own_and_rejoins_the_class(self):
        self.open_projector()
        learner = self.join("Ada")
        self.drive("step")
        self.expect_class_step(learner, 1)
        learner.get_by_role("link", name="Explore on my own").click()
        expect(learner.locator("#player-connection")).to_have_text("Live")
        self.expect_step(1, page=learner)
        learner.locator("#player-step").click()
        learner.locator("#player-step").click()
        self.expect_step(3, page=learner)
        self.expect_class_step(self.page, 1)  # the learner's own player never reaches the class
        self.drive("step")
        learner.get_by_role("link", name="Rejoin the class").click()
        expect(learner.locator("#class-connection")).to_have_text("Live")
        self.expect_class_step(learner, 2)

    def test_the_remote_drives_the_projector_from_a_phone(self):
        projector = self.open_projector()
        phone = self.new_context(viewport={"width": 360, "height": 740})
        self.learner_contexts.append(phone)
        remote = phone.new_page()
        remote.goto(f"/class/{self.code}/remote/{self.class_session.presenter_secret}/")
        expect(remote.locator("#class-connection")).to_have_text("Live")
        remote.get_by_role("button", name="Step").click()
        self.expect_class_step(projector, 1)
        remote.get_by_label("Jump to a key moment").select_option(index=1)
        self.expect_class_step(projector, int(remote.locator("#step-status").inner_text().split()[1]))

    def test_the_pages_have_no_axe_violations_and_fit_their_screens(self):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        print(f"\nscreenshots in {SCREENSHOTS}")
        self.page.route(f"**{AXE_PATH}", lambda route: route.fulfill(path=AXE, content_type="text/javascript"))
        learner = self.join("Ada", width=360)
        learner.route(f"**{AXE_PATH}", lambda route: route.fulfill(path=AXE, content_type="text/javascript"))
        self.open_projector({"width": 1280, "height": 720})
        self.drive("step")
        self.drive("step")
        self.expect_class_step(learner, 2)
        self.shoot_projector("step")
        self.page.get_by_label("Ask the class").select_option("packet-3")
        self.page.get_by_role("button", name="Open the vote").click()
        learner.get_by_role("button", name="no rule allows it").click()
        expect(self.page.locator("#tally .tally__total")).to_have_text("1 vote")
        self.shoot_projector("vote")
        learner.screenshot(path=SCREENSHOTS / "class-follower-360.png", full_page=True, animations="disabled")
        self.assertFalse(self.overflow(learner)["x"], "no sideways scroll at 360 px")
        self.assertEqual(self.scan_page(self.page, "the projector"), [])
        self.assertEqual(self.scan_page(learner, "a learner's page"), [])
        learner.goto("/join/")
        self.assertEqual(self.scan_page(learner, "the join page"), [])
        learner.goto(f"/class/{self.code}/remote/{self.class_session.presenter_secret}/")
        expect(learner.locator("#class-connection")).to_have_text("Live")
        learner.screenshot(path=SCREENSHOTS / "class-remote-360.png", full_page=True, animations="disabled")
        self.assertFalse(self.overflow(learner)["x"], "the remote does not scroll sideways at 360 px")
        self.assertEqual(self.scan_page(learner, "the presenter's remote"), [])

    def shoot_projector(self, moment):
        """Screenshots at both projector sizes; the page must fit each without scrolling."""
        for width, height in [(1280, 720), (1920, 1080)]:
            self.page.set_viewport_size({"width": width, "height": height})
            self.page.wait_for_timeout(200)
            self.page.screenshot(path=SCREENSHOTS / f"class-projector-{moment}-{width}x{height}.png", animations="disabled")
            self.assertEqual(self.overflow(self.page), {"x": False, "y": False}, f"the projector fits {width}x{height} ({moment})")

    def scan_page(self, page, name):
        self.page, saved = page, self.page
        try:
            return self.scan(name)
        finally:
            self.page = saved

    @staticmethod
    def overflow(page):
        return page.evaluate(
            "() => ({x: document.documentElement.scrollWidth > window.innerWidth, y: document.documentElement.scrollHeight > window.innerHeight})"
        )


class ShareLinkClassTests(BrowserTestCase):
    scan = test_accessibility.AccessibilityTests.scan

    def test_staff_present_a_share_link_and_the_projector_shows_its_first_step_and_join_code(self):
        link = share_link()
        total = walkthrough.for_document(Snapshot.objects.get().document).total
        sign_in(self.context, User.objects.create_user("teacher", is_staff=True), self.live_server_url)
        self.page.route(f"**{AXE_PATH}", lambda route: route.fulfill(path=AXE, content_type="text/javascript"))
        self.page.goto(link)
        self.assertEqual(self.scan("a share link with Present to a class"), [])
        self.page.get_by_role("button", name="Present to a class").click()
        self.page.wait_for_url("**/class/*/projector/")
        class_session = ClassSession.objects.get()
        self.assertEqual((class_session.lesson, class_session.scenario), (None, Snapshot.objects.get().document))
        self.assertEqual(self.page.url, f"{self.live_server_url}/class/{class_session.code}/projector/")
        expect(self.page.locator("#class-connection")).to_have_text("Live")
        expect(self.page.locator("#step-status")).to_have_text(f"Step 0 of {total}")
        expect(self.page.locator(".join__code-text")).to_have_text(class_session.code)
        asked = self.page.get_by_label("Ask the class").locator("option").all_inner_texts()
        self.assertTrue(asked and all("will it be allowed" in text for text in asked), asked)
        self.assertEqual(self.scan("the projector of a share link's class"), [])
