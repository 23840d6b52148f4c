from django.apps import AppConfig


class RecallConfig(AppConfig):
    name = "recall"
    verbose_name = "Recall: spaced repetition"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from lessons import mode_pages

        mode_pages.register("recall", "recall:recall")
