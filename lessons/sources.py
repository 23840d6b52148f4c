"""The catalog as a source of scenarios: which lessons a user may open, and the scenario the
player plays for one (``player.routing.player_path``)."""

from channels.db import database_sync_to_async

from .models import Lesson


def visible_lessons(user):
    """The lessons a user may open: published ones, and drafts too for staff (the admin's preview)."""
    return Lesson.objects.all() if user.is_staff else Lesson.objects.published()


@database_sync_to_async
def lesson_scenario(scope):
    """The scenario of the lesson named by the route's slug, if this user may see it."""
    slug = scope["url_route"]["kwargs"]["slug"]
    return visible_lessons(scope["user"]).filter(slug=slug).values_list("scenario", flat=True).first()
