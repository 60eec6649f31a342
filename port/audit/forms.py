"""The audit log's search: by person (record number), user, action and date range."""

from django import forms
from django.contrib.auth import get_user_model

from .models import Action


class AuditSearchForm(forms.Form):
    survivor = forms.IntegerField(
        label="Record number", required=False, min_value=1, help_text="The person's record number."
    )
    user = forms.ModelChoiceField(label="User", required=False, queryset=get_user_model().objects.none())
    action = forms.ChoiceField(label="Action", required=False, choices=[("", "Any action"), *Action.choices])
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To (inclusive)", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = get_user_model().objects.order_by("last_name", "first_name", "username")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date: swap them or pick a later end.")
        return cleaned
