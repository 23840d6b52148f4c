"""Every lesson of content/ renders in each of its modes that has a page, loaded the way
`make run` loads it (load_lessons, load_modes, load_practice)."""

import pytest
from django.core.management import call_command

from lessons.content import lesson_files
from lessons.models import Lesson
from practice.models import ProjectTask, Puzzle

pytestmark = pytest.mark.django_db

SLUGS = [path.stem for path in lesson_files()]
PAGES = ["", "learn/", "why/", "deep/", "perf/", "challenge/"]


@pytest.fixture
def everything_loaded(db):
    for command in ("load_lessons", "load_modes", "load_practice"):
        call_command(command, stdout=open("/dev/null", "w"))


def test_make_runs_loaders_pick_up_every_lesson_file(everything_loaded):
    assert set(Lesson.objects.published().values_list("slug", flat=True)) == set(SLUGS)


@pytest.mark.parametrize("slug", SLUGS)
def test_every_page_of_every_lesson_renders(client, everything_loaded, slug):
    lesson = Lesson.objects.get(slug=slug)
    paths = [f"/lessons/{slug}/{page}" for page in PAGES]
    paths += [f"/lessons/{slug}/challenge/puzzles/{puzzle.slug}/" for puzzle in Puzzle.objects.filter(lesson=lesson)]
    paths += [f"/lessons/{slug}/project/{task.slug}/" for task in ProjectTask.objects.filter(lesson=lesson)]
    assert len(paths) > len(PAGES) + 1  # puzzles and a project besides the mode pages
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert lesson.title in response.content.decode(), path
