"""Forms for making a referral, changing its status and recording treatment progress."""

from datetime import timedelta

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone

from .models import Category, Medication, Referral, Service


class ServiceSelect(forms.Select):
    """A select whose options carry data attributes (category, consent) for static/js/referrals.js."""

    def __init__(self, *args, option_data=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.option_data = option_data or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        option["attrs"].update(self.option_data.get(str(value), {}))
        return option


def _local_input(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else ""


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        if hasattr(value, "tzinfo"):
            return _local_input(value)
        return value


class ReferralForm(forms.Form):
    """The organisation and service, the kind of hand-off, and the appointment if one is booked."""

    service = forms.TypedChoiceField(label="Organisation and service", coerce=int)
    handoff = forms.ChoiceField(
        label="Hand-off", choices=Referral.Handoff.choices, widget=forms.RadioSelect,
        initial=Referral.Handoff.INFORMATION_ONLY,
    )
    shares_identity = forms.BooleanField(
        label="Share the person's name and contact details with the organisation",
        required=False,
        help_text="A warm hand-off always shares them. Sharing needs an active consent to share with "
        "that organisation; without one the referral is recorded as information only.",
    )
    appointment_at = forms.DateTimeField(
        label="Appointment (if booked)", required=False, widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, consented_org_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        services = list(
            Service.objects.filter(organization__active=True).select_related("organization")
            .order_by("organization__name", "category", "name")
        )
        self.services = {s.pk: s for s in services}
        groups, option_data = {}, {}
        for s in services:
            label = f"{s.name} · {s.get_category_display()}" if s.name else s.get_category_display()
            groups.setdefault(s.organization.name, []).append((s.pk, label))
            option_data[str(s.pk)] = {
                "data-category": s.category,
                "data-consent": "yes" if s.organization_id in consented_org_ids else "no",
            }
        field = self.fields["service"]
        field.widget = ServiceSelect(option_data=option_data, attrs={"data-referral-service": ""})
        field.choices = [("", "Choose a service")] + list(groups.items())  # also sets the widget's choices
        self.fields["handoff"].widget.attrs["data-referral-handoff"] = ""
        self.fields["shares_identity"].widget.attrs["data-referral-share"] = ""
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_service(self):
        service = self.services.get(self.cleaned_data["service"])
        if service is None:
            raise forms.ValidationError("Choose a service from the directory.")
        return service

    def clean_appointment_at(self):
        value = self.cleaned_data.get("appointment_at")
        if value and value < timezone.now() - timedelta(days=1):
            raise forms.ValidationError("The appointment is in the past; leave it empty if none is booked.")
        return value


class StatusChangeForm(forms.Form):
    """Only the statuses allowed from the current one are offered; anything else is refused clearly."""

    to_status = forms.ChoiceField(label="New status", widget=forms.RadioSelect)
    note = forms.CharField(label="Note", required=False, max_length=300,
                           help_text="What happened (who you spoke to, why it was declined, ...).")
    appointment_at = forms.DateTimeField(
        label="Appointment (if booked)", required=False, widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args, referral, **kwargs):
        from .services import allowed_next_statuses

        super().__init__(*args, **kwargs)
        self.referral = referral
        field = self.fields["to_status"]
        field.choices = Referral.Status.choices  # any status is understood ...
        field.widget.choices = allowed_next_statuses(referral)  # ... only the allowed ones are offered
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_to_status(self):
        from .services import ALLOWED_TRANSITIONS, transition_refusal

        to_status = self.cleaned_data["to_status"]
        if to_status not in ALLOWED_TRANSITIONS[Referral.Status(self.referral.status)]:
            raise forms.ValidationError(transition_refusal(self.referral, to_status))
        return to_status


ENGAGEMENT_CHOICES = [("", "Not asked yet"), ("true", "Yes, still engaged"), ("false", "No")]


def _yes_no(value):
    return {"true": True, "false": False}.get(value)


class TreatmentProgressForm(forms.Form):
    admitted_on = forms.DateField(label="Admitted on", required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    moud_started = forms.BooleanField(label="MOUD started", required=False)
    moud_medication = forms.ChoiceField(label="Medication", required=False,
                                        choices=[("", "—")] + list(Medication.choices))
    engaged_30d = forms.TypedChoiceField(label="Still engaged at 30 days", required=False,
                                         choices=ENGAGEMENT_CHOICES, coerce=_yes_no, empty_value=None)
    engaged_90d = forms.TypedChoiceField(label="Still engaged at 90 days", required=False,
                                         choices=ENGAGEMENT_CHOICES, coerce=_yes_no, empty_value=None)

    def __init__(self, *args, referral, **kwargs):
        initial = {
            "admitted_on": referral.admitted_on,
            "moud_started": referral.moud_started,
            "moud_medication": referral.moud_medication,
            "engaged_30d": {True: "true", False: "false"}.get(referral.engaged_30d, ""),
            "engaged_90d": {True: "true", False: "false"}.get(referral.engaged_90d, ""),
        }
        super().__init__(*args, initial=initial, **kwargs)
        if referral.connected_at is None:
            # Retention is asked only once the person got there.
            del self.fields["engaged_30d"]
            del self.fields["engaged_90d"]
        self.helper = FormHelper()
        self.helper.form_tag = False


class ReferralFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), ("open", "Open (made or accepted)")]
                               + list(Referral.Status.choices), widget=forms.Select(attrs={"class": "form-select"}))
    category = forms.ChoiceField(required=False, choices=[("", "Any category")] + list(Category.choices),
                                 widget=forms.Select(attrs={"class": "form-select"}))

