from django.apps import AppConfig


class SandboxConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sandbox"

    def ready(self):
        from lessons import mode_pages

        # A lesson's Try mode opens the sandbox on that lesson's scenario.
        mode_pages.register("try", "sandbox:lesson-try")
