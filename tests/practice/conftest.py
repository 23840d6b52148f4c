import pytest

from practice.content import load_practice_content


@pytest.fixture
def practice_lesson(seed_lesson):
    """The seed lesson with its puzzles and project loaded from practice/content."""
    load_practice_content()
    return seed_lesson
