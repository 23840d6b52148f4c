import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from conftest import SEED_SCENARIO, load_seed_lesson
from lessons.models import KeyMoment, Lesson, LessonMode, QuizQuestion, packet_count

pytestmark = pytest.mark.django_db

BAD_CIDR_PATH = "security_groups[0].IpPermissions[0].IpRanges[0].CidrIp"


def make_lesson(slug="example", **fields):
    fields = {"title": slug.title(), "scenario": SEED_SCENARIO, **fields}
    return Lesson.objects.create(slug=slug, **fields)


def with_bad_cidr(scenario):
    scenario["security_groups"][0]["IpPermissions"][0]["IpRanges"][0]["CidrIp"] = "10.0.0.0/33"
    return scenario


class TestSeedLesson:
    def test_it_is_published_with_the_seed_pages_heading(self, seed_lesson):
        assert seed_lesson.title == "Stateful behavior of security groups in AWS"
        assert seed_lesson.topic == "AWS cloud"
        assert seed_lesson.minutes == 10
        assert seed_lesson.published
        assert seed_lesson.get_absolute_url() == "/lessons/stateful-security-groups/"

    def test_its_scenario_is_the_example_file_and_has_four_steps(self, seed_lesson):
        assert seed_lesson.scenario == SEED_SCENARIO
        assert seed_lesson.step_count == 4

    def test_its_scenario_passes_the_engines_validator(self, seed_lesson):
        seed_lesson.full_clean()

    def test_it_has_the_seed_pages_texts_verbatim(self, seed_lesson):
        assert seed_lesson.flow_summary == (
            "Security groups check incoming packets against rules, allow if matched, then remember "
            "the connection to allow related outgoing packets automatically."
        )
        assert seed_lesson.sample_language == "AWS"
        assert seed_lesson.sample_summary == (
            "This shows how a security group allows an incoming request and then automatically "
            "allows the related outgoing response without extra rules."
        )
        assert seed_lesson.table_note == "Packets dropped if not allowed inbound or not part of existing connection state"
        assert seed_lesson.transcript.startswith("Security groups in AWS act like smart gatekeepers.")
        assert seed_lesson.transcript.endswith("This stateful behavior simplifies managing network traffic securely.")
        assert "This means you don't need to write outbound rules for responses." in seed_lesson.transcript

    def test_it_has_the_five_execution_sample_lines_in_order(self, seed_lesson):
        assert [line.text for line in seed_lesson.sample_lines.all()] == [
            "Incoming packet from IP A to port 80",
            "Security group allows inbound TCP port 80",
            "Packet allowed and connection state recorded",
            "Outgoing response packet to IP A",
            "Security group allows response automatically",
        ]

    def test_its_sample_lines_narrate_the_request_at_step_one_and_the_reply_at_step_two(self, seed_lesson):
        assert [line.step for line in seed_lesson.sample_lines.all()] == [1, 1, 1, 2, 2]

    def test_its_key_moments_point_at_steps_two_and_three(self, seed_lesson):
        moments = list(seed_lesson.key_moments.all())
        assert [(moment.step, moment.question) for moment in moments] == [
            (2, "Why does the outgoing response get allowed without an explicit outbound rule?"),
            (3, "What happens if an incoming packet does not match any inbound rule?"),
        ]
        assert "(see execution_table step 2)" in moments[0].answer
        assert moments[1].answer.startswith("The packet is dropped immediately (see execution_table step 3)")

    def test_its_quiz_has_three_questions_answered_c_a_b(self, seed_lesson):
        questions = list(seed_lesson.quiz_questions.prefetch_related("options"))
        assert len(questions) == 3
        letters = ["ABCD"[list(question.options.all()).index(question.correct_option)] for question in questions]
        assert letters == ["C", "A", "B"]
        assert [option.text for option in questions[1].options.all()] == ["Step 4", "Step 1", "Step 2", "Step 3"]
        assert questions[0].hint == "Refer to execution_table row with Step 1 under 'Action'"
        assert all(question.explanation for question in questions)
        assert [question.step for question in questions] == [1, 4, 2]

    def test_its_concept_snapshot_has_six_bullets(self, seed_lesson):
        bullets = [bullet.text for bullet in seed_lesson.snapshot_bullets.all()]
        assert len(bullets) == 6
        assert bullets[0] == "Security groups are stateful firewalls."
        assert bullets[-1] == "Packets not matching rules or state are dropped."


    def test_its_loader_restores_it_once_after_the_database_is_emptied(self, seed_lesson):
        Lesson.objects.all().delete()
        load_seed_lesson()
        load_seed_lesson()
        lesson = Lesson.objects.get()
        assert (lesson.slug, lesson.sample_lines.count(), lesson.quiz_questions.count()) == (
            "stateful-security-groups", 5, 3,
        )  # fmt: skip


