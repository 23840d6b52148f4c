from player.routing import player_path

from .sources import draft_scenario, snapshot_scenario

websocket_urlpatterns = [
    player_path("ws/sandbox/draft/", draft_scenario),  # the sandbox's draft (sandbox.workspaces)
    player_path("ws/lessons/<slug:slug>/try/", draft_scenario),  # the draft in a lesson's Try mode
    player_path("ws/s/<str:snapshot_id>/", snapshot_scenario),
]
