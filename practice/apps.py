from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "practice"
    verbose_name = "Practice: challenge and project"
    default_auto_field = "django.db.models.BigAutoField"
