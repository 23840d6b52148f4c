"""Where a draft lives: the sandbox (``/try/``), or a lesson's Try mode (``/lessons/<slug>/try/``).

A learner has one draft in each workspace (sandbox.models.Draft). Every page, form and
download of the editor, its run page and its websocket exist once per workspace, under the
workspace's address (sandbox/urls.py, sandbox/routing.py): what a request acts on is read
from its own address, never from the page opened last, so two tabs on two workspaces never
write into each other's drafts.
"""

import copy
from dataclasses import dataclass
from functools import cached_property

from django.urls import reverse

from lessons.models import LessonMode

from . import document as documents


def lesson_scenario(lesson):
    """What a lesson's Try mode starts from: the Try mode's own scenario, else the lesson's."""
    mode = lesson.modes.filter(mode=LessonMode.Mode.TRY).first()
    return documents.normalize(mode.engine_scenario if mode else lesson.scenario)


@dataclass(frozen=True)
class Workspace:
    lesson: object | None  # the lesson whose Try mode this is; None: the sandbox

    def url(self, name):
        """The address of the editor's route ``name`` (sandbox/urls.py) in this workspace."""
        if self.lesson is None:
            return reverse(f"sandbox:{name}")
        return reverse(f"sandbox:lesson-{name}", args=[self.lesson.slug])

    @property
    def urls(self):
        """The routes' addresses for the templates: ``{{ workspace.urls.save }}`` (a hyphen
        is an underscore there: ``workspace.urls.download_scenario``)."""
        return _Addresses(self)

    @property
    def ws_path(self):
        """The player's websocket on this workspace's draft (sandbox/routing.py)."""
        return "/ws/sandbox/draft/" if self.lesson is None else f"/ws/lessons/{self.lesson.slug}/try/"

    def start_document(self):
        """What the workspace shows before the learner has a draft in it: a copy of its own."""
        return copy.deepcopy(self._start)

    @cached_property
    def _start(self):
        return documents.blank() if self.lesson is None else lesson_scenario(self.lesson)


@dataclass(frozen=True)
class _Addresses:
    workspace: Workspace

    def __getitem__(self, name):
        return self.workspace.url(name.replace("_", "-"))
