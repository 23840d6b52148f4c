from django.apps import AppConfig


class PlayerConfig(AppConfig):
    name = "player"
    verbose_name = "Player"
