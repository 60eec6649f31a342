"""Forms for people and events. Value rules come from survivors/validation.py (shared with the import)."""

from django import forms
from django.core.exceptions import ValidationError
from phonenumber_field.formfields import PhoneNumberField
from phonenumber_field.widgets import RegionalPhoneNumberWidget

from port.accounts.models import Team

from . import validation
from .models import OverdoseEvent, Survivor


class TelInput(RegionalPhoneNumberWidget):
    """type="tel" with autocomplete, so a tablet shows the keypad."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"autocomplete": "tel", "inputmode": "tel", **(attrs or {})})


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


DATE_INPUT_FORMATS = ["%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M"]


def phone_field(label="Phone", **kwargs):
    return PhoneNumberField(label=label, required=False, widget=TelInput(), **kwargs)


def date_field(label, **kwargs):
    return forms.DateField(label=label, widget=DateInput(), input_formats=DATE_INPUT_FORMATS, **kwargs)


def datetime_field(label, **kwargs):
    return forms.DateTimeField(label=label, widget=DateTimeInput(), input_formats=DATETIME_INPUT_FORMATS, **kwargs)


def team_field(user):
    """The team a new record belongs to: a choice only for users with more than one."""

    teams = Team.objects.all() if user.sees_all_teams else Team.objects.filter(pk__in=user.team_ids())
    return forms.ModelChoiceField(queryset=teams, label="Team", empty_label=None)


def needs_team_choice(user):
    return user.sees_all_teams or len(user.team_ids()) > 1


class _PersonRules(forms.ModelForm):
    def clean_date_of_birth(self):
        return validation.check_date_of_birth(self.cleaned_data.get("date_of_birth"))


PERSON_FIELDS = [
    "legal_first_name", "legal_last_name", "preferred_name", "date_of_birth", "age_estimate", "phone",
    "language", "sex", "address", "city", "zip_code",
]


class PersonForm(_PersonRules):
    """Who it was: the new person's details in the event form (also what the matcher compares)."""

    date_of_birth = date_field("Date of birth", required=False)
    phone = phone_field()

    class Meta:
        model = Survivor
        fields = PERSON_FIELDS
        labels = {"legal_first_name": "First name (legal)", "legal_last_name": "Last name (legal)",
                  "age_estimate": "Estimated age (when the birthday is unknown)", "zip_code": "ZIP code"}


class SurvivorForm(_PersonRules):
    date_of_birth = date_field("Date of birth", required=False)
    phone = phone_field()
    phone_alt = phone_field("Other phone")

    class Meta:
        model = Survivor
        fields = [
            *PERSON_FIELDS, "phone_alt", "phone_status", "gender", "race", "ethnicity", "housing_status",
            "insurance", "preferred_contact_method", "safe_contact_times", "safe_to_text", "safe_voicemail",
            "ok_to_disclose_household", "status", "high_risk", "high_risk_reason", "notes",
        ]
        labels = {"legal_first_name": "First name (legal)", "legal_last_name": "Last name (legal)",
                  "ok_to_disclose_household": "OK to tell household members why we visit",
                  "notes": "Clinical notes"}
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}


class EventForm(forms.ModelForm):
    occurred_at = datetime_field("When did it happen?")
    substances = forms.MultipleChoiceField(
        choices=OverdoseEvent.SUBSTANCES, required=False, widget=forms.CheckboxSelectMultiple,
        label="Substances suspected",
    )

    class Meta:
        model = OverdoseEvent
        fields = [
            "occurred_at", "outcome", "source", "source_incident_number", "address", "zip_code", "place_type",
            "substances", "naloxone_administered", "naloxone_by", "naloxone_doses", "transported_to",
            "agreed_to_followup", "notes",
        ]
        labels = {"source": "Reported by", "source_incident_number": "The source's incident number",
                  "address": "Where (address)", "zip_code": "ZIP code",
                  "agreed_to_followup": "Agreed on scene to a follow-up",
                  "notes": "Clinical notes"}
        widgets = {"outcome": forms.RadioSelect, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if needs_team_choice(user):
            self.fields["team"] = team_field(user)
        if not user.sees_clinical:
            del self.fields["substances"], self.fields["notes"]

    def clean_occurred_at(self):
        return validation.check_occurred_at(self.cleaned_data["occurred_at"])

    def clean_naloxone_doses(self):
        return validation.check_naloxone_doses(self.cleaned_data.get("naloxone_doses"))

    def clean(self):
        data = super().clean()
        number = (data.get("source_incident_number") or "").strip()
        data["source_incident_number"] = number
        if number and data.get("source"):
            clash = OverdoseEvent.objects.filter(source=data["source"], source_incident_number=number)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error(
                    "source_incident_number",
                    "This incident number from this source is already recorded: search for it on the survivors page.",
                )
        if data.get("naloxone_doses") or data.get("naloxone_by"):
            data["naloxone_administered"] = True
        return data

    def validate_constraints(self, exclude=None):
        # clean() says it in words a coordinator understands.
        exclude = set(exclude or ()) | {"source_incident_number"}
        return super().validate_constraints(exclude=exclude)


class SearchForm(forms.Form):
    """Find people. Sent by POST and kept in the session, so names never appear in a URL."""

    name = forms.CharField(required=False, max_length=100, label="Name (part of it is enough)")
    phone = forms.CharField(
        required=False, max_length=30, label="Phone",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    date_of_birth = date_field("Date of birth", required=False)
    incident_number = forms.CharField(required=False, max_length=64, label="Incident number")

    def clean_phone(self):
        value = self.cleaned_data["phone"].strip()
        if not value:
            return ""
        return validation.parse_phone(value).as_e164

    def clean(self):
        data = super().clean()
        if not self.errors and not any(data.get(k) for k in ("name", "phone", "date_of_birth", "incident_number")):
            raise ValidationError("Type a name, a phone number, a date of birth or an incident number.")
        return data

    def as_session(self):
        data = dict(self.cleaned_data)
        if data.get("date_of_birth"):
            data["date_of_birth"] = data["date_of_birth"].isoformat()
        return data


class DeleteForm(forms.Form):
    REASONS = [
        ("entered_in_error", "Entered in error"),
        ("test_record", "A test record"),
        ("duplicate", "Duplicate that should not be merged"),
        ("person_request", "The person asked for removal"),
    ]
    reason = forms.ChoiceField(choices=REASONS, widget=forms.RadioSelect, label="Why delete this record?")
