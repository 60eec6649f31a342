"""Login, second-factor and break-glass forms: labels and hints that tablets and password managers understand."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class TokenForm(forms.Form):
    """A 6-digit code from an authenticator app; the keypad comes up on phones and tablets."""

    token = forms.CharField(
        label="Code",
        max_length=10,
        help_text="The 6-digit code your authenticator app shows now.",
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True, "size": 8}
        ),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        if not (token.isdigit() and len(token) == 6):
            raise forms.ValidationError("Enter the 6 digits your authenticator app shows, without letters.")
        return token


class BreakGlassForm(forms.Form):
    """Emergency access to a record outside the user's teams: which person, and why."""

    survivor_id = forms.IntegerField(
        label="Record number",
        min_value=1,
        help_text="The person's record number (from the hospital call, the coordinator or a report).",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    reason = forms.CharField(
        label="Why you need this record now",
        min_length=10,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "Required. Your access lasts a few hours, is logged and a supervisor is told. "
            "Don't include clinical detail."
        ),
    )