class TestLesson:
    def test_published_lists_only_published_lessons(self):
        make_lesson("draft", published=False)
        assert list(Lesson.objects.published().values_list("slug", flat=True)) == ["stateful-security-groups"]

    def test_lessons_are_ordered_by_order_then_title(self):
        make_lesson("zebra", order=0)
        make_lesson("alpha", order=0)
        make_lesson("first", order=-1)
        assert [lesson.slug for lesson in Lesson.objects.all()] == ["first", "alpha", "zebra", "stateful-security-groups"]

    def test_it_refuses_an_invalid_scenario_naming_the_path(self, seed_lesson, seed_scenario):
        seed_lesson.scenario = with_bad_cidr(seed_scenario)
        with pytest.raises(ValidationError) as refused:
            seed_lesson.full_clean()
        [message] = refused.value.message_dict["scenario"]
        assert message.startswith(f"{BAD_CIDR_PATH}: ")
        assert "10.0.0.0/33" in message

    def test_it_lists_every_fault_of_a_scenario(self, seed_lesson, seed_scenario):
        scenario = with_bad_cidr(seed_scenario)
        scenario["timeline"][0]["packet"]["dst"] = "10.0.1.10:70000"
        seed_lesson.scenario = scenario
        with pytest.raises(ValidationError) as refused:
            seed_lesson.clean()
        messages = refused.value.message_dict["scenario"]
        assert len(messages) == 2
        assert messages[1].startswith("timeline[0].packet.dst")

    def test_saving_an_invalid_scenario_is_refused_and_stores_nothing(self, seed_lesson, seed_scenario):
        seed_lesson.scenario = with_bad_cidr(seed_scenario)
        with pytest.raises(ValidationError):
            seed_lesson.save()
        seed_lesson.refresh_from_db()
        assert seed_lesson.scenario == SEED_SCENARIO

    @pytest.mark.parametrize("document", [{}, [], "not an object", None])
    def test_it_refuses_a_scenario_that_is_not_a_scenario_object(self, document):
        lesson = Lesson(slug="broken", title="Broken", scenario=document)
        with pytest.raises(ValidationError) as refused:
            lesson.clean()
        assert refused.value.message_dict["scenario"]


class TestSteps:
    def test_only_packets_count_as_steps(self, seed_scenario):
        seed_scenario["timeline"].insert(
            2,
            {
                "at": 1.5,
                "change": {
                    "group": "sg-0a1b2c3d4e5f60001",
                    "direction": "ingress",
                    "action": "revoke",
                    "permission": seed_scenario["security_groups"][0]["IpPermissions"][0],
                },
            },
        )
        assert packet_count(seed_scenario) == 4

    @pytest.mark.parametrize(
        "document, steps",
        [(None, 0), ([], 0), ({}, 0), ({"timeline": "x"}, 0), ({"timeline": [1, {"packet": {}}]}, 1)],
    )
    def test_a_malformed_document_counts_what_it_can(self, document, steps):
        assert packet_count(document) == steps

    @pytest.mark.parametrize("model", [KeyMoment, QuizQuestion])
    @pytest.mark.parametrize("step", [1, 4])
    def test_a_step_within_the_scenario_is_accepted(self, seed_lesson, model, step):
        model(lesson=seed_lesson, step=step).clean()

    @pytest.mark.parametrize("model", [KeyMoment, QuizQuestion])
    @pytest.mark.parametrize("step", [0, 5])
    def test_a_step_outside_the_scenario_is_refused(self, seed_lesson, model, step):
        with pytest.raises(ValidationError) as refused:
            model(lesson=seed_lesson, step=step).clean()
        assert refused.value.message_dict["step"] == ["Choose a step from 1 to 4: the scenario sends 4 packets."]


