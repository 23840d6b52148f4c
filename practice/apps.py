from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "practice"
    verbose_name = "Practice: challenge and project"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from lessons import mode_pages

        mode_pages.register("challenge", "practice:challenge")
        mode_pages.register("project", "practice:project_index")
