"""``{% tracker_heads frame %}`` and ``{% tracker_cells frame %}``: the Status Tracker's column
headings and cells (``walkthrough.Frame.tracker``), as the ``{% for %}`` loops of
templates/player/partials/tracker_table.html wrote them.

The tracker draws a column for every step, reached or not, on every page that shows a player:
a 200-packet sandbox draft's tracker was 400 loop bodies of the template language, most of the
time the run page took to render. Written here to the same markup, escaped as Django escapes
(``conditional_escape``: the standard library's ``html.escape``, text already marked safe left
as it is) but without ``format_html``: its lazy-string checks on every argument were half the
tags' time, 4,000 calls for a 200-step tracker.
"""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _name(cell) -> str:
    return f"After Step {cell.number}" if cell.number else "Start"


def _escaped(text) -> str:
    return str(text.__html__()) if hasattr(text, "__html__") else escape(str(text))


CURRENT_HEAD = ' class="is-current" aria-current="step"'
CURRENT_CELL = ' class="is-current"'


@register.simple_tag
def tracker_heads(frame) -> SafeString:
    return mark_safe("".join(
        f'<th scope="col" role="columnheader" data-step="{cell.number:d}"{CURRENT_HEAD if cell.current else ""}>{_name(cell)}</th>'
        for cell in frame.tracker
    ))


def _text(cell) -> str:
    """The cell's text as tracker_text.html writes it, newline included; "" when it has none."""
    return f'<span class="tracker-text">{_escaped(cell.text)}</span>\n' if cell.text else ""


@register.simple_tag
def tracker_cells(frame) -> SafeString:
    return mark_safe("".join(
        f'<td id="tracker-cell-{cell.number:d}" role="cell" data-step="{cell.number:d}" data-label="{_name(cell)}"{CURRENT_CELL if cell.current else ""}>'
        f'<span class="tracker-pending visually-hidden">not reached yet</span>{_text(cell)}</td>'
        for cell in frame.tracker
    ))
