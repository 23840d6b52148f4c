"""Lessons load from content files through `manage.py load_lessons`, idempotently, and the
admin stays the editor: a lesson an author has saved is kept unless --replace."""

import json
import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from conftest import SEED_SLUG
from lessons.content import CONTENT_DIR
from lessons.models import Lesson

pytestmark = pytest.mark.django_db

SEED_FILE = CONTENT_DIR / f"{SEED_SLUG}.json"


def load(*args):
    out = StringIO()
    call_command("load_lessons", *args, stdout=out)
    return out.getvalue().splitlines()


def test_a_missing_lesson_is_created_with_everything_its_file_holds(seed_lesson):
    Lesson.objects.all().delete()
    assert load(str(SEED_FILE)) == [f"lesson {SEED_SLUG}: created"]
    lesson = Lesson.objects.get(slug=SEED_SLUG)
    content = json.loads(SEED_FILE.read_text())
    assert [(line.text, line.step) for line in lesson.sample_lines.all()] == [(l["text"], l["step"]) for l in content["sample_lines"]]
    assert lesson.key_moments.count() == 2 and lesson.snapshot_bullets.count() == 6
    wrong = [option for question in lesson.quiz_questions.all() for option in question.options.filter(is_correct=False)]
    assert len(wrong) == 9 and all(option.why for option in wrong)


def test_loading_again_changes_nothing(seed_lesson):
    assert load(str(SEED_FILE)) == [f"lesson {SEED_SLUG}: up to date"]
    assert Lesson.objects.get().updated == seed_lesson.updated


def test_a_lesson_edited_in_the_admin_is_kept_unless_replace_is_asked(admin_client, seed_lesson):
    seed_lesson.title = "Edited by an author"
    seed_lesson.save()
    assert load(str(SEED_FILE)) == [f"lesson {SEED_SLUG}: kept: edited since it was loaded (load with --replace to overwrite the edits)"]
    assert Lesson.objects.get().title == "Edited by an author"
    assert load(str(SEED_FILE), "--replace") == [f"lesson {SEED_SLUG}: replaced"]
    assert Lesson.objects.get().title == "Stateful behavior of security groups in AWS"


def test_a_lesson_that_did_not_come_from_a_file_is_kept(seed_lesson):
    Lesson.objects.filter(pk=seed_lesson.pk).update(content_loaded=None)  # as migration 0002 left it
    assert load(str(SEED_FILE))[0].startswith(f"lesson {SEED_SLUG}: kept: it was not loaded from a content file")


def test_an_untouched_lesson_follows_its_changed_file(seed_lesson, tmp_path):
    content = json.loads(SEED_FILE.read_text())
    content["minutes"] = 12
    changed = tmp_path / "lesson.json"
    changed.write_text(json.dumps(content))
    assert load(str(changed)) == [f"lesson {SEED_SLUG}: updated"]
    assert Lesson.objects.get().minutes == 12


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda c: c["key_moments"][0].update(step=9), "step: Choose a step from 1 to 4: the scenario sends 4 packets."),
        (lambda c: c.pop("scenario_file"), "missing 'scenario'"),
        (lambda c: c.update(scenario_file="examples/none.json"), "scenario_file examples/none.json"),
    ],
)
def test_a_bad_content_file_is_refused_naming_it_and_nothing_changes(seed_lesson, tmp_path, change, message):
    content = json.loads(SEED_FILE.read_text())
    content["slug"] = "new-lesson"
    change(content)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(content))
    with pytest.raises(CommandError) as refused:
        load(str(bad))
    assert str(refused.value).startswith(str(bad)) and message in str(refused.value)
    assert not Lesson.objects.filter(slug="new-lesson").exists()


def test_make_run_loads_the_lessons_after_migrating():
    makefile = (CONTENT_DIR.parents[1] / "Makefile").read_text()
    assert "manage.py migrate --noinput\n\t$(BIN)/python manage.py load_lessons\n" in makefile


# --- Every lesson's content, checked against the engine --------------------------------------

from lessons.content import export_lesson, lesson_document, lesson_files, load_lesson  # noqa: E402
from lessons.models import expect_disagreements, packet_count  # noqa: E402
from modes import content as mode_content  # noqa: E402
from practice.content import CONTENT_DIR as PRACTICE_DIR  # noqa: E402
from sgviz.engine import validate_scenario  # noqa: E402
from sgviz.grading import grade_project, grade_puzzle, read_project, read_puzzle  # noqa: E402

LESSON_FILES = lesson_files()
LESSON_SLUGS = [path.stem for path in LESSON_FILES]


