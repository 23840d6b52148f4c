"""Two tabs on one draft, without JavaScript: each button posts the whole editor, and the page
is drawn again. Hypothesis interleaves the tabs' typing, row additions and removals, moves,
replies, Saves, "Keep mine" and reloads. Whatever the order, no post loses what its tab typed,
and nothing is stored over a change the posting tab was not shown.

The server is the pure part the view runs (editor.read_post) over a draft written only by
compare-and-swap on its version, as Draft.save_changes does, under the sandbox's caps; what a
refused post's page carries follows views._refused: the learner's version as its document,
the page's own version, and after a stale refusal the latest version for "Keep mine"."""

import copy
import json
from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.document import MAX_GROUPS, apply_action, cap_problems, encoded_size, normalize
from sandbox.editor import Post, get_at, places, read_post, remove_action
from tests.support.editor import posted, shown

SEED = normalize(json.load(open("examples/seed-lesson.json")))
# One group short of the cap, so that adding groups meets it: a refused page then shows a
# version the draft does not hold, at the draft's own version.
NEAR_CAP = SEED
for _ in range(MAX_GROUPS - 1 - len(SEED["security_groups"])):
    NEAR_CAP = apply_action(NEAR_CAP, "add_group")
# The text fields the tabs type into: (row kind, field) -> where the text lands in the row's object.
TYPED_AT = {("group", "name"): ("GroupName",), ("rule", "protocol"): ("IpProtocol",), ("instance", "name"): ("name",), ("packet", "src"): ("packet", "src")}
# Text typed as it is kept: no surrounding spaces, never empty.
texts = st.from_regex(r"[a-z0-9][a-z0-9 .:/-]{0,10}[a-z0-9]|[a-z]", fullmatch=True)


class Draft:
    """The stored draft: a document at a version, changed only by a write naming that version."""

    def __init__(self, doc):
        self.doc, self.version = doc, 1

    def save_changes(self, expected_version, doc):
        if expected_version != self.version:
            return False
        self.doc, self.version = doc, expected_version + 1
        return True


@dataclass
class Tab:
    doc: object  # what the page's fields were drawn from
    version: int
    typing: dict = field(default_factory=dict)  # field name -> text typed since
    keep: int | None = None  # the latest version the page offers to keep over, after a stale refusal

    def learners_version(self):
        """The document as the learner sees it: the page's, with their typing in place."""
        doc = copy.deepcopy(self.doc)
        rows = {place.key: place for place in places(doc)}
        for name, text in self.typing.items():
            row, field_key = name.rsplit("-", 1)
            *path, key = TYPED_AT[(rows[row].kind.name, field_key)]
            get_at(get_at(doc, rows[row].path), tuple(path))[key] = text
        return doc

    def typeable(self):
        return sorted(f"{place.key}-{key}" for place in places(self.doc) for kind, key in TYPED_AT if place.kind.name == kind)

    def buttons(self):
        """The buttons the page shows (templates/sandbox/partials/)."""
        found = ["save", "add_group", "add_instance", "add_packet"]
        timeline = [place for place in places(self.doc) if place.path[0] == "timeline"]
        for place in places(self.doc):
            found.append(remove_action(place))
            if place.kind.name == "group":
                found += [f"add_rule:{place.path[1]}:in", f"add_rule:{place.path[1]}:out"]
            if place.kind.name == "packet":
                found.append(f"reply:{place.path[1]}")
        for index, _ in enumerate(timeline):
            found += [f"wait_before:{index}"] + [f"move_up:{index}"] * (index > 0) + [f"move_down:{index}"] * (index < len(timeline) - 1)
        return found


def press(draft, tab, action, keep=False):
    """Post the tab's page with this button ("Keep mine" when ``keep``) and draw its next page."""
    expected = tab.learners_version() if action == "save" else apply_action(tab.learners_version(), action)
    knows = tab.keep if keep else tab.version  # the latest version this tab has been shown
    before = draft.version
    edit = read_post(Post(posted(tab.doc) | tab.typing, action=action, version=tab.version, base=tab.doc, keep=tab.keep if keep else None), draft.doc, draft.version)
    assert shown(edit.doc) == shown(expected), "the post means what the learner saw and pressed"
    within_caps = not cap_problems(edit.doc, encoded_size(edit.doc))
    stored = within_caps and draft.save_changes(edit.expected_version, edit.doc)
    assert stored == (within_caps and before == knows), "stored exactly when nothing the tab was not shown came between"
    if stored:  # redirected to the page drawn from the draft
        assert shown(draft.doc) == shown(expected)
        tab.doc, tab.version, tab.keep = draft.doc, draft.version, None
    else:  # the refused page shows the learner's version; only a stale refusal offers "Keep mine"
        tab.doc, tab.keep = edit.doc, draft.version if within_caps else None
    tab.typing = {}


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_any_interleaving_of_two_tabs_keeps_each_tabs_typing_and_never_overwrites_unseen_changes(data):
    start = data.draw(st.sampled_from([SEED, NEAR_CAP]), label="start")
    draft = Draft(start)
    tabs = [Tab(start, 1), Tab(start, 1)]
    for _ in range(data.draw(st.integers(1, 25), label="steps")):
        tab = data.draw(st.sampled_from(tabs), label="tab")
        step = data.draw(st.sampled_from(["type", "press", "keep", "reload"]), label="step")
        if step == "type" and tab.typeable():
            tab.typing[data.draw(st.sampled_from(tab.typeable()), label="field")] = data.draw(texts, label="text")
        elif step == "press":
            # One press in three adds a group: enough to meet the cap.
            buttons = st.sampled_from(tab.buttons())
            press(draft, tab, data.draw(st.one_of(buttons, buttons, st.just("add_group")), label="button"))
        elif step == "keep" and tab.keep is not None:
            press(draft, tab, "save", keep=True)
        elif step == "reload":  # or "Discard mine": the page drawn from the latest draft
            tab.doc, tab.version, tab.typing, tab.keep = draft.doc, draft.version, {}, None
