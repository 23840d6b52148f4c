"""``{% tracker_heads %}`` and ``{% tracker_cells %}`` (player/templatetags/tracker_columns.py)
write the Status Tracker's columns exactly as the template loops they replaced wrote them: the
same bytes, escaping included, checked against those loops kept here as the reference."""

from types import SimpleNamespace

from django.template import engines
from hypothesis import given
from hypothesis import strategies as st

from player.walkthrough import TrackerColumn

# The loops of templates/player/partials/tracker_table.html before the tags replaced them.
HEADS = engines["django"].from_string(
    """{% for cell in frame.tracker %}<th scope="col" role="columnheader" data-step="{{ cell.number }}"{% if cell.current %} class="is-current" aria-current="step"{% endif %}>{% if cell.number %}After Step {{ cell.number }}{% else %}Start{% endif %}</th>{% endfor %}"""
)
CELLS = engines["django"].from_string(
    """{% for cell in frame.tracker %}<td id="tracker-cell-{{ cell.number }}" role="cell" data-step="{{ cell.number }}" data-label="{% if cell.number %}After Step {{ cell.number }}{% else %}Start{% endif %}"{% if cell.current %} class="is-current"{% endif %}><span class="tracker-pending visually-hidden">not reached yet</span>{% if cell.text %}{% include "player/partials/tracker_text.html" with text=cell.text %}{% endif %}</td>{% endfor %}"""
)
TAGS = engines["django"].from_string("{% load tracker_columns %}{% tracker_heads frame %}|{% tracker_cells frame %}")

# What a tracker cell may say: a learner's labels and addresses, with the characters HTML escapes.
texts = st.text(alphabet=st.sampled_from(list("ab <>&\"'→é:0.")), max_size=16)
frames = st.lists(st.tuples(texts, st.booleans()), max_size=6).map(
    lambda cells: SimpleNamespace(tracker=tuple(TrackerColumn(number, text, current) for number, (text, current) in enumerate(cells)))
)


@given(frames)
def test_the_tags_write_what_the_loops_wrote(frame):
    assert TAGS.render({"frame": frame}) == f"{HEADS.render({'frame': frame})}|{CELLS.render({'frame': frame})}"


def test_a_reached_cell_shows_its_text_escaped_and_the_current_column_is_marked():
    frame = SimpleNamespace(tracker=(TrackerColumn(0, "none", False), TrackerColumn(1, "<tcp> open", True), TrackerColumn(2, "", False)))
    html = TAGS.render({"frame": frame})
    assert '<th scope="col" role="columnheader" data-step="1" class="is-current" aria-current="step">After Step 1</th>' in html
    assert '<span class="tracker-text">&lt;tcp&gt; open</span>' in html
    assert 'id="tracker-cell-2" role="cell" data-step="2" data-label="After Step 2"><span class="tracker-pending visually-hidden">not reached yet</span></td>' in html
