import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from sgviz.engine.errors import ScenarioError, escaped, parse_json
from sgviz.engine.scenario import TOP_KEYS

from .models import (
    KeyMoment,
    Lesson,
    LessonMode,
    QuizOption,
    QuizQuestion,
    SampleLine,
    SnapshotBullet,
    scenario_findings,
)

admin.site.site_header = "sgviz lessons"
admin.site.site_title = "sgviz admin"
admin.site.index_title = "Lessons, scenarios and quizzes"


class ScenarioField(forms.JSONField):
    """The scenario as indented JSON, read by the engine's JSON reader: a syntax error says
    where it is, and JSON nested too deep or a number too long for Python is a form error,
    not a server error (the model's validation then names the place of the number)."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            try:
                return parse_json(value)
            except ScenarioError as error:
                raise ValidationError([str(fault) for fault in error.faults], code="invalid") from None
        return super().to_python(value)

    def bound_data(self, data, initial):
        # A form shown again after an error keeps the author's text as typed: parsed and
        # written out again, a 4,301-digit number would come back as Infinity.
        if data is None:
            return super().bound_data(data, initial)
        return forms.fields.InvalidJSONInput(data)

    def prepare_value(self, value):
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        if value is None:  # an optional scenario left empty, not the JSON text "null"
            return ""
        if isinstance(value, dict):
            # PostgreSQL's jsonb does not keep key order; show the sections in the format's order.
            value = dict(sorted(value.items(), key=lambda item: _section_position(item[0])))
        # Escaped, a lone surrogate saved before the validator refused them cannot break the
        # page (UTF-8 cannot encode it), so such a lesson can still be opened and fixed.
        return escaped(json.dumps(value, ensure_ascii=False, indent=2, cls=self.encoder))


def _section_position(key):
    return TOP_KEYS.index(key) if key in TOP_KEYS else len(TOP_KEYS)


def scenario_textarea(rows):
    return forms.Textarea(attrs={"rows": rows, "cols": 100, "spellcheck": "false"})


class LessonAdminForm(forms.ModelForm):
    class Meta:
        model = Lesson
        fields = "__all__"
        field_classes = {"scenario": ScenarioField}
        widgets = {"scenario": scenario_textarea(30)}


class LessonModeForm(forms.ModelForm):
    class Meta:
        model = LessonMode
        fields = ["mode", "order", "body", "scenario"]
        field_classes = {"scenario": ScenarioField}
        widgets = {"scenario": scenario_textarea(12)}


class SampleLineInline(admin.TabularInline):
    model = SampleLine
    extra = 0


class KeyMomentInline(admin.StackedInline):
    model = KeyMoment
    fields = ["order", "step", "question", "answer"]
    extra = 0


class QuizQuestionInline(admin.StackedInline):
    """Questions only: their options are edited on the question's own page (the change link)."""

    model = QuizQuestion
    fields = ["order", "step", "prompt", "hint", "explanation"]
    show_change_link = True
    extra = 0


class SnapshotBulletInline(admin.TabularInline):
    model = SnapshotBullet
    extra = 0


class LessonModeInline(admin.StackedInline):
    model = LessonMode
    form = LessonModeForm
    extra = 0


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    form = LessonAdminForm
    list_display = ["title", "topic", "minutes", "published", "order", "step_count", "updated"]
    list_filter = ["published", "topic"]
    search_fields = ["title", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (None, {"fields": ["title", "slug", "topic", "minutes", "summary", "published", "order"]}),
        ("Scenario", {"fields": ["scenario"], "description": "The engine's scenario document: see docs/engine.md."}),
        (
            "Visual mode",
            {"fields": ["flow_summary", "sample_language", "sample_summary", "table_note", "transcript"]},
        ),
    ]
    inlines = [SampleLineInline, KeyMomentInline, QuizQuestionInline, SnapshotBulletInline, LessonModeInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Warnings do not stop a save (real AWS exports often name groups from elsewhere),
        # but the author should see them.
        _, notices = scenario_findings(obj.scenario)
        for notice in notices:
            self.message_user(request, f"Scenario warning: {notice}", messages.WARNING)

    @admin.display(description="steps")
    def step_count(self, lesson):
        return lesson.step_count


class QuizOptionFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [form for form in self.forms if form.cleaned_data and not self._should_delete_form(form)]
        correct = sum(1 for form in kept if form.cleaned_data.get("is_correct"))
        if correct != 1:
            raise ValidationError(
                "Mark exactly one option as correct (%(count)d are marked now).",
                code="correct_options",
                params={"count": correct},
            )


class QuizOptionInline(admin.TabularInline):
    model = QuizOption
    formset = QuizOptionFormSet
    min_num = 2
    validate_min = True
    extra = 1


@admin.register(QuizQuestion)
class QuizQuestionAdmin(admin.ModelAdmin):
    list_display = ["prompt", "lesson", "step", "order"]
    list_filter = ["lesson"]
    search_fields = ["prompt", "lesson__title"]
    inlines = [QuizOptionInline]
