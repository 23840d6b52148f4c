"""``{% result_rows results %}``: the rows of the sandbox's results table (each packet's
verdict with the engine's reason, beside what a stateless filter would say; a change's
explanation), written in Python.

The table is on the editor's page, in every answer to a save on change, and on the Run and
shared pages; the template language spent ~80 microseconds a row on it (15 ms for 200
entries). Here a row is a few string joins, to the markup templates/sandbox/partials/results.html
wrote in its loop, escaping and number formatting included (``localize``, as ``{{ }}`` does,
in or out of ``{% localize off %}``), less the whitespace between tags.
tests/sandbox/test_result_rows_tag.py checks the tag against that loop.
"""

from html import escape

from django import template
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

CHANGE_STEP = '<span aria-hidden="true">–</span><span class="visually-hidden">a change, not a step</span>'


def _verdict(result) -> str:
    if result.verdict.value == "ALLOW":
        return '<span class="verdict verdict--allow"><span aria-hidden="true">✓</span> ALLOW</span>'
    return '<span class="verdict verdict--drop"><span aria-hidden="true">✗</span> DROP</span>'


def _result_row(row, use_l10n) -> str:
    def shown(value):
        return escape(str(localize(value, use_l10n=use_l10n)))

    result, comparison = row["result"], row["comparison"]
    cells = f'<td data-label="Step">{shown(comparison.step) if comparison else CHANGE_STEP}</td><td data-label="At" class="results__at">{shown(result.at)} s</td>'
    if comparison:
        packet = row["entry"]["packet"]
        flags = packet.get("flags")
        difference = (
            f'<p class="difference"><span aria-hidden="true">≠</span> <strong>Differs:</strong> {shown(comparison.reason)}</p>'
            if comparison.differs
            else '<span class="muted">same verdict</span>'
        )
        cells += (
            f'<td data-label="Packet"><code>{shown(packet.get("src", ""))}</code> → <code>{shown(packet.get("dst", ""))}</code> '
            f'{shown(packet.get("protocol", ""))}{" " + shown(flags) if flags else ""}</td>'
            f'<td data-label="Stateful (AWS)">{_verdict(result)}<span class="basis">{shown(result.basis.words)}</span> {shown(result.explanation)}</td>'
            f'<td data-label="Stateless">{_verdict(comparison.stateless)}{difference}</td>'
        )
    else:
        cells += f'<td data-label="Change" colspan="3">{shown(result.explanation)}</td>'
    differs = ' class="is-different"' if comparison and comparison.differs else ""
    return f'<tr id="result-{shown(result.index)}"{differs}>{cells}</tr>'


@register.simple_tag(takes_context=True)
def result_rows(context, results) -> SafeString:
    return mark_safe("".join(_result_row(row, context.use_l10n) for row in results))