def lesson_content(path):
    document = json.loads(path.read_text())
    for owner in [document, *document.get("modes", [])]:
        if "scenario_file" in owner:
            owner["scenario"] = json.loads((CONTENT_DIR.parents[1] / owner["scenario_file"]).read_text())
    return document


def faults(document):
    return [str(fault) for fault in validate_scenario(document).faults]


@pytest.mark.parametrize("path", LESSON_FILES, ids=LESSON_SLUGS)
def test_every_lesson_files_scenario_steps_and_quiz_agree_with_the_engine(path):
    lesson = lesson_content(path)
    assert faults(lesson["scenario"]) == []
    steps = packet_count(lesson["scenario"])
    pointing = [*lesson["key_moments"], *lesson["quiz"], *(line for line in lesson["sample_lines"] if "step" in line)]
    assert [item["step"] for item in pointing if not 1 <= item["step"] <= steps] == []
    for question in lesson["quiz"]:
        assert sum(bool(option.get("correct")) for option in question["options"]) == 1, question["prompt"]
        assert all(option.get("why") for option in question["options"] if not option.get("correct")), question["prompt"]
        assert question.get("hint"), question["prompt"]
        if "expect" in question:
            assert expect_disagreements(lesson["scenario"], question["step"], question["expect"]) == [], question["prompt"]
    assert lesson["snapshot"] and lesson["transcript"]
    for mode in lesson.get("modes", []):
        assert mode.get("scenario") is None or faults(mode["scenario"]) == [], mode["mode"]


@pytest.mark.parametrize("slug", LESSON_SLUGS)
def test_every_lessons_mode_demos_and_practice_tasks_are_valid(slug):
    for item in (item for item in mode_content.read() if item.lesson_slug == slug):
        for number, demo in enumerate(item.parts.get("demos", []), 1):
            assert faults(demo["scenario"]) == [], f"{item.mode} demo {number}"
            assert demo["source"], f"{item.mode} demo {number} names no documentation page"
        if "scenario" in item.parts:
            assert faults(item.parts["scenario"]) == [], item.mode
    practice_file = PRACTICE_DIR / f"{slug}.json"
    if not practice_file.exists():
        return
    practice = json.loads(practice_file.read_text())
    for item in practice.get("puzzles", []):
        puzzle = read_puzzle({key: item[key] for key in ("scenario", "goals", "constraints") if key in item})
        # The starting rules must not already solve it; the file's solution (if given) must.
        assert not grade_puzzle(puzzle, item["scenario"]["security_groups"]).solved, item["slug"]
        if "solution" in item:
            assert grade_puzzle(puzzle, item["solution"]).solved, item["slug"]
    for item in practice.get("projects", []):
        project = read_project(item["task"])
        assert not grade_project(project, item["task"]["scenario"]["security_groups"]).correct, item["slug"]
        if "solution" in item:
            outcome = grade_project(project, item["solution"])
            assert outcome.correct and outcome.checks_passed == len(outcome.review), item["slug"]


@pytest.mark.parametrize("path", LESSON_FILES, ids=LESSON_SLUGS)
def test_every_lesson_file_loads_and_offers_try_and_recall(path):
    load_lesson(path, replace=True)
    lesson = Lesson.objects.get(slug=path.stem)
    assert {"try", "recall"} <= set(lesson.modes.values_list("mode", flat=True))


def test_export_then_load_gives_the_same_lesson(admin_client, seed_lesson, tmp_path):
    call_command("load_modes")
    question = seed_lesson.quiz_questions.first()
    question.hint = "Edited in the admin"
    question.save()
    seed_lesson.modes.filter(mode="learn").update(body="### Edited overview\n")
    demo = seed_lesson.modes.get(mode="deep").demos.first()
    demo.claim = "An edited claim"
    demo.save()
    seed_lesson.save()
    # Learn, Why, Deep and Perf are written to the modes app's files, and come back through them.
    before = lesson_document(seed_lesson, skip_modes=frozenset(mode_content.MODES))
    scenario_file = CONTENT_DIR.parents[1] / "examples" / "seed-lesson.json"
    untouched = scenario_file.read_bytes()

    written = export_lesson(
        seed_lesson, folder=tmp_path / "lessons", modes_folder=tmp_path / "modes", practice_folder=tmp_path / "practice"
    )

    assert scenario_file.read_bytes() == untouched  # the scenario did not change: its file is not rewritten
    assert sorted(path.name for path in written) == sorted(
        [f"{SEED_SLUG}.json", *(f"{mode}.{kind}" for mode in mode_content.MODES for kind in ("md", "json"))]
    )
    assert load(str(tmp_path / "lessons" / f"{SEED_SLUG}.json")) == [f"lesson {SEED_SLUG}: up to date"]
    Lesson.objects.all().delete()
    assert load(str(tmp_path / "lessons" / f"{SEED_SLUG}.json")) == [f"lesson {SEED_SLUG}: created"]
    reloaded = Lesson.objects.get(slug=SEED_SLUG)
    assert lesson_document(reloaded) == before
    assert reloaded.quiz_questions.first().hint == "Edited in the admin"
    [learn] = [item for item in mode_content.read(tmp_path / "modes") if item.mode == "learn"]
    assert learn.body == "### Edited overview\n"
    [deep] = [item for item in mode_content.read(tmp_path / "modes") if item.mode == "deep"]
    assert deep.parts["demos"][0]["claim"] == "An edited claim"


