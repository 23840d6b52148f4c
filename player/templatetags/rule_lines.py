"""``{% rule_line line %}``: one line of the rules panel (``sgviz.narration.rules.RuleLine``);
``{% rule_lines lines %}``: a list's lines, as a ``{% for %}`` over ``rule_line`` wrote them.

A big scenario's panel holds hundreds of lines of a few fields each, and the Django template
language spent ~3 microseconds on every variable and tag: most of a Run's first frame. The
line is built here with ``format_html`` instead, to the same markup the template wrote (the
escaping included), and kept per line: a line is a frozen value, and most lines read the
same at every step and in every draft that keeps the rule.
"""

from functools import lru_cache

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

LINES_CACHED = 4096


@register.simple_tag
def rule_line(line) -> SafeString:
    return _rule_line(line)


# The whitespace the list's {% for %} loop wrote around each line (templates/player/partials/rule_list.html).
BEFORE_LINE, AFTER_LINE = "\n        ", "\n      "


@register.simple_tag
def rule_lines(lines) -> SafeString:
    """Every line of a list in one tag: a tag per line cost microseconds of template machinery
    for each of a big scenario's hundreds of rules, on every frame."""
    return mark_safe("".join(f"{BEFORE_LINE}{_rule_line(line)}{AFTER_LINE}" for line in lines))


@lru_cache(maxsize=LINES_CACHED)
def _rule_line(line) -> SafeString:
    marks = format_html_join(
        "", '<span class="rule-mark rule-mark--{}"><span aria-hidden="true">{}</span> {}</span> ',
        ((mark.kind, mark.glyph, mark.words) for mark in line.marks),
    )
    description = format_html(' <span class="rule__description">“{}”</span>', line.description) if line.description else ""
    terms = format_html_join(
        " ", '<span class="term"><span class="term__name">{}</span> <code>{}</code></span>', ((term.name, term.value) for term in line.terms)
    )
    opened, closed = ("<del>", "</del>") if line.removed else ("", "")
    return format_html(
        '<li class="rule {}">\n'
        "          {}\n"
        '          {}<span class="rule__plain">{}</span>{}\n'
        '          <span class="rule__terms">{}</span>{}\n'
        "        </li>",
        line.kinds, marks, mark_safe(opened), line.plain, description, terms, mark_safe(closed),
    )
