"""The sandbox editor's page as a learner sees and posts it, from its document (sandbox.editor)."""

from sandbox.editor import editor_rows


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
