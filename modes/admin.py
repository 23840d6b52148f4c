from django.contrib import admin

from .models import Demo, LearnStep, PerfLoad


@admin.register(Demo)
class DemoAdmin(admin.ModelAdmin):
    list_display = ("title", "lesson_mode", "order", "source")
    list_filter = ("lesson_mode__mode", "lesson_mode__lesson")


@admin.register(LearnStep)
class LearnStepAdmin(admin.ModelAdmin):
    list_display = ("prompt", "lesson_mode", "order")


admin.site.register(PerfLoad)
