from django.urls import path

from .consumers import ClassConsumer

websocket_urlpatterns = [
    path("ws/class/<str:code>/", ClassConsumer.as_asgi()),
]
