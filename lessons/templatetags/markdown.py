"""The `markdown` filter: author Markdown to HTML that is safe to put on a page.

Authors write Markdown, not HTML. Raw HTML in their text is not interpreted (Markdown's HTML
passthrough is switched off, so `<script>` stays visible text), and the result goes through
nh3, which keeps only the tags, attributes and link schemes below.
"""

from functools import lru_cache

import markdown as markdown_library
import nh3
from django import template
from django.utils.safestring import mark_safe

register = template.Library()

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h3", "h4", "h5", "h6", "hr", "img", "li", "ol", "p",
    "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title"},
    "td": {"align"},
    "th": {"align"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def _converter():
    converter = markdown_library.Markdown(extensions=["fenced_code", "tables", "sane_lists"])
    converter.preprocessors.deregister("html_block")
    converter.inlinePatterns.deregister("html")
    return converter


@lru_cache(maxsize=1024)  # lesson text changes rarely and is rendered on every page view
def render_markdown(text):
    html = _converter().convert(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


@register.filter(is_safe=True)
def markdown(text):
    return mark_safe(render_markdown(str(text or "")))
