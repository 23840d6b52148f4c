import json

from django import forms

from .wording import BASES, VERDICTS

MAX_GROUPS_CHARACTERS = 200_000  # a describe-security-groups of dozens of groups; far above any task


class PredictionForm(forms.Form):
    verdict = forms.ChoiceField(label="Allowed or dropped?", widget=forms.RadioSelect)
    basis = forms.ChoiceField(label="Why?", widget=forms.RadioSelect)

    def __init__(self, *args, bases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["verdict"].choices = [(verdict.value, f"{glyph} {word}") for verdict, (glyph, word) in VERDICTS.items()]
        self.fields["basis"].choices = [(basis.value, BASES[basis]) for basis in bases]


class GroupsForm(forms.Form):
    """The learner's security groups as JSON: describe-security-groups output, whole or its list."""

    groups = forms.CharField(
        label="Security groups (JSON)",
        max_length=MAX_GROUPS_CHARACTERS,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false", "autocomplete": "off", "autocapitalize": "off"}),
        help_text="Paste the output of aws ec2 describe-security-groups, or edit the groups below. Keep each GroupId: the instances use them.",
    )
    key = forms.UUIDField(widget=forms.HiddenInput)

    def clean_groups(self):
        text = self.cleaned_data["groups"]
        try:
            return text, json.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(f"Not valid JSON: line {error.lineno}, column {error.colno}: {error.msg}.") from None
        except RecursionError:
            raise forms.ValidationError("Not valid JSON: nested too deeply.") from None
