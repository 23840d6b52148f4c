"""``{% result_rows %}`` (sandbox/templatetags/result_rows.py) writes the results table's rows
as the loop of templates/sandbox/partials/results.html wrote them, kept here as the reference:
the same markup, escaping and number formatting included, in and out of ``{% localize off %}``,
less the whitespace between tags. Checked on generated rows and on the engine's own results."""

import json
from types import SimpleNamespace

from django.template import Context, Engine
from django.utils.html import strip_spaces_between_tags
from hypothesis import given
from hypothesis import strategies as st

from benchmarks._scenarios import big_scenario
from sandbox.analysis import analysis
from sandbox.templatetags.result_rows import result_rows
from sgviz.engine.results import Basis, Verdict

TEMPLATES = {
    "rows.html": """{% for row in results %}
          {% with result=row.result comparison=row.comparison %}
          <tr id="result-{{ result.index }}"{% if comparison.differs %} class="is-different"{% endif %}>
            <td data-label="Step">{% if comparison %}{{ comparison.step }}{% else %}<span aria-hidden="true">–</span><span class="visually-hidden">a change, not a step</span>{% endif %}</td>
            <td data-label="At" class="results__at">{{ result.at }} s</td>
            {% if comparison %}
              <td data-label="Packet"><code>{{ row.entry.packet.src }}</code> → <code>{{ row.entry.packet.dst }}</code> {{ row.entry.packet.protocol }}{% if row.entry.packet.flags %} {{ row.entry.packet.flags }}{% endif %}</td>
              <td data-label="Stateful (AWS)">{% include "verdict.html" with result=result %}<span class="basis">{{ result.basis.words }}</span> {{ result.explanation }}</td>
              <td data-label="Stateless">{% include "verdict.html" with result=comparison.stateless %}{% if comparison.differs %}<p class="difference"><span aria-hidden="true">≠</span> <strong>Differs:</strong> {{ comparison.reason }}</p>{% else %}<span class="muted">same verdict</span>{% endif %}</td>
            {% else %}
              <td data-label="Change" colspan="3">{{ result.explanation }}</td>
            {% endif %}
          </tr>
          {% endwith %}
        {% endfor %}""",
    "verdict.html": """{% if result.verdict.value == "ALLOW" %}<span class="verdict verdict--allow"><span aria-hidden="true">✓</span> ALLOW</span>{% else %}<span class="verdict verdict--drop"><span aria-hidden="true">✗</span> DROP</span>{% endif %}
""",
}
REFERENCE = Engine(loaders=[("django.template.loaders.locmem.Loader", TEMPLATES)]).get_template("rows.html")


def same_markup(results, use_l10n):
    """The tag and the reference loop, each with the whitespace between tags left out."""
    context = Context({"results": results}, use_l10n=use_l10n)
    return strip_spaces_between_tags(result_rows(context, results)) == strip_spaces_between_tags(REFERENCE.render(context)).strip()


words = st.text(alphabet=st.sampled_from(list("ab <>&\"'“é/0:-")), max_size=10)
numbers = st.one_of(st.integers(0, 10**7), st.floats(0, 10**20, allow_nan=False), st.sampled_from([1e-07, 0.1 + 0.2, 1e16, 2.5]))
judged = st.builds(SimpleNamespace, verdict=st.sampled_from(Verdict))
packets = st.fixed_dictionaries(
    {"src": words, "dst": words, "protocol": st.one_of(words, st.integers(0, 255))}, optional={"flags": st.one_of(words, st.lists(words, max_size=2))}
)
comparisons = st.builds(SimpleNamespace, step=st.integers(1, 300), differs=st.booleans(), stateless=judged, reason=words)


@st.composite
def rows(draw):
    result = SimpleNamespace(
        index=draw(st.integers(0, 300)), at=draw(numbers), verdict=draw(st.sampled_from(Verdict)), basis=draw(st.sampled_from(Basis)), explanation=draw(words)
    )
    comparison = draw(st.one_of(st.none(), comparisons))  # None: a change, not a packet
    return {"result": result, "entry": {"packet": draw(packets)} if comparison else {}, "comparison": comparison}


@given(st.lists(rows(), max_size=4), st.sampled_from([None, False]))
def test_the_rows_are_what_the_loop_wrote(results, use_l10n):
    assert same_markup(results, use_l10n)


def test_the_engines_results_for_a_big_scenario_and_the_seed_are_what_the_loop_wrote():
    seed = json.load(open("examples/seed-lesson.json"))
    for doc in (big_scenario(), seed):
        results = analysis(doc)["results"]
        assert results and same_markup(results, False) and same_markup(results, None)
