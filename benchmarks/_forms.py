"""What a browser posts from a page's forms, read from the page's HTML: the tests post it
through Django's test client, the benchmarks to a real daphne."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    """Collects what a browser would submit from the page's forms, or from the one form with
    the id ``form_id``: a select with no option selected submits its first option."""

    def __init__(self, form_id=None):
        super().__init__()
        self.values = {}
        self._form_id = form_id
        self._inside = form_id is None
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self._form_id is not None:
            self._inside = attrs.get("id") == self._form_id
        if not self._inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "button", "file"}:
            if attrs.get("type") in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.values[name] = attrs.get("value", "on")
            else:
                self.values[name] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            if "selected" in attrs or self._select not in self.values:
                self.values[self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form" and self._form_id is not None:
            self._inside = False
        elif tag == "textarea" and self._textarea:
            # A browser drops the single newline right after <textarea>; Django writes one there.
            self.values[self._textarea] = self.values[self._textarea].removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def form_values(html, form_id=None):
    """The fields (name -> value) a browser would post from the forms in `html`, or from the
    form with the id `form_id` alone."""
    reader = _FormReader(form_id)
    reader.feed(html)
    return reader.values