@pytest.mark.usefixtures("without_seed_modes")
class TestModes:
    @pytest.fixture(autouse=True)
    def _seed_lesson_without_modes(self, seed_lesson):
        """These tests author modes from none; the seed's content comes with Recall."""
        seed_lesson.modes.all().delete()

    def test_there_are_the_nine_modes_of_the_spec_in_its_order(self):
        assert LessonMode.Mode.labels == [
            "Learn", "Why", "Deep", "Visual", "Try", "Challenge", "Project", "Recall", "Perf",
        ]  # fmt: skip

    def test_a_lesson_without_mode_texts_offers_visual_only(self, seed_lesson):
        assert seed_lesson.mode_bar() == [("visual", "Visual")]

    def test_authored_modes_join_visual_in_the_spec_order(self, seed_lesson):
        seed_lesson.modes.create(mode="recall", body="Cards")
        seed_lesson.modes.create(mode="learn", body="Overview")
        assert seed_lesson.mode_bar() == [("learn", "Learn"), ("visual", "Visual"), ("recall", "Recall")]

    def test_authors_can_reorder_modes(self, seed_lesson):
        seed_lesson.modes.create(mode="learn", body="Overview", order=2)
        seed_lesson.modes.create(mode="recall", body="Cards")
        assert [mode for mode, _ in seed_lesson.mode_bar()] == ["visual", "recall", "learn"]

    def test_an_engine_mode_runs_the_lessons_scenario_unless_it_has_its_own(self, seed_lesson, seed_scenario):
        sandbox = seed_lesson.modes.create(mode="try", body="Edit the rules.")
        assert sandbox.engine_scenario == seed_lesson.scenario
        seed_scenario["timeline"] = seed_scenario["timeline"][:1]
        sandbox.scenario = seed_scenario
        sandbox.save()
        sandbox.refresh_from_db()
        assert sandbox.engine_scenario["timeline"] == SEED_SCENARIO["timeline"][:1]

    def test_an_engine_modes_invalid_scenario_is_refused_naming_the_path(self, seed_lesson, seed_scenario):
        challenge = LessonMode(lesson=seed_lesson, mode="challenge", scenario=with_bad_cidr(seed_scenario))
        with pytest.raises(ValidationError) as refused:
            challenge.save()
        [message] = refused.value.message_dict["scenario"]
        assert message.startswith(f"{BAD_CIDR_PATH}: ")
        assert not seed_lesson.modes.exists()

    @pytest.mark.parametrize("mode", ["learn", "why", "visual", "recall"])
    def test_a_mode_without_the_engine_takes_no_scenario(self, seed_lesson, mode):
        with pytest.raises(ValidationError) as refused:
            LessonMode(lesson=seed_lesson, mode=mode, scenario=SEED_SCENARIO).clean()
        assert refused.value.message_dict["scenario"] == [
            f"{LessonMode.Mode(mode).label} runs no scenario; only Deep, Try, Challenge, Project, Perf do. Leave it empty."
        ]

    def test_a_lesson_has_one_text_per_mode(self, seed_lesson):
        seed_lesson.modes.create(mode="learn", body="One")
        with pytest.raises(IntegrityError):
            seed_lesson.modes.create(mode="learn", body="Two")
