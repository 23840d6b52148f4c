"""The review a learner posts: which card, after how many reviews of it, and how well."""

from django import forms

from sgviz.recall import Rating


class ReviewForm(forms.Form):
    card = forms.CharField(max_length=100)
    number = forms.IntegerField(min_value=0, error_messages={"invalid": "The review's number must be a whole number."})
    rating = forms.TypedChoiceField(
        choices=[(rating.value, rating.label) for rating in Rating],
        coerce=lambda value: Rating(int(value)),
        error_messages={"invalid_choice": "Choose how well you recalled it: Again, Hard, Good or Easy."},
    )

    def __init__(self, data, cards):
        super().__init__(data)
        self.cards = {card.key: card for card in cards}

    def clean_card(self):
        key = self.cleaned_data["card"]
        if key not in self.cards:
            raise forms.ValidationError("That card is not in this lesson's deck (any more). Review the card shown now.")
        return self.cards[key]

    def clean(self):
        card, number = self.cleaned_data.get("card"), self.cleaned_data.get("number")
        if card is not None and number is not None and number > len(card.reviews):
            self.add_error("number", "This review is ahead of the card's history. Reload the page and review it again.")
        return self.cleaned_data
