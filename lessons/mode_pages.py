"""Which learning modes have a page: one registry that each feature app adds its modes to.

The Visual mode is this app's own page. Another app registers its modes from its
``AppConfig.ready`` with ``register(mode, url_name)``, where ``url_name`` is a URL pattern
taking the lesson's ``slug``. The mode bar links the registered modes a lesson has and lists
the others as coming soon.
"""

from dataclasses import dataclass

from django.urls import reverse

_url_names = {"visual": "lessons:lesson"}


def register(mode, url_name):
    _url_names[mode] = url_name


def is_ready(mode):
    return mode in _url_names


@dataclass(frozen=True)
class ModeLink:
    mode: str
    label: str
    href: str  # "" for a mode without a page yet
    current: bool


@dataclass(frozen=True)
class ModeBar:
    links: tuple[ModeLink, ...]

    @property
    def ready(self):
        return sum(1 for link in self.links if link.href)

    @property
    def subtitle(self):
        """The page's subtitle: the current mode's name; the Visual mode keeps the seed's words."""
        current = next((link for link in self.links if link.current), None)
        return "Step-by-Step Execution" if current is None or current.mode == "visual" else current.label


def mode_bar(lesson, current):
    """The lesson's modes (Lesson.mode_bar order) as links, ``current`` marked."""
    return ModeBar(
        tuple(
            ModeLink(mode, label, reverse(_url_names[mode], args=[lesson.slug]) if is_ready(mode) else "", mode == current)
            for mode, label in lesson.mode_bar()
        )
    )
