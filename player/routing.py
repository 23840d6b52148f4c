"""Websocket routes of the player: one consumer, any number of scenario sources.

A source is an async function ``(scope) -> scenario document | None``; serving the player
for a new source is one line in that source's app::

    websocket_urlpatterns = [player_path("ws/lessons/<slug:slug>/", lesson_scenario)]

``nothing_here`` goes last in the project's router: it refuses every other path cleanly.
"""

from django.urls import path, re_path

from .consumers import NothingHereConsumer, PlayerConsumer


def player_path(route, source):
    return path(route, PlayerConsumer.as_asgi(source=source))


nothing_here = re_path(r"", NothingHereConsumer.as_asgi())