def test_the_admin_action_exports_the_chosen_lessons(admin_client, seed_lesson, monkeypatch, tmp_path):
    from lessons import content
    from practice import content as practice_content

    call_command("load_practice", stdout=StringIO())
    monkeypatch.setattr(content, "CONTENT_DIR", tmp_path)
    monkeypatch.setattr(mode_content, "CONTENT", tmp_path / "modes")
    monkeypatch.setattr(practice_content, "CONTENT_DIR", tmp_path / "practice")
    response = admin_client.post(
        "/admin/lessons/lesson/", {"action": "export_to_content_file", "_selected_action": [seed_lesson.pk]}, follow=True
    )
    assert response.status_code == 200
    assert json.loads((tmp_path / f"{SEED_SLUG}.json").read_text())["title"] == seed_lesson.title
    assert f"Exported {SEED_SLUG}: wrote " in response.content.decode()
    assert json.loads((tmp_path / "practice" / f"{SEED_SLUG}.json").read_text())["puzzles"]
    again = admin_client.post(
        "/admin/lessons/lesson/", {"action": "export_to_content_file", "_selected_action": [seed_lesson.pk]}, follow=True
    )
    assert f"Exported {SEED_SLUG}: its files already hold it, nothing to write" in again.content.decode()



def _files_under(folder):
    return {str(path.relative_to(folder)): path.read_text() for path in sorted(folder.rglob("*")) if path.is_file()}


def _export_into(folder, slug):
    lesson = Lesson.objects.get(slug=slug)
    return export_lesson(lesson, folder=folder / "lessons", modes_folder=folder / "modes", practice_folder=folder / "practice")


def _load_everything():
    for command in ("load_lessons", "load_modes", "load_practice"):
        call_command(command, stdout=StringIO())


@pytest.mark.parametrize("slug", LESSON_SLUGS)
def test_export_then_load_into_an_empty_database_then_export_gives_the_same_files(slug, tmp_path):
    from modes.storage import load_modes
    from practice.content import load_file

    _load_everything()
    written = _export_into(tmp_path / "first", slug)
    first = _files_under(tmp_path / "first")
    # Each loader's file: the lesson's, one .md and one .json per explanation mode, the practice file.
    modes = [item.mode for item in mode_content.read() if item.lesson_slug == slug]
    assert sorted(first) == sorted(
        [f"lessons/{slug}.json", f"practice/{slug}.json", *(f"modes/{slug}/{mode}.{kind}" for mode in modes for kind in ("md", "json"))]
    )
    assert sorted(str(path.relative_to(tmp_path / "first")) for path in written) == sorted(first)

    Lesson.objects.all().delete()
    load_lesson(tmp_path / "first" / "lessons" / f"{slug}.json")
    load_modes(tmp_path / "first" / "modes")
    load_file(tmp_path / "first" / "practice" / f"{slug}.json")

    _export_into(tmp_path / "second", slug)
    assert _files_under(tmp_path / "second") == first


@pytest.mark.parametrize("slug", LESSON_SLUGS)
def test_exporting_an_unedited_lesson_over_its_files_writes_nothing(slug, tmp_path):
    """Everything the loaders read comes back as it was (and what they do not read, such as a
    task's solution, is kept): the copies of the project's files are left untouched."""
    _load_everything()
    copies = tmp_path / "copy"
    for source, name in ((CONTENT_DIR, "lessons"), (mode_content.CONTENT, "modes"), (PRACTICE_DIR, "practice")):
        shutil.copytree(source, copies / name)
    before = _files_under(copies)

    assert _export_into(copies, slug) == []
    assert _files_under(copies) == before
