import html
import re


def page_text(response):
    """A response's words as a reader meets them: tags dropped, entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def one_form(html_text, marker):
    """The HTML of the page's one form whose opening tag contains ``marker`` (a page with the
    rule editor has two forms; form_values reads all the forms of what it is given)."""
    found = re.findall(r"<form\b[^>]*>.*?</form>", html_text, flags=re.S)
    (chosen,) = [form for form in found if marker in form.split(">", 1)[0]]
    return chosen
