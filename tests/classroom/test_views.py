"""The classroom's pages: starting and ending a class, joining it, the projector and remote,
and the results as CSV."""

import csv
import io

from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import TestCase

from classroom import control, frames, state
from classroom.models import ClassSession, Learner
from classroom.views import JOIN_ATTEMPTS_PER_MINUTE
from conftest import SEED_SLUG
from player import walkthrough
from sandbox.models import Snapshot

from .support import share_link, start_class


class StartAndEndTest(TestCase):
    def setUp(self):
        self.teacher = User.objects.create_user("teacher", is_staff=True)

    def test_staff_see_present_to_a_class_and_start_one_with_a_post(self):
        self.client.force_login(self.teacher)
        page = self.client.get(f"/lessons/{SEED_SLUG}/").content.decode()
        self.assertIn(f'action="/class/start/{SEED_SLUG}/"', page)
        self.assertIn("Present to a class", page)
        response = self.client.post(f"/class/start/{SEED_SLUG}/")
        class_session = ClassSession.objects.get()
        self.assertRedirects(response, f"/class/{class_session.code}/projector/")
        self.assertEqual(class_session.owner, self.teacher)

    def test_learners_see_no_present_button_and_cannot_start_a_class(self):
        self.assertNotIn("Present to a class", self.client.get(f"/lessons/{SEED_SLUG}/").content.decode())
        self.client.post(f"/class/start/{SEED_SLUG}/")
        self.assertFalse(ClassSession.objects.exists())

    def test_starting_needs_a_post_with_a_csrf_token(self):
        self.client.force_login(self.teacher)
        self.assertEqual(self.client.get(f"/class/start/{SEED_SLUG}/").status_code, 405)
        strict = self.client_class(enforce_csrf_checks=True)
        strict.force_login(self.teacher)
        self.assertEqual(strict.post(f"/class/start/{SEED_SLUG}/").status_code, 403)

    def test_the_projector_shows_the_join_address_code_and_an_svg_qr_code(self):
        class_session = start_class("owner")
        self.client.force_login(class_session.owner)
        page = self.client.get(f"/class/{class_session.code}/projector/").content.decode()
        self.assertIn(f"http://testserver/join/{class_session.code}/", page)
        self.assertIn(f'<strong class="join__code-text">{class_session.code}</strong>', page)
        self.assertIn('<svg viewBox="0 0 ', page)
        self.assertIn(f"/class/{class_session.code}/remote/{class_session.presenter_secret}/", page)
        self.client.force_login(self.teacher)  # staff, but not this class's owner
        self.assertEqual(self.client.get(f"/class/{class_session.code}/projector/").status_code, 403)

    def test_the_presenter_link_opens_the_remote_and_a_wrong_secret_does_not(self):
        class_session = start_class("owner")
        self.assertEqual(self.client.get(f"/class/{class_session.code}/remote/wrong/").status_code, 403)
        page = self.client.get(f"/class/{class_session.code}/remote/{class_session.presenter_secret}/")
        self.assertContains(page, 'data-action="step"')
        self.assertEqual(self.client.session["classroom:presenting"], [class_session.pk])

    def test_the_presenter_ends_the_class_and_it_refuses_joins_with_a_clear_page(self):
        class_session = start_class("owner")
        self.assertEqual(self.client.post(f"/class/{class_session.code}/end/").status_code, 403)
        self.client.force_login(class_session.owner)
        self.assertRedirects(self.client.post(f"/class/{class_session.code}/end/"), f"/lessons/{SEED_SLUG}/")
        joining = self.client_class().post("/join/", {"code": class_session.code})
        self.assertContains(joining, "This class has ended", status_code=410)
        self.assertEqual(self.client.get(f"/class/{class_session.code}/projector/").status_code, 410)


