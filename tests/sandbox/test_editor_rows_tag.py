"""The editor's row tags (sandbox/templatetags/editor_rows.py) write what the templates they
replaced wrote: the same markup, escaping included, for any row of any kind, with only the
whitespace between tags left out (the templates' indentation: none of it is rendered, as rows,
fields and buttons sit in blocks, grids and flex boxes). The templates are kept here as the
reference, less the autocomplete="off" spellcheck="false" of each text input, which the forms
holding the rows now carry once for all of them (tests/sandbox/test_browser.py checks that the
inputs inherit both)."""

from html import escape

from django.template import Context, Engine
from django.utils.html import strip_spaces_between_tags
from hypothesis import given
from hypothesis import strategies as st

from sandbox.editor import KINDS, ROW_TITLES, RULE_KINDS, Editor, Field, Row
from sandbox.templatetags.editor_rows import editor_faults, editor_fields, editor_row, row_errors

# templates/sandbox/partials/{row,field,row_errors,field_errors}.html before the tags replaced them.
TEMPLATES = {
    "sandbox/partials/row.html": """{# One object of the scenario (group, rule, instance, entry, ...): its fields and a remove button. #}
<fieldset class="row row--{{ row.kind }}{% if row.errors %} has-error{% endif %}" id="{{ row.key }}">
  <legend>{{ title|default:row.title }} {{ row.number }}</legend>
  <input type="hidden" name="{{ row.key }}-present" value="1">
  {% include "sandbox/partials/row_errors.html" %}
  <div class="row__fields">
    {% for field in row.fields %}{% include "sandbox/partials/field.html" %}{% endfor %}
  </div>
  <div class="row__actions">
    {% if row.kind == "packet" or row.kind == "rule-change" or row.kind == "nacl-change" %}
      {% if row.kind == "packet" %}<button type="submit" name="action" value="reply:{{ row.index }}" id="b-reply-{{ row.key }}">↩ Reply to packet {{ row.number }}</button>{% endif %}
      <button type="submit" name="action" value="wait_before:{{ row.index }}" id="b-wait-{{ row.key }}"><span aria-hidden="true">⏱</span> Wait before <span class="visually-hidden">entry {{ row.number }}</span></button>
      <button type="submit" name="action" value="move_up:{{ row.index }}" id="b-up-{{ row.key }}"{% if row.index == 0 %} disabled{% endif %}><span aria-hidden="true">↑</span> Move up <span class="visually-hidden">entry {{ row.number }}</span></button>
      <button type="submit" name="action" value="move_down:{{ row.index }}" id="b-down-{{ row.key }}"{% if last %} disabled{% endif %}><span aria-hidden="true">↓</span> Move down <span class="visually-hidden">entry {{ row.number }}</span></button>
    {% endif %}
    <button type="submit" name="action" value="{{ row.remove_action }}" id="b-remove-{{ row.key }}" class="button--remove"><span aria-hidden="true">✕</span> Remove <span class="visually-hidden">{{ title|default:row.title|lower }} {{ row.number }}{% if parent %} of {{ parent }}{% endif %}</span></button>
  </div>
</fieldset>
""",
    "sandbox/partials/field.html": """{# One editor field: label, input, hint and its faults (the engine's, placed here by their path). #}
<div class="field{% if field.spec.kind == 'checkbox' %} field--check{% endif %}{% if field.errors %} has-error{% endif %}">
  {% if field.spec.kind == "checkbox" %}
    <input type="checkbox" id="{{ field.id }}" name="{{ field.name }}"{% if field.value %} checked{% endif %} aria-describedby="{{ field.id }}-errors"{% if field.errors %} aria-invalid="true"{% endif %}>
    <label for="{{ field.id }}">{{ field.spec.label }}</label>
  {% else %}
    <label for="{{ field.id }}">{{ field.spec.label }}</label>
    {% if field.spec.kind == "select" %}
      <select id="{{ field.id }}" name="{{ field.name }}" aria-describedby="{{ field.id }}-errors"{% if field.errors %} aria-invalid="true"{% endif %}>
        {% for value, label in field.spec.choices %}<option value="{{ value }}"{% if value == field.value %} selected{% endif %}>{{ label }}</option>{% endfor %}
      </select>
    {% else %}
      <input type="text" id="{{ field.id }}" name="{{ field.name }}" value="{{ field.value }}"{% if field.spec.numeric %} inputmode="numeric"{% endif %}{% if field.spec.suggestions %} list="dl-{{ field.spec.suggestions }}"{% endif %} aria-describedby="{% if field.spec.hint %}{{ field.id }}-hint {% endif %}{{ field.id }}-errors"{% if field.errors %} aria-invalid="true"{% endif %}>
    {% endif %}
  {% endif %}
  {% if field.spec.hint %}<small class="field__hint" id="{{ field.id }}-hint">{{ field.spec.hint }}</small>{% endif %}
  {% include "sandbox/partials/field_errors.html" %}
</div>
""",
    "sandbox/partials/row_errors.html": """<div class="row__errors" id="{{ row.key }}-errors"{% if oob %} hx-swap-oob="true"{% endif %}>{% for error in row.errors %}<p><span aria-hidden="true">⚠</span> Error: {{ error }}</p>{% endfor %}</div>
""",
    "sandbox/partials/field_errors.html": """<div class="field__errors" id="{{ field.id }}-errors"{% if oob %} hx-swap-oob="true"{% endif %}>{% for error in field.errors %}<p><span aria-hidden="true">⚠</span> Error: {{ error }}</p>{% endfor %}</div>
""",
    # The loop of parent_head.html the tag replaced.
    "fields.html": """{% for field in row.fields %}{% include "sandbox/partials/field.html" %}{% endfor %}""",
}
REFERENCE = Engine(loaders=[("django.template.loaders.locmem.Loader", TEMPLATES)])


