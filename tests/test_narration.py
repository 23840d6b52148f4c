"""The Visual mode's wording, pure: typed tracker cells decide, not their words."""

from sgviz.narration import visual
from sgviz.narration.visual import TrackerCell


def test_joined_cells_keep_what_changed_and_drop_the_rest():
    cells = [TrackerCell("No change", False), TrackerCell("Connection recorded for IP A:80", True), TrackerCell("No change", False)]
    assert visual.joined(cells) == TrackerCell("Connection recorded for IP A:80", True)


def test_joined_cells_without_a_change_keep_the_last_cell():
    cells = [TrackerCell("No change", False), TrackerCell("No change (flow not tracked)", False)]
    assert visual.joined(cells) == cells[-1]


def test_a_cell_worded_like_a_change_but_typed_unchanged_is_not_a_change():
    # The old shell matched "No change" by prefix; typed cells do not care about the words.
    cells = [TrackerCell("No change, but a rule was revoked", True), TrackerCell("Connection closing", False)]
    assert visual.joined(cells).text == "No change, but a rule was revoked"


def test_the_step_caption_and_the_chart_path():
    assert visual.step_caption(2, 4, "Allowed.") == "Step 2 of 4. Allowed."
    assert visual.step_caption(0, 0, "").startswith("This scenario sends no packets yet")
    assert visual.chart_path(3, ["A", "B"]) == "Step 3: A → B."
    assert visual.chart_path(3, []) == "Step 3 does not pass through this lane."