class StartFromShareLinkTest(TestCase):
    def setUp(self):
        self.teacher = User.objects.create_user("teacher", is_staff=True)
        self.link = share_link()
        self.snapshot = Snapshot.objects.get()
        self.start_url = f"/class/start/s/{self.snapshot.id}/"

    def test_staff_see_present_to_a_class_on_the_share_link_and_start_one_with_a_post(self):
        self.client.force_login(self.teacher)
        page = self.client.get(self.link).content.decode()
        self.assertIn(f'action="{self.start_url}"', page)
        self.assertIn("Present to a class", page)
        response = self.client.post(self.start_url)
        class_session = ClassSession.objects.get()
        self.assertRedirects(response, f"/class/{class_session.code}/projector/")
        self.assertEqual((class_session.owner, class_session.lesson, class_session.scenario), (self.teacher, None, self.snapshot.document))

    def test_the_class_plays_the_snapshots_packets_and_votes_on_them_alone(self):
        self.client.force_login(self.teacher)
        class_session = ClassSession.objects.get(code=self.client.post(self.start_url)["Location"].split("/")[2])
        snapshot_steps = walkthrough.for_document(self.snapshot.document).total
        self.assertEqual(frames.walkthrough_for(class_session).total, snapshot_steps)
        self.assertNotEqual(snapshot_steps, frames.walkthrough_for(start_class("other")).total, "not the seed lesson's scenario")
        self.assertContains(self.client.get(f"{self.link}?step=0"), f"Step 0 of {snapshot_steps}")
        self.assertContains(self.client.get(f"/class/{class_session.code}/projector/"), f"Step 0 of {snapshot_steps}")
        packets = [entry for entry in self.snapshot.document["timeline"] if "packet" in entry]
        questions = frames.questions_for(class_session)
        self.assertEqual(list(questions), [f"packet-{number}" for number in range(1, len(packets) + 1)])
        self.assertEqual({question.kind for question in questions.values()}, {"packet"})

    def test_learners_see_no_present_button_and_cannot_start_a_class(self):
        signed_in = self.client_class()
        signed_in.force_login(User.objects.create_user("learner"))
        for client in (self.client_class(), signed_in):
            self.assertNotIn("Present to a class", client.get(self.link).content.decode())
            refused = client.post(self.start_url)
            self.assertEqual(refused.status_code, 302)
            self.assertTrue(refused["Location"].startswith("/admin/login/"), "sent to sign in as staff")
        self.assertFalse(ClassSession.objects.exists())

    def test_starting_needs_a_post_with_a_csrf_token_and_a_stored_snapshot(self):
        self.client.force_login(self.teacher)
        self.assertEqual(self.client.get(self.start_url).status_code, 405)
        self.assertEqual(self.client.post("/class/start/s/AAAAAAAAAAAAAAAAAAAA/").status_code, 404)
        strict = self.client_class(enforce_csrf_checks=True)
        strict.force_login(self.teacher)
        self.assertEqual(strict.post(self.start_url).status_code, 403)
        self.assertFalse(ClassSession.objects.exists())


