from player.routing import player_path

from .sources import lesson_scenario

websocket_urlpatterns = [
    player_path("ws/lessons/<slug:slug>/", lesson_scenario),
]
