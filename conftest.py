import copy
import json
import os
from pathlib import Path

import pytest
from hypothesis import settings

from benchmarks._forms import form_values  # noqa: F401  (the tests import it from here)

# Property tests judge behaviour, not speed: a busy 2-core CI machine must not fail them on
# Hypothesis's 200 ms deadline. Under CI the examples are derandomized, so a red run can be
# replayed exactly; locally each run explores new examples.
settings.register_profile("sgviz", deadline=None)
settings.register_profile("ci", parent=settings.get_profile("sgviz"), derandomize=True, database=None)
settings.load_profile("ci" if os.environ.get("CI") else "sgviz")

SEED_SCENARIO = json.loads((Path(__file__).parent / "examples" / "seed-lesson.json").read_text())
SEED_SLUG = "stateful-security-groups"

# Pools the test process had open when a live server forked from it; see below.
_pools_inherited_by_this_fork = []


def _forget_inherited_connection_pools():
    """ChannelsLiveServerTestCase forks daphne from the test process. On PostgreSQL the child
    would inherit Django's connection pool: idle connections whose sockets the parent still
    uses, and worker threads that did not survive the fork. The child starts its own pool.
    The old pools stay referenced, never closed: closing them would end the parent's sessions."""
    from django.db.backends.postgresql.base import DatabaseWrapper

    _pools_inherited_by_this_fork.append(DatabaseWrapper._connection_pools)
    DatabaseWrapper._connection_pools = {}


os.register_at_fork(after_in_child=_forget_inherited_connection_pools)


@pytest.fixture
def seed_scenario():
    """The seed lesson's scenario document, a fresh copy to modify."""
    return copy.deepcopy(SEED_SCENARIO)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database holds the seed lesson, loaded as `make run` loads it."""
    with django_db_blocker.unblock():
        load_seed_lesson()


@pytest.fixture(autouse=True)
def _a_channel_layer_per_test():
    """Each async test case runs in an event loop of its own, but Channels keeps one layer
    instance per process. channels_redis binds its receive locks to the loop that first waited
    on them (and keeps a lock whose waiter was cancelled), so a later test's receive would fail
    with "bound to a different event loop": every test builds its layer afresh."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def _seed_lesson_even_after_a_flush(request, django_db_blocker):
    """make test runs the suite in several workers, each taking whole files in no set order,
    so a worker may run a transactional test (which empties the database as it ends) before
    a test that expects the seed lesson: put the lesson back first if it is gone."""
    from django.test import TransactionTestCase

    uses_database = (
        request.node.get_closest_marker("django_db") is not None
        or {"db", "transactional_db", "seed_lesson"} & set(request.fixturenames)
        or isinstance(request.instance, TransactionTestCase)
    )
    if not uses_database:
        return
    request.getfixturevalue("django_db_setup")
    from lessons.models import Lesson

    with django_db_blocker.unblock():
        if not Lesson.objects.filter(slug=SEED_SLUG).exists():
            load_seed_lesson()


@pytest.fixture
def seed_lesson(db):
    """The lesson loaded from content/lessons/stateful-security-groups.json."""
    from lessons.models import Lesson

    return Lesson.objects.get(slug=SEED_SLUG)


@pytest.fixture
def without_seed_modes(seed_lesson):
    """The seed lesson without the mode rows its content file gives it (Try, Recall), for
    tests that start from a lesson offering Visual only and add modes of their own."""
    seed_lesson.modes.all().delete()
    return seed_lesson


def load_seed_lesson():
    """Load the seed lesson again through the content loader (lessons/content.py), for tests
    that empty the database (TransactionTestCase, ChannelsLiveServerTestCase): call it in
    setUp. (serialized_rollback=True breaks as soon as a test without it has flushed the
    database: the content types it re-creates collide with the restored ones.)"""
    from lessons.content import CONTENT_DIR, load_lesson

    load_lesson(CONTENT_DIR / f"{SEED_SLUG}.json")
