import json
import re
from html import unescape

import pytest
from django.contrib.contenttypes.models import ContentType

from conftest import SEED_SCENARIO, form_values
from lessons.admin import WHY_COLUMNS
from lessons.models import Lesson, QuizQuestion

pytestmark = pytest.mark.django_db

LESSONS = "/admin/lessons/lesson/"
BAD_CIDR_PATH = "security_groups[0].IpPermissions[0].IpRanges[0].CidrIp"


def change_url(lesson):
    return f"{LESSONS}{lesson.pk}/change/"


def form_from(client, url, **changes):
    """The form on `url` as the browser would post it, with some fields changed."""
    response = client.get(url)
    assert response.status_code == 200
    values = form_values(response.content.decode())
    values.update(changes)
    return values


def add_rows(values, prefix, *rows):
    """Fill in new inline rows after the existing ones, as "Add another" does."""
    start = int(values[f"{prefix}-TOTAL_FORMS"])
    for index, row in enumerate(rows, start):
        values.update({f"{prefix}-{index}-{field}": value for field, value in row.items()})
    values[f"{prefix}-TOTAL_FORMS"] = str(start + len(rows))
    return values


def add_options(values, question_prefix, *options):
    """A new question's options, as the nested inline posts them: (text, is_correct) each."""
    prefix = f"{question_prefix}-options"
    values.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
    rows = [{"order": str(order), "text": text, **({"is_correct": "on"} if correct else {})} for order, (text, correct) in enumerate(options, 1)]
    return add_rows(values, prefix, *rows)


def scenario_with_bad_cidr():
    scenario = json.loads(json.dumps(SEED_SCENARIO))
    scenario["security_groups"][0]["IpPermissions"][0]["IpRanges"][0]["CidrIp"] = "10.0.0.0/33"
    return json.dumps(scenario)


class TestAccess:
    def test_anonymous_visitors_are_sent_to_the_login_page(self, client):
        response = client.get(LESSONS)
        assert response.status_code == 302
        assert response.url.startswith("/admin/login/")

    def test_a_logged_in_user_who_is_not_staff_is_refused(self, client, django_user_model):
        learner = django_user_model.objects.create_user("learner", password="a long passphrase")
        client.force_login(learner)
        for url in [LESSONS, f"{LESSONS}add/", "/admin/lessons/quizquestion/"]:
            response = client.get(url)
            assert response.status_code == 302, url
            assert response.url.startswith("/admin/login/")
        assert client.post(f"{LESSONS}add/", {"title": "x"}).status_code == 302
        assert not Lesson.objects.filter(title="x").exists()

    def test_staff_without_lesson_permissions_cannot_edit_lessons(self, client, django_user_model):
        helper = django_user_model.objects.create_user("helper", password="a long passphrase", is_staff=True)
        client.force_login(helper)
        assert client.get(LESSONS).status_code == 403


