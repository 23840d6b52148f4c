from player.routing import player_path

from .sources import draft_scenario, snapshot_scenario

websocket_urlpatterns = [
    player_path("ws/sandbox/draft/", draft_scenario),
    player_path("ws/s/<str:snapshot_id>/", snapshot_scenario),
]
