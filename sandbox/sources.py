"""The sandbox as a source of scenarios for the player (``player.routing.player_path``): the
learner's own draft in a workspace, and shared snapshots. Only a scenario that runs is played."""

from channels.db import database_sync_to_async

from learners.identity import Learner
from lessons.sources import visible_lessons

from .analysis import runnable
from .models import Draft, Snapshot
from .workspaces import Workspace


@database_sync_to_async
def draft_scenario(scope):
    """The connection's learner's draft in the workspace the route names (a lesson's Try mode
    by its ``slug``, else the sandbox), or what that workspace starts from while they have
    none, as the run page shows it; if it runs as it stands."""
    slug = scope["url_route"]["kwargs"].get("slug")
    lesson = visible_lessons(scope["user"]).filter(slug=slug).first() if slug is not None else None
    if slug is not None and lesson is None:
        return None
    learner = Learner.of_scope(scope)
    drafts = Draft.objects.filter(**learner.fields, lesson=lesson) if learner else Draft.objects.none()
    document = drafts.values_list("document", flat=True).first()
    if document is None:
        document = Workspace(lesson).start_document()
    return document if runnable(document) else None


@database_sync_to_async
def snapshot_scenario(scope):
    """The shared snapshot named by the route's id (stored only when valid)."""
    return Snapshot.objects.filter(id=scope["url_route"]["kwargs"]["snapshot_id"]).values_list("document", flat=True).first()