class TestAddAndChange:
    def test_staff_can_add_a_lesson_with_its_inlines(self, admin_client):
        values = form_from(
            admin_client,
            f"{LESSONS}add/",
            title="Replies without outbound rules",
            slug="replies",
            topic="AWS cloud",
            minutes="5",
            summary="Why replies *pass*.",
            published="on",
            order="2",
            scenario=json.dumps(SEED_SCENARIO),
            flow_summary="Flow.",
            sample_language="AWS",
            transcript="All of it.",
        )
        add_rows(values, "sample_lines", {"order": "1", "text": "Incoming packet"})
        add_rows(values, "key_moments", {"order": "1", "step": "2", "question": "Why?", "answer": "State."})
        add_rows(values, "quiz_questions", {"order": "1", "step": "1", "prompt": "What happens?", "hint": "Look"})
        add_options(values, "quiz_questions-0", ("Allowed", True), ("Dropped", False))
        add_rows(values, "snapshot_bullets", {"order": "1", "text": "Stateful."})
        add_rows(values, "modes", {"mode": "learn", "order": "0", "body": "Overview"})
        response = admin_client.post(f"{LESSONS}add/", values)
        assert response.status_code == 302, response.context["errors"]
        lesson = Lesson.objects.get(slug="replies")
        assert (lesson.title, lesson.minutes, lesson.published, lesson.scenario) == (
            "Replies without outbound rules", 5, True, SEED_SCENARIO,
        )  # fmt: skip
        assert [line.text for line in lesson.sample_lines.all()] == ["Incoming packet"]
        assert [(moment.step, moment.question) for moment in lesson.key_moments.all()] == [(2, "Why?")]
        assert [question.prompt for question in lesson.quiz_questions.all()] == ["What happens?"]
        assert [bullet.text for bullet in lesson.snapshot_bullets.all()] == ["Stateful."]
        assert lesson.mode_bar() == [("learn", "Learn"), ("visual", "Visual")]

    def test_staff_can_change_a_lesson_and_keep_its_inlines(self, admin_client, seed_lesson):
        values = form_from(admin_client, change_url(seed_lesson), title="Stateful security groups", minutes="12")
        response = admin_client.post(change_url(seed_lesson), values)
        assert response.status_code == 302, response.context["errors"]
        seed_lesson.refresh_from_db()
        assert (seed_lesson.title, seed_lesson.minutes) == ("Stateful security groups", 12)
        assert seed_lesson.scenario == SEED_SCENARIO
        assert seed_lesson.sample_lines.count() == 5
        assert seed_lesson.key_moments.count() == 2
        assert seed_lesson.quiz_questions.count() == 3

    def test_the_scenario_is_edited_as_indented_json(self, admin_client, seed_lesson):
        scenario = form_from(admin_client, change_url(seed_lesson))["scenario"]
        assert json.loads(scenario) == SEED_SCENARIO
        assert scenario.startswith('{\n  "security_groups": [\n    {\n      "')
        sections = ["security_groups", "instances", "timeline", "labels"]  # as docs/engine.md lists them
        assert sorted(sections, key=lambda key: scenario.index(f'\n  "{key}"')) == sections


class TestRefusals:
    def test_an_invalid_scenario_is_refused_with_its_path_and_nothing_is_saved(self, admin_client, seed_lesson):
        values = form_from(admin_client, change_url(seed_lesson), title="Changed", scenario=scenario_with_bad_cidr())
        response = admin_client.post(change_url(seed_lesson), values)
        assert response.status_code == 200
        [error] = response.context["adminform"].form.errors["scenario"]
        assert error.startswith(f"{BAD_CIDR_PATH}: ") and "10.0.0.0/33" in error
        assert BAD_CIDR_PATH in response.content.decode()
        seed_lesson.refresh_from_db()
        assert (seed_lesson.title, seed_lesson.scenario) == ("Stateful behavior of security groups in AWS", SEED_SCENARIO)

    def test_an_invalid_scenario_is_refused_when_adding_too(self, admin_client):
        values = form_from(admin_client, f"{LESSONS}add/", title="New", slug="new", scenario=scenario_with_bad_cidr())
        response = admin_client.post(f"{LESSONS}add/", values)
        assert response.status_code == 200
        assert BAD_CIDR_PATH in response.content.decode()
        assert not Lesson.objects.filter(slug="new").exists()

    def test_a_json_syntax_error_names_its_line_and_column(self, admin_client, seed_lesson):
        values = form_from(admin_client, change_url(seed_lesson), scenario='{\n  "security_groups": [,]\n}')
        response = admin_client.post(change_url(seed_lesson), values)
        # The engine's own reader and message, as the command line gives it.
        assert response.context["adminform"].form.errors["scenario"] == [
            "invalid JSON at line 2, column 23: Expecting value"
        ]

    def test_a_key_moment_pointing_past_the_last_step_is_refused(self, admin_client, seed_lesson):
        values = form_from(admin_client, change_url(seed_lesson), **{"key_moments-0-step": "9"})
        response = admin_client.post(change_url(seed_lesson), values)
        assert response.status_code == 200
        assert "Choose a step from 1 to 4: the scenario sends 4 packets." in response.content.decode()
        assert list(seed_lesson.key_moments.values_list("step", flat=True)) == [2, 3]

    def test_shortening_the_scenario_below_a_key_moments_step_is_refused(self, admin_client, seed_lesson):
        two_packets = {**SEED_SCENARIO, "timeline": SEED_SCENARIO["timeline"][:2]}
        values = form_from(admin_client, change_url(seed_lesson), scenario=json.dumps(two_packets))
        response = admin_client.post(change_url(seed_lesson), values)
        assert response.status_code == 200
        assert "Choose a step from 1 to 2: the scenario sends 2 packets." in response.content.decode()
        seed_lesson.refresh_from_db()
        assert seed_lesson.step_count == 4


    @pytest.mark.usefixtures("without_seed_modes")
    @pytest.mark.usefixtures("without_seed_modes")
    def test_an_engine_modes_invalid_scenario_is_refused_and_nothing_is_saved(self, admin_client, seed_lesson):
        values = form_from(admin_client, change_url(seed_lesson), title="Changed")
        add_rows(values, "modes", {"mode": "try", "order": "0", "body": "Sandbox", "scenario": scenario_with_bad_cidr()})
        response = admin_client.post(change_url(seed_lesson), values)
        assert response.status_code == 200
        [modes] = [inline.formset for inline in response.context["inline_admin_formsets"] if inline.formset.prefix == "modes"]
        [error] = modes.errors[-1]["scenario"]
        assert error.startswith(f"{BAD_CIDR_PATH}: ")
        seed_lesson.refresh_from_db()
        assert seed_lesson.title != "Changed" and not seed_lesson.modes.exists()

    @pytest.mark.usefixtures("without_seed_modes")
    def test_a_mode_without_its_own_scenario_shows_an_empty_box(self, admin_client, seed_lesson):
        seed_lesson.modes.create(mode="learn", body="Overview")
        values = form_from(admin_client, change_url(seed_lesson))
        assert values["modes-0-mode"] == "learn" and values["modes-0-scenario"] == ""
        assert admin_client.post(change_url(seed_lesson), values).status_code == 302
        assert seed_lesson.modes.get(mode="learn").scenario is None


