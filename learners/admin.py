from django.contrib import admin
from django.db.models import Count, Q

from .models import QuestionResult


@admin.register(QuestionResult)
class QuestionResultAdmin(admin.ModelAdmin):
    """Per quiz question: how many learners answered and the share whose first (scored) answer
    was right. Read only: the question itself is edited on its lesson's page."""

    list_display = ["prompt", "lesson", "tried", "share_right"]
    list_filter = ["lesson"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(tries=Count("answers"), rights=Count("answers", filter=Q(answers__first_option__is_correct=True)))

    @admin.display(description="tried", ordering="tries")
    def tried(self, question):
        return question.tries

    @admin.display(description="share right")
    def share_right(self, question):
        return f"{round(100 * question.rights / question.tries)}%" if question.tries else "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
