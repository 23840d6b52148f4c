from django.contrib import admin
from django.db.models import Count, Q

from .models import QuestionResult


def share(rights, tries):
    """A share of the tries as staff read it: a whole percentage, or a dash when nobody tried."""
    return f"{round(100 * rights / tries)}%" if tries else "—"


class TriedAndShareRight(admin.ModelAdmin):
    """Staff results beside each item: how many learners' records it has ("tried") and the
    share of them that got it right. Subclasses name the records and what counts as right."""

    records = ""  # the related name of the learners' records
    right = Q()  # which of them got it right

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(tries=Count(self.records), rights=Count(self.records, filter=self.right))

    @admin.display(description="tried", ordering="tries")
    def tried(self, item):
        return item.tries

    @admin.display(description="share right")
    def share_right(self, item):
        return share(item.rights, item.tries)


@admin.register(QuestionResult)
class QuestionResultAdmin(TriedAndShareRight):
    """Per quiz question: how many learners answered and the share whose first (scored) answer
    was right. Read only: the question itself is edited on its lesson's page."""

    records, right = "answers", Q(answers__first_option__is_correct=True)
    list_display = ["prompt", "lesson", "tried", "share_right"]
    list_filter = ["lesson"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
