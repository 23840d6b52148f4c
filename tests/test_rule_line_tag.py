"""``{% rule_line %}`` (player/templatetags/rule_lines.py) writes a rules-panel line exactly
as the template language wrote it before the line moved to Python for speed: the same bytes,
escaping included, for any line, checked against that template kept here as the reference."""

from django.template import engines
from hypothesis import given
from hypothesis import strategies as st

from player.templatetags.rule_lines import rule_line, rule_lines
from sgviz.narration.rules import Mark, RuleLine, Term

# The <li> of templates/player/partials/rule_list.html before the tag replaced it.
REFERENCE = engines["django"].from_string(
    """<li class="rule {{ line.kinds }}">
          {% for mark in line.marks %}<span class="rule-mark rule-mark--{{ mark.kind }}"><span aria-hidden="true">{{ mark.glyph }}</span> {{ mark.words }}</span> {% endfor %}
          {% if line.removed %}<del>{% endif %}<span class="rule__plain">{{ line.plain }}</span>{% if line.description %} <span class="rule__description">“{{ line.description }}”</span>{% endif %}
          <span class="rule__terms">{% for term in line.terms %}<span class="term"><span class="term__name">{{ term.name }}</span> <code>{{ term.value }}</code></span>{% if not forloop.last %} {% endif %}{% endfor %}</span>{% if line.removed %}</del>{% endif %}
        </li>"""
)

# Words with the characters HTML escapes, quotes, and non-ASCII, as a learner's description may hold.
words = st.text(alphabet=st.sampled_from(list("ab <>&\"'“é/0")), max_size=12)
lines = st.builds(
    RuleLine,
    plain=words,
    terms=st.lists(st.builds(Term, words, words), max_size=4).map(tuple),
    description=words,
    marks=st.lists(st.builds(Mark, st.sampled_from(["decided", "matched", "added", "removed", "a<b"]), words, words), max_size=3).map(tuple),
    removed=st.booleans(),
)


# The loop of templates/player/partials/rule_list.html before {% rule_lines %} replaced it.
LOOP = engines["django"].from_string(
    """{% load rule_lines %}<ul>
      {% for line in lines %}
        {% rule_line line %}
      {% endfor %}
    </ul>"""
)
ONE_TAG = engines["django"].from_string("""{% load rule_lines %}<ul>
      {% rule_lines lines %}
    </ul>""")


@given(lines)
def test_the_tag_writes_what_the_template_wrote(line):
    assert rule_line(line) == REFERENCE.render({"line": line})


def test_a_removed_line_is_struck_through_and_its_words_escaped():
    line = RuleLine("Lets in <all>", (Term("IpProtocol", "-1"),), 'say "hi"', (Mark("removed", "−", "removed at this step"),), removed=True)
    html = rule_line(line)
    assert "<del><span class=\"rule__plain\">Lets in &lt;all&gt;</span>" in html and "</span></del>\n" in html
    assert "“say &quot;hi&quot;”" in html


@given(st.lists(lines, max_size=5).map(tuple))
def test_a_lists_lines_in_one_tag_are_what_the_loop_wrote(listed):
    assert ONE_TAG.render({"lines": listed}) == LOOP.render({"lines": listed})
