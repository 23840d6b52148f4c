from django.apps import AppConfig

# The explanation modes this app serves, each at /lessons/<slug>/<mode>/ (urls.py).
MODES = ("learn", "why", "deep", "perf")


class ModesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "modes"

    def ready(self):
        from lessons import mode_pages

        for mode in MODES:
            mode_pages.register(mode, f"modes:{mode}")