class JoinTest(TestCase):
    def setUp(self):
        cache.clear()
        self.class_session = start_class()

    def test_a_learner_types_the_code_and_a_name_and_follows_the_class(self):
        self.assertContains(self.client.get(f"/join/{self.class_session.code}/"), f'value="{self.class_session.code}"')
        response = self.client.post("/join/", {"code": f" {self.class_session.code.lower()[:3]}-{self.class_session.code.lower()[3:]} ", "name": "Ada"})
        self.assertRedirects(response, f"/class/{self.class_session.code}/")
        page = self.client.get(f"/class/{self.class_session.code}/").content.decode()
        self.assertIn("you joined as <strong>Ada</strong>", page)
        self.assertIn(f'ws-connect="/ws/class/{self.class_session.code}/"', page)
        self.client.post("/join/", {"code": self.class_session.code})
        self.assertEqual(Learner.objects.count(), 1, "joining again is the same learner")

    def test_the_follow_page_sends_a_stranger_to_the_join_form(self):
        self.assertRedirects(self.client.get(f"/class/{self.class_session.code}/"), f"/join/{self.class_session.code}/")

    def test_a_late_learner_opens_the_page_at_the_current_step(self):
        control.apply(self.class_session.pk, state.GoTo(3))
        self.client.post("/join/", {"code": self.class_session.code})
        self.assertContains(self.client.get(f"/class/{self.class_session.code}/"), "Step 3 of 4")

    def test_explore_on_my_own_opens_the_lessons_player_where_the_class_is(self):
        self.assertRedirects(self.client.get(f"/class/{self.class_session.code}/explore/"), f"/join/{self.class_session.code}/")
        self.client.post("/join/", {"code": self.class_session.code})
        control.apply(self.class_session.pk, state.GoTo(2))
        follow = self.client.get(f"/class/{self.class_session.code}/").content.decode()
        self.assertIn(f'href="/class/{self.class_session.code}/explore/?step=2"', follow)
        page = self.client.get(f"/class/{self.class_session.code}/explore/?step=2").content.decode()
        self.assertIn(f'ws-connect="/ws/lessons/{SEED_SLUG}/?step=2"', page)
        self.assertIn(f'href="/class/{self.class_session.code}/">Rejoin the class', page)
        self.class_session.lesson.published = False
        self.class_session.lesson.save()
        self.assertEqual(self.client.get(f"/class/{self.class_session.code}/explore/").status_code, 404)

    def test_display_names_are_escaped_and_limited(self):
        self.client.post("/join/", {"code": self.class_session.code, "name": "<script>x</script>"})
        page = self.client.get(f"/class/{self.class_session.code}/").content.decode()
        self.assertIn("&lt;script&gt;x&lt;/script&gt;", page)
        self.assertNotIn("<script>x", page)
        too_long = self.client_class().post("/join/", {"code": self.class_session.code, "name": "n" * 41})
        self.assertContains(too_long, "at most 40 characters", status_code=400)

    def test_a_wrong_code_says_what_is_wrong(self):
        self.assertContains(self.client.post("/join/", {"code": "ABC"}), "has 6 characters", status_code=400)
        self.assertContains(self.client.post("/join/", {"code": "ABCD10"}), "never use 0, O, 1, I or L", status_code=400)
        self.assertContains(self.client.post("/join/", {"code": "ZZZZZZ" if self.class_session.code != "ZZZZZZ" else "YYYYYY"}), "No class has the code", status_code=400)

    def test_guessing_codes_is_rate_limited_per_client(self):
        for _ in range(JOIN_ATTEMPTS_PER_MINUTE):
            self.client.post("/join/", {"code": "ZZZZZZ"})
        response = self.client.post("/join/", {"code": self.class_session.code})
        self.assertContains(response, "Too many tries", status_code=429)
        other = self.client_class(REMOTE_ADDR="10.9.9.9").post("/join/", {"code": self.class_session.code})
        self.assertEqual(other.status_code, 302)


class ResultsTest(TestCase):
    def test_results_per_question_in_the_admin_and_as_csv(self):
        class_session = start_class()
        control.apply(class_session.pk, state.Ask("packet-2"))
        for choice in ["allow-state", "allow-state", "allow-rule"]:
            control.vote(class_session.pk, class_session.learners.create(), choice)
        self.client.force_login(class_session.owner)
        response = self.client.get(f"/class/{class_session.code}/results.csv")
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        self.assertEqual(rows[0], ["question", "about", "option", "votes", "share (%)", "right answer"])
        self.assertEqual(
            [row[2:] for row in rows[1:]],
            [
                ["Allowed: a rule of the security group allows it", "1", "33", "no"],
                ["Allowed: it answers a tracked connection, so no rule is needed", "2", "67", "yes"],
                ["Dropped: no rule allows it and it answers no tracked connection", "0", "0", "no"],
            ],
        )
        admin = User.objects.create_superuser("admin")
        self.client.force_login(admin)
        change = self.client.get(f"/admin/classroom/classsession/{class_session.pk}/change/").content.decode()
        self.assertIn("Packet 2: 10.0.1.10:80 → 198.51.100.10:50000/tcp (ACK, SYN) (3 votes)", change)
        self.assertIn("results.csv", self.client.get("/admin/classroom/classsession/").content.decode())
        self.client.force_login(User.objects.create_user("other", is_staff=True))
        self.assertEqual(self.client.get(f"/class/{class_session.code}/results.csv").status_code, 403)
