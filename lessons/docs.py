"""Pages of the project's documentation served by the site, for authors who cannot read the
repository: docs/engine.md's section on the scenario format, through the Markdown sanitiser."""

from django.conf import settings
from django.shortcuts import render

from .templatetags.markdown import render_markdown

ENGINE_DOC = settings.BASE_DIR / "docs" / "engine.md"
SCENARIO_SECTION = "## The scenario file"


def scenario_section(text):
    """The section from its heading to the next heading of the same level (without the heading)."""
    start = text.index(SCENARIO_SECTION) + len(SCENARIO_SECTION)
    end = text.find("\n## ", start)
    return text[start : end if end >= 0 else len(text)]


def scenario(request):
    body = render_markdown(scenario_section(ENGINE_DOC.read_text()))
    return render(request, "lessons/docs.html", {"title": "The scenario format", "body": body})
