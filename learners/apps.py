from django.apps import AppConfig


class LearnersConfig(AppConfig):
    name = "learners"
    verbose_name = "Learners: accounts, progress and results"
    default_auto_field = "django.db.models.BigAutoField"
