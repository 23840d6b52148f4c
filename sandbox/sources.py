"""The sandbox as a source of scenarios for the player (``player.routing.player_path``): the
learner's own draft, and shared snapshots. Only a scenario that runs is played."""

from channels.db import database_sync_to_async

from .analysis import runnable
from .models import Draft, Snapshot

SESSION_KEY = "sandbox_draft"  # the session's key for the draft's token


@database_sync_to_async
def draft_scenario(scope):
    """The draft of the connection's session, if it runs as it stands."""
    token = scope["session"].get(SESSION_KEY)
    document = Draft.objects.filter(token=token).values_list("document", flat=True).first() if token else None
    return document if document is not None and runnable(document) else None


@database_sync_to_async
def snapshot_scenario(scope):
    """The shared snapshot named by the route's id (stored only when valid)."""
    return Snapshot.objects.filter(id=scope["url_route"]["kwargs"]["snapshot_id"]).values_list("document", flat=True).first()
