"""Lessons load from content files through `manage.py load_lessons`, idempotently, and the
admin stays the editor: a lesson an author has saved is kept unless --replace."""

import json
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
    assert load() == [f"lesson {SEED_SLUG}: created"]
    lesson = Lesson.objects.get(slug=SEED_SLUG)
    content = json.loads(SEED_FILE.read_text())
    assert [(line.text, line.step) for line in lesson.sample_lines.all()] == [(l["text"], l["step"]) for l in content["sample_lines"]]
    assert lesson.key_moments.count() == 2 and lesson.snapshot_bullets.count() == 6
    wrong = [option for question in lesson.quiz_questions.all() for option in question.options.filter(is_correct=False)]
    assert len(wrong) == 9 and all(option.why for option in wrong)


def test_loading_again_changes_nothing(seed_lesson):
    assert load() == [f"lesson {SEED_SLUG}: up to date"]
    assert Lesson.objects.get().updated == seed_lesson.updated


def test_a_lesson_edited_in_the_admin_is_kept_unless_replace_is_asked(admin_client, seed_lesson):
    seed_lesson.title = "Edited by an author"
    seed_lesson.save()
    assert load() == [f"lesson {SEED_SLUG}: kept: edited since it was loaded (load with --replace to overwrite the edits)"]
    assert Lesson.objects.get().title == "Edited by an author"
    assert load("--replace") == [f"lesson {SEED_SLUG}: replaced"]
    assert Lesson.objects.get().title == "Stateful behavior of security groups in AWS"


def test_a_lesson_that_did_not_come_from_a_file_is_kept(seed_lesson):
    Lesson.objects.filter(pk=seed_lesson.pk).update(content_loaded=None)  # as migration 0002 left it
    assert load()[0].startswith(f"lesson {SEED_SLUG}: kept: it was not loaded from a content file")


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
