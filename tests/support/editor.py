"""The sandbox editor's page as a learner sees and posts it, from its document (sandbox.editor)."""

import re

from sandbox.editor import editor_rows
from tests.support.html import text


def posted(doc):
    """What the page posts for an unchanged document: every row's fields as shown."""
    data = {}
    for row in editor_rows(doc).all_rows():
        data[f"{row.key}-present"] = "1"
        for field in row.fields:
            if field.spec.kind != "checkbox" or field.value:
                data[field.name] = field.value
    return data


def shown(doc):
    """What the page's fields show for a document: field name -> value."""
    return {field.name: field.value for row in editor_rows(doc).all_rows() for field in row.fields}


def placed_message(html, place):
    """What the box of a refusal told beside its button (views.PLACES) says, as read."""
    box = re.search(rf'<div id="{place}" class="placed-message" role="alert" tabindex="-1"[^>]*>(.*?)</div>', html, re.S)
    assert box, f"no box {place!r} on the page"
    return text(box.group(1))
