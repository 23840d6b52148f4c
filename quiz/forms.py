"""The quiz's forms: what a learner may post, refused with a message that says why."""

from django import forms

SHOWN_LENGTH = 40  # how much of a refused value a message repeats: enough to recognise it


def shown(value):
    """A posted value as a message quotes it: cut short, since it may be thousands of characters."""
    return value if len(value) <= SHOWN_LENGTH else f"{value[:SHOWN_LENGTH]}…"


class StepForm(forms.Form):
    """The player's step that a plain (no-JavaScript) quiz form was posted from, so that the
    page it returns to opens there. Bounded by the lesson's steps (its packets): a 4,301-digit
    number is refused like any other wrong step, since IntegerField turns the ValueError that
    Python's int() raises past 4,300 digits into a validation error."""

    def __init__(self, data, lesson):
        super().__init__(data)
        total = lesson.step_count
        refused = f"“{shown(data.get('step', ''))}” is not a step of this lesson: its steps run from 0 to {total}."
        self.fields["step"] = forms.IntegerField(
            required=False,
            min_value=0,
            max_value=total,
            error_messages={"invalid": refused, "min_value": refused, "max_value": refused},
        )

    def step_query(self):
        """``?step=k`` for a valid step, else "" (the page's default step)."""
        step = None if "step" in self.errors else self.cleaned_data.get("step")
        return "" if step is None else f"?step={step}"


class AnswerForm(StepForm):
    """An answer: one of the question's options (by id), and the player's step."""

    option = forms.CharField(required=False)

    def __init__(self, data, lesson, question):
        super().__init__(data, lesson)
        self.question = question

    def clean_option(self):
        value = self.cleaned_data["option"]
        option = next((option for option in self.question.options.all() if str(option.pk) == value), None)
        if option is None:
            raise forms.ValidationError(
                f"“{shown(value)}” is not one of this question's options. Pick one of the lettered answers.",
                code="invalid_choice",
            )
        return option