def reference(name, **context):
    return strip_spaces_between_tags(REFERENCE.get_template(name).render(Context(context))).strip()


# What a learner may type, or a fault may say: the characters HTML escapes, quotes, non-ASCII.
words = st.text(alphabet=st.sampled_from(list("ab <>&\"'“é/0:-")), max_size=10)
faults = st.lists(words, max_size=2).map(tuple)
KIND_LIST = [*KINDS.values(), *RULE_KINDS.values()]


def value_for(spec):
    if spec.kind == "checkbox":
        return st.sampled_from(["", "on"])
    if spec.kind == "select":  # a value among the choices, or one the document holds that is not
        return st.one_of(st.sampled_from([value for value, _ in spec.choices]), words)
    return words


@st.composite
def rows(draw):
    kind = draw(st.sampled_from(KIND_LIST))
    key = draw(st.one_of(st.sampled_from(["sg0-in3", "t0", "acl1-e2"]), words))
    fields = tuple(Field(spec, f"{key}-{spec.key}", draw(value_for(spec)), draw(faults)) for spec in kind.fields)
    index = draw(st.integers(0, 3))
    return Row(key, kind.name, ROW_TITLES[kind.name], fields, draw(faults), (), index, draw(words))


@given(rows(), words, words, st.booleans())
def test_a_row_is_what_row_html_wrote(row, title, parent, last):
    assert editor_row(row, title, parent, last).strip() == reference("sandbox/partials/row.html", row=row, title=title, parent=parent, last=last)


@given(rows())
def test_a_parents_fields_and_errors_are_what_their_templates_wrote(row):
    assert editor_fields(row) == reference("fields.html", row=row)
    assert row_errors(row) == reference("sandbox/partials/row_errors.html", row=row)


@given(st.lists(rows(), max_size=3))
def test_a_save_on_change_answers_each_fault_list_for_the_list_it_belongs_in(listed):
    """Only the lists that hold faults, each naming by id the row's or field's error list, its
    faults as that list shows them (static/js/editor.js empties every list not named)."""
    html = editor_faults(Editor(timeline=listed))
    expected = [
        (f"{element_id}-errors", errors)
        for row in listed
        for element_id, errors in ((row.key, row.errors), *((field.id, field.errors) for field in row.fields))
        if errors
    ]
    assert html == "".join(
        f'<div data-for="{escape(element_id)}">' + "".join(f'<p><span aria-hidden="true">⚠</span> Error: {escape(error)}</p>' for error in errors) + "</div>"
        for element_id, errors in expected
    )


def test_a_field_says_what_is_wrong_at_its_input():
    spec = RULE_KINDS["in"].fields[3]  # the source, with a hint and suggestions
    row = Row("sg0-in0", "rule", "Rule", (Field(spec, "sg0-in0-peer", "10.0.0.0/33", ("'10.0.0.0/33' is <not> a CIDR",)),), index=0, remove_action="remove_rule:0:in:0")
    html = editor_row(row, "Inbound rule", "sg-web")
    assert '<div class="field has-error"><label for="f-sg0-in0-peer">Source</label>' in html
    assert 'value="10.0.0.0/33"' in html and 'aria-describedby="f-sg0-in0-peer-hint f-sg0-in0-peer-errors" aria-invalid="true"' in html
    assert 'id="f-sg0-in0-peer-errors"><p><span aria-hidden="true">⚠</span> Error: &#x27;10.0.0.0/33&#x27; is &lt;not&gt; a CIDR</p>' in html
    assert '<span class="visually-hidden">inbound rule 1 of sg-web</span>' in html