class TestQuizOptions:
    @pytest.fixture
    def question(self, seed_lesson):
        return seed_lesson.quiz_questions.first()

    def question_form(self, client, question, correct):
        """The question's form with exactly the options at the `correct` positions marked right."""
        url = f"/admin/lessons/quizquestion/{question.pk}/change/"
        values = form_from(client, url)
        for index in range(question.options.count()):
            values.pop(f"options-{index}-is_correct", None)
            if index in correct:
                values[f"options-{index}-is_correct"] = "on"
        return url, values

    @pytest.mark.parametrize("correct", [(), (0, 2)])
    def test_a_question_without_exactly_one_right_answer_is_refused(self, admin_client, question, correct):
        url, values = self.question_form(admin_client, question, correct)
        response = admin_client.post(url, values)
        assert response.status_code == 200
        assert f"Mark exactly one option as correct ({len(correct)} are marked now)." in response.content.decode()
        assert question.correct_option.text == "The packet is allowed and connection state is recorded"

    def test_moving_the_right_answer_is_accepted(self, admin_client, question):
        url, values = self.question_form(admin_client, question, (1,))
        response = admin_client.post(url, values)
        assert response.status_code == 302
        assert QuizQuestion.objects.get(pk=question.pk).correct_option.text == "The packet is dropped"

    def test_deleting_the_right_answer_is_refused(self, admin_client, question):
        url, values = self.question_form(admin_client, question, (2,))
        values["options-2-DELETE"] = "on"
        response = admin_client.post(url, values)
        assert "Mark exactly one option as correct (0 are marked now)." in response.content.decode()
        assert question.options.count() == 4

    def test_a_question_needs_at_least_two_options(self, admin_client, seed_lesson):
        values = form_from(admin_client, "/admin/lessons/quizquestion/add/", lesson=str(seed_lesson.pk), step="1", prompt="Only one?", order="9")
        values.update({"options-0-text": "Yes", "options-0-is_correct": "on", "options-0-order": "1"})
        response = admin_client.post("/admin/lessons/quizquestion/add/", values)
        assert response.status_code == 200
        assert "Question “Only one?” is not ready for a published lesson: it has 1 option: give it at least two" in unescape(response.content.decode())
        assert not QuizQuestion.objects.filter(prompt="Only one?").exists()


