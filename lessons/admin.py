import json
import os

import nested_admin
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from sgviz.engine.errors import ScenarioError, escaped, parse_json
from sgviz.engine.scenario import TOP_KEYS

from .content import export_lesson
from .models import (
    KeyMoment,
    Lesson,
    LessonMode,
    QuizOption,
    QuizQuestion,
    SampleLine,
    SnapshotBullet,
    quiz_question_problem,
    scenario_findings,
)

# A new lesson's scenario starts from a working one: the seed lesson's four packets.
EXAMPLE_SCENARIO = settings.BASE_DIR / "examples" / "seed-lesson.json"


def scenario_help():
    return format_html(
        "The engine's JSON document: security groups, instances and a timeline; every packet in "
        'the timeline is one step of the lesson. <a href="{}">The scenario format</a>.',
        reverse("lessons:scenario_docs"),
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


WHY_COLUMNS = 30


def scenario_textarea(rows):
    return forms.Textarea(attrs={"rows": rows, "cols": 100, "spellcheck": "false"})


class LessonAdminForm(forms.ModelForm):
    class Meta:
        model = Lesson
        fields = "__all__"
        field_classes = {"scenario": ScenarioField}
        widgets = {"scenario": scenario_textarea(30)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scenario"].help_text = scenario_help()

    def _post_clean(self):
        # When the text is not JSON at all, the field has said so; the model's own check
        # would then add a second error about the empty value left behind ("not null").
        refused_as_text = list(self.errors.get("scenario", []))
        super()._post_clean()
        if refused_as_text:
            self._errors["scenario"] = self.error_class(refused_as_text)


class LessonModeForm(forms.ModelForm):
    class Meta:
        model = LessonMode
        fields = ["mode", "order", "body", "scenario"]
        field_classes = {"scenario": ScenarioField}
        widgets = {"scenario": scenario_textarea(12)}


class QuizOptionFormSet(nested_admin.formsets.NestedInlineFormSet):
    """A question's options. Drafts may be unfinished; a published lesson's questions must be
    answerable (models.quiz_question_problem), on the lesson's page and on the question's own."""

    def clean(self):
        super().clean()
        self.publish_problem = ""
        if any(self.errors) or self._question_is_left_out():
            return
        question = self.instance
        if not (question.lesson_id or getattr(question, "lesson", None)) or not question.lesson.published:
            return
        kept = [form for form in self.forms if form.cleaned_data and not self._should_delete_form(form)]
        problem = quiz_question_problem(len(kept), sum(1 for form in kept if form.cleaned_data.get("is_correct")))
        if problem:
            self.publish_problem = (
                f"Question “{question.prompt}” is not ready for a published lesson: {problem} "
                "Or untick Published to keep the lesson a draft."
            )
            raise ValidationError(self.publish_problem, code="incomplete_question")

    def _question_is_left_out(self):
        """On the lesson's page: the question's own form is deleted, or an empty extra one."""
        question_form = getattr(self, "parent_form", None)  # set by nested_admin
        if question_form is None:
            return False
        if question_form.empty_permitted and not question_form.has_changed():
            return True
        return question_form.parent_formset._should_delete_form(question_form)


class QuizOptionInline(nested_admin.NestedTabularInline):
    model = QuizOption
    formset = QuizOptionFormSet
    fields = ["order", "text", "is_correct", "why"]
    # The admin's default box (class vLargeTextField, 48em wide), nested in the question's
    # table, widened the lesson page past a 1280 px screen; a plain box of WHY_COLUMNS fits.
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": WHY_COLUMNS})}}

    def get_extra(self, request, obj=None, **kwargs):
        return 0 if obj is not None and obj.pk else 2  # a new question starts with two blank options


class SampleLineInline(nested_admin.NestedTabularInline):
    model = SampleLine
    extra = 0


class KeyMomentInline(nested_admin.NestedStackedInline):
    model = KeyMoment
    fields = ["order", "step", "question", "answer"]
    extra = 0


class QuizQuestionInline(nested_admin.NestedStackedInline):
    """Questions with their options, edited without leaving the lesson."""

    model = QuizQuestion
    fields = ["order", "step", "prompt", "hint", "explanation", "expect"]
    inlines = [QuizOptionInline]
    extra = 0


class SnapshotBulletInline(nested_admin.NestedTabularInline):
    model = SnapshotBullet
    extra = 0


class LessonModeInline(nested_admin.NestedStackedInline):
    model = LessonMode
    form = LessonModeForm
    extra = 0


@admin.register(Lesson)
class LessonAdmin(nested_admin.NestedModelAdmin):
    form = LessonAdminForm
    list_display = ["title", "topic", "minutes", "published", "order", "step_count", "updated"]
    list_filter = ["published", "topic"]
    search_fields = ["title", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (None, {"fields": ["title", "slug", "topic", "minutes", "summary", "published", "order"]}),
        ("Scenario", {"fields": ["scenario"]}),
        (
            "Visual mode",
            {"fields": ["flow_summary", "sample_language", "sample_summary", "table_note", "transcript"]},
        ),
    ]
    inlines = [SampleLineInline, KeyMomentInline, QuizQuestionInline, SnapshotBulletInline, LessonModeInline]
    actions = ["export_to_content_file"]

    @admin.action(description="Export to content file")
    def export_to_content_file(self, request, queryset):
        # Writes into the project folder, so the instructor can commit the edit (lessons/content.py).
        for lesson in queryset:
            paths = export_lesson(lesson)
            if not paths:
                self.message_user(request, f"Exported {lesson.slug}: its files already hold it, nothing to write", messages.SUCCESS)
                continue
            shown = ", ".join(os.path.relpath(path, settings.BASE_DIR) for path in paths)
            self.message_user(request, f"Exported {lesson.slug}: wrote {shown}", messages.SUCCESS)

    def get_changeform_initial_data(self, request):
        return {**super().get_changeform_initial_data(request), "scenario": json.loads(EXAMPLE_SCENARIO.read_text())}

    def render_change_form(self, request, context, *args, **kwargs):
        # The lesson form says, at Published, which questions keep the lesson from being
        # published (each question's options say it too, beside them).
        problems = [
            options.publish_problem
            for inline in context["inline_admin_formsets"]
            if inline.formset.model is QuizQuestion
            for question_form in inline.formset.forms
            for options in getattr(question_form, "nested_formsets", [])
            if getattr(options, "publish_problem", "")
        ]
        for problem in problems:
            context["adminform"].form.add_error("published", problem)
        return super().render_change_form(request, context, *args, **kwargs)

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


@admin.register(QuizQuestion)
class QuizQuestionAdmin(nested_admin.NestedModelAdmin):
    list_display = ["prompt", "lesson", "step", "order"]
    list_filter = ["lesson"]
    search_fields = ["prompt", "lesson__title"]
    inlines = [QuizOptionInline]
