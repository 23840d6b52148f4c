"""``{% tracker_heads frame %}`` and ``{% tracker_cells frame %}``: the Status Tracker's column
headings and cells (``walkthrough.Frame.tracker``), as the ``{% for %}`` loops of
templates/player/partials/tracker_table.html wrote them.

The tracker draws a column for every step, reached or not, on every page that shows a player:
a 200-packet sandbox draft's tracker was 400 loop bodies of the template language, most of the
time the run page took to render. Written here with ``format_html``, to the same markup.
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _name(cell) -> str:
    return f"After Step {cell.number}" if cell.number else "Start"


@register.simple_tag
def tracker_heads(frame) -> SafeString:
    return mark_safe("".join(
        format_html(
            '<th scope="col" role="columnheader" data-step="{}"{}>{}</th>',
            cell.number, mark_safe(' class="is-current" aria-current="step"' if cell.current else ""), _name(cell),
        )
        for cell in frame.tracker
    ))


@register.simple_tag
def tracker_cells(frame) -> SafeString:
    return mark_safe("".join(
        format_html(
            '<td id="tracker-cell-{}" role="cell" data-step="{}" data-label="{}"{}><span class="tracker-pending visually-hidden">not reached yet</span>{}</td>',
            cell.number, cell.number, _name(cell), mark_safe(' class="is-current"' if cell.current else ""),
            format_html('<span class="tracker-text">{}</span>\n', cell.text) if cell.text else "",  # as tracker_text.html, newline included
        )
        for cell in frame.tracker
    ))