class TestQuizOnTheLessonPage:
    """Options are edited inside their question on the lesson's page (django-nested-admin)."""

    def test_an_option_is_edited_without_leaving_the_lesson(self, admin_client, seed_lesson):
        values = form_from(admin_client, change_url(seed_lesson), **{"quiz_questions-0-options-1-why": "Because *no*."})
        assert admin_client.post(change_url(seed_lesson), values).status_code == 302
        question = seed_lesson.quiz_questions.get(order=1)
        assert question.options.get(order=2).why == "Because *no*."

    def published_with_a_new_question(self, client, lesson, *options, published=True):
        values = form_from(client, change_url(lesson))
        if not published:
            values.pop("published")
        add_rows(values, "quiz_questions", {"order": "4", "step": "1", "prompt": "Half written?"})
        index = int(values["quiz_questions-TOTAL_FORMS"]) - 1
        return add_options(values, f"quiz_questions-{index}", *options)

    @pytest.mark.parametrize(
        "options, problem",
        [
            ((), "it has 0 options: give it at least two, one marked correct."),
            ((("Yes", True),), "it has 1 option: give it at least two, one marked correct."),
            ((("Yes", True), ("Also yes", True)), "Mark exactly one option as correct (2 are marked now)."),
            ((("No", False), ("Neither", False)), "Mark exactly one option as correct (0 are marked now)."),
        ],
    )
    def test_a_lesson_with_an_incomplete_question_cannot_be_published(self, admin_client, seed_lesson, options, problem):
        values = self.published_with_a_new_question(admin_client, seed_lesson, *options)
        response = admin_client.post(change_url(seed_lesson), values)
        assert response.status_code == 200
        message = f"Question “Half written?” is not ready for a published lesson: {problem} Or untick Published to keep the lesson a draft."
        assert response.context["adminform"].form.errors["published"] == [message]  # the lesson form says it
        assert message in unescape(response.content.decode())
        assert seed_lesson.quiz_questions.count() == 3

    def test_a_draft_may_keep_an_unfinished_question(self, admin_client, seed_lesson):
        values = self.published_with_a_new_question(admin_client, seed_lesson, ("Yes", True), published=False)
        assert admin_client.post(change_url(seed_lesson), values).status_code == 302
        assert seed_lesson.quiz_questions.count() == 4

    def test_a_complete_new_question_with_its_options_is_saved_at_once(self, admin_client, seed_lesson):
        values = self.published_with_a_new_question(admin_client, seed_lesson, ("Yes", True), ("No", False))
        assert admin_client.post(change_url(seed_lesson), values).status_code == 302
        question = seed_lesson.quiz_questions.get(prompt="Half written?")
        assert [(option.text, option.is_correct) for option in question.options.all()] == [("Yes", True), ("No", False)]

    def test_deleting_an_unfinished_question_lets_the_lesson_be_published(self, admin_client, seed_lesson):
        QuizQuestion.objects.create(lesson=seed_lesson, order=4, step=1, prompt="Never finished")  # from before the check
        values = form_from(admin_client, change_url(seed_lesson))
        assert admin_client.post(change_url(seed_lesson), values).status_code == 200  # refused while it stays
        values["quiz_questions-3-DELETE"] = "on"
        assert admin_client.post(change_url(seed_lesson), values).status_code == 302
        assert seed_lesson.quiz_questions.count() == 3


class TestOneScenarioMistakeOneError:
    def errors(self, response):
        """Every error on the page: the lesson form's and each inline form's."""
        found = [error for errors in response.context["adminform"].form.errors.values() for error in errors]
        for inline in response.context["inline_admin_formsets"]:
            found += [error for form_errors in inline.formset.errors for errors in form_errors.values() for error in errors]
            found += list(inline.formset.non_form_errors())
        return found

    @pytest.mark.parametrize("scenario", ['{"timeline": [', "scenario_with_bad_cidr"])
    def test_a_broken_scenario_gives_one_error_not_one_per_step(self, admin_client, seed_lesson, scenario):
        scenario = scenario_with_bad_cidr() if scenario == "scenario_with_bad_cidr" else scenario
        values = form_from(admin_client, f"{LESSONS}add/", title="New", slug="new", scenario=scenario)
        add_rows(values, "key_moments", {"order": "1", "step": "2", "question": "Why?", "answer": "State."})
        add_rows(values, "quiz_questions", {"order": "1", "step": "3", "prompt": "What?"})
        add_options(values, "quiz_questions-0", ("Yes", True), ("No", False))
        response = admin_client.post(f"{LESSONS}add/", values)
        assert response.status_code == 200
        errors = self.errors(response)
        assert len(errors) == 1, errors
        [error] = errors
        assert error.startswith("invalid JSON at line 1") or error.startswith(BAD_CIDR_PATH)
        assert not Lesson.objects.filter(slug="new").exists()


