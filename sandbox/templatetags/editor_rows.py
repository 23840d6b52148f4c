"""The editor's rows, written in Python (``sandbox.editor.Row`` and ``Field``):

- ``{% editor_row row title=… parent=… last=… %}``: one object's fieldset (its fields, its
  faults and its buttons), the markup templates/sandbox/partials/row.html wrote;
- ``{% editor_fields row %}``: the fields of a row that holds rows (a group, an ACL);
- ``{% row_errors row %}``: a row's own faults;
- ``{% editor_faults editor %}``: the faults of every row and field that has any, each list
  naming the error list it goes to (the answer to a save on change: static/js/editor.js
  places them).

A big draft's editor holds thousands of fields, and the template language spent ~80
microseconds on each (an include of a dozen variables and tags): 0.3 s for a 300-rule draft,
4 s for one at the caps. Here each is a few string joins, to the same markup, escaping
included, less the whitespace between tags that the templates' indentation left (none of it
shows: rows, fields and buttons sit in blocks, grids and flex boxes), and less the
autocomplete="off" spellcheck="false" every text input carried: the forms that hold the rows
(the editor's, the puzzle's) carry them once, and their inputs inherit both.
tests/sandbox/test_editor_rows_tag.py checks the tags against those templates.
"""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ENTRY_KINDS = {"packet", "rule-change", "nacl-change"}  # timeline rows: they move up and down


def _error_list(errors) -> str:
    if not errors:  # most fields: no generator to build
        return ""
    return "".join(f'<p><span aria-hidden="true">⚠</span> Error: {escape(error)}</p>' for error in errors)


def _row_errors(row) -> str:
    return f'<div class="row__errors" id="{escape(row.key)}-errors">{_error_list(row.errors)}</div>'


def _field_errors(field) -> str:
    return f'<div class="field__errors" id="{escape(field.id)}-errors">{_error_list(field.errors)}</div>'


def _field(field) -> str:
    """A label, its input, hint and faults (the engine's, placed here by their path)."""
    spec = field.spec
    field_id, name = escape(field.id), escape(field.name)
    invalid = ' aria-invalid="true"' if field.errors else ""
    if spec.kind == "checkbox":
        checked = " checked" if field.value else ""
        control = (
            f'<input type="checkbox" id="{field_id}" name="{name}"{checked} aria-describedby="{field_id}-errors"{invalid}>'
            f'<label for="{field_id}">{escape(spec.label)}</label>'
        )
    elif spec.kind == "select":
        options = "".join(
            f'<option value="{escape(value)}"{" selected" if value == field.value else ""}>{escape(label)}</option>' for value, label in spec.choices
        )
        control = (
            f'<label for="{field_id}">{escape(spec.label)}</label>'
            f'<select id="{field_id}" name="{name}" aria-describedby="{field_id}-errors"{invalid}>{options}</select>'
        )
    else:
        numeric = ' inputmode="numeric"' if spec.numeric else ""
        suggestions = f' list="dl-{escape(spec.suggestions)}"' if spec.suggestions else ""
        hint = f"{field_id}-hint " if spec.hint else ""
        control = (
            f'<label for="{field_id}">{escape(spec.label)}</label>'
            f'<input type="text" id="{field_id}" name="{name}" value="{escape(field.value)}"'
            f'{numeric}{suggestions} aria-describedby="{hint}{field_id}-errors"{invalid}>'
        )
    hint = f'<small class="field__hint" id="{field_id}-hint">{escape(spec.hint)}</small>' if spec.hint else ""
    classes = "field" + (" field--check" if spec.kind == "checkbox" else "") + (" has-error" if field.errors else "")
    return f'<div class="{classes}">{control}{hint}{_field_errors(field)}</div>'


def _fields(row) -> str:
    return "".join(_field(field) for field in row.fields)


def _button(action, button_id, words, disabled=False, css_class="") -> str:
    """A submit button of the editor: ``words`` is markup."""
    css = f' class="{css_class}"' if css_class else ""
    return f'<button type="submit" name="action" value="{escape(action)}" id="{escape(button_id)}"{" disabled" if disabled else ""}{css}>{words}</button>'


@register.simple_tag
def editor_row(row, title="", parent="", last=False) -> SafeString:
    """One object of the scenario (group rule, instance, entry...): its fields and its buttons.
    ``title``: the legend's word (else the row's own), ``parent``: the id of the group or ACL
    it belongs to, ``last``: the timeline's last entry (it cannot move down)."""
    title = title or row.title
    key, number = escape(row.key), row.number
    buttons = ""
    if row.kind in ENTRY_KINDS:
        if row.kind == "packet":
            buttons += _button(f"reply:{row.index}", f"b-reply-{row.key}", f"↩ Reply to packet {number}")
        buttons += _button(f"wait_before:{row.index}", f"b-wait-{row.key}", f'<span aria-hidden="true">⏱</span> Wait before <span class="visually-hidden">entry {number}</span>')
        buttons += _button(f"move_up:{row.index}", f"b-up-{row.key}", f'<span aria-hidden="true">↑</span> Move up <span class="visually-hidden">entry {number}</span>', row.index == 0)
        buttons += _button(f"move_down:{row.index}", f"b-down-{row.key}", f'<span aria-hidden="true">↓</span> Move down <span class="visually-hidden">entry {number}</span>', last)
    of_parent = f" of {escape(parent)}" if parent else ""
    remove = f'<span aria-hidden="true">✕</span> Remove <span class="visually-hidden">{escape(title.lower())} {number}{of_parent}</span>'
    buttons += _button(row.remove_action, f"b-remove-{row.key}", remove, css_class="button--remove")
    return mark_safe(
        f'<fieldset class="row row--{escape(row.kind)}{" has-error" if row.errors else ""}" id="{key}">'
        f"<legend>{escape(title)} {number}</legend>"
        f'<input type="hidden" name="{key}-present" value="1">'
        f"{_row_errors(row)}"
        f'<div class="row__fields">{_fields(row)}</div>'
        f'<div class="row__actions">{buttons}</div>'
        "</fieldset>\n"
    )


@register.simple_tag
def editor_fields(row) -> SafeString:
    return mark_safe(_fields(row))


@register.simple_tag
def error_list(errors) -> SafeString:
    """The faults of a field outside the rows (the wait), as a field's error list shows them."""
    return mark_safe(_error_list(errors))


@register.simple_tag
def row_errors(row) -> SafeString:
    return mark_safe(_row_errors(row))


@register.simple_tag
def editor_faults(editor) -> SafeString:
    """The faults of every row and field that has any, each in a list that names by id the
    error list it belongs in; a list not named here is to be emptied."""
    lists = []
    for row in editor.all_rows():
        for errors, element_id in ((row.errors, f"{row.key}-errors"), *((field.errors, f"{field.id}-errors") for field in row.fields)):
            if errors:
                lists.append(f'<div data-for="{escape(element_id)}">{_error_list(errors)}</div>')
    return mark_safe("".join(lists))
