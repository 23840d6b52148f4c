"""ASGI entry point: HTTP goes to Django, websockets to the player's Channels consumer.

Run with `python -m config.daphne_server config.asgi:application` (daphne, closing an
over-size websocket message with 1009: see config/daphne_server.py).
"""

import os

from config.http_handler import get_http_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Set up Django (apps, models) before importing routing, whose consumers import models.
django_application = get_http_application()  # Django's handler, its requests freed when answered

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from classroom.routing import websocket_urlpatterns as class_routes  # noqa: E402
from lessons.routing import websocket_urlpatterns as lesson_routes  # noqa: E402
from player.routing import nothing_here  # noqa: E402
from sandbox.routing import websocket_urlpatterns as sandbox_routes  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        # A websocket from a page on another site is refused: its Origin must be one of ALLOWED_HOSTS.
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter([*lesson_routes, *sandbox_routes, *class_routes, nothing_here]))),
    }
)