class TestScenarioHelp:
    def test_a_new_lessons_scenario_starts_from_a_working_example(self, admin_client):
        scenario = form_from(admin_client, f"{LESSONS}add/")["scenario"]
        assert json.loads(scenario) == SEED_SCENARIO

    def test_the_scenario_field_links_to_the_format_on_the_site(self, admin_client, client, seed_lesson):
        assert '<a href="/docs/scenario/">The scenario format</a>' in admin_client.get(change_url(seed_lesson)).content.decode()
        page = client.get("/docs/scenario/")
        assert page.status_code == 200
        html = page.content.decode()
        assert '<h1 id="docs-title">The scenario format</h1>' in html
        assert "<h3><code>security_groups</code></h3>" in html and "<h3><code>timeline</code></h3>" in html
        assert "## Parameters" not in html and "<h3>Parameters" not in html  # only the scenario's section
        assert not re.search(r"<script(?! src=)", html)


class TestListingAndPreview:
    def test_search_finds_lessons_by_slug_and_summary(self, admin_client, seed_lesson):
        assert "Stateful behavior" in admin_client.get(LESSONS, {"q": "stateful-security"}).content.decode()
        assert "Stateful behavior" in admin_client.get(LESSONS, {"q": "reply leave"}).content.decode()
        assert "0 lessons" in admin_client.get(LESSONS, {"q": "nacl ephemeral"}).content.decode()

    def test_lessons_can_be_filtered_by_published_and_topic(self, admin_client, seed_lesson):
        Lesson.objects.create(slug="draft", title="Draft about NACLs", topic="Networking", scenario=SEED_SCENARIO)
        drafts = admin_client.get(LESSONS, {"published__exact": "0"}).content.decode()
        assert "Draft about NACLs" in drafts and "Stateful behavior" not in drafts
        aws = admin_client.get(LESSONS, {"topic": "AWS cloud"}).content.decode()
        assert "Stateful behavior" in aws and "Draft about NACLs" not in aws

    def test_view_on_site_opens_the_lesson_page(self, admin_client, seed_lesson):
        content_type = ContentType.objects.get_for_model(Lesson)
        shortcut = f"/admin/r/{content_type.pk}/{seed_lesson.pk}/"
        assert f'href="{shortcut}"' in admin_client.get(change_url(seed_lesson)).content.decode()
        response = admin_client.get(shortcut)
        assert response.status_code == 302
        assert response.url.endswith("/lessons/stateful-security-groups/")

    def test_script_written_in_markdown_never_reaches_a_page(self, admin_client, client, seed_lesson):
        values = form_from(admin_client, change_url(seed_lesson), summary="Hi <script>alert('x')</script>")
        assert admin_client.post(change_url(seed_lesson), values).status_code == 302
        page = client.get("/").content.decode()
        assert "<script>alert" not in page
        assert "Hi &lt;script&gt;alert('x')&lt;/script&gt;" in page


def test_a_quiz_options_why_box_is_narrow_enough_for_a_1280_px_screen(admin_client, seed_lesson):
    page = admin_client.get(change_url(seed_lesson)).content.decode()
    boxes = re.findall(r'<textarea[^>]*name="[^"]*-why"[^>]*>', page)
    assert boxes
    assert all(f'cols="{WHY_COLUMNS}"' in box and "vLargeTextField" not in box for box in boxes)


def test_class_sessions_are_listed_but_not_added_in_the_admin(admin_client):
    # A class is started from its lesson's page; the admin's add form used to fail (500).
    assert admin_client.get("/admin/classroom/classsession/").status_code == 200
    assert admin_client.get("/admin/classroom/classsession/add/").status_code == 403
