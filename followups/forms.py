"""Forms for logging a contact attempt on a tablet, assigning a follow-up and filtering the team list."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from port.accounts.models import User
from survivors.models import FamilyMember

from .models import ContactAttempt, FollowUp
from .services import assignable_workers

Outcome = ContactAttempt.Outcome
Method = ContactAttempt.Method

# Outcomes that only make sense for some methods: a clear message instead of a wrong record.
OUTCOME_METHODS = {
    Outcome.NOT_HOME: {Method.VISIT},
    Outcome.BAD_ADDRESS: {Method.VISIT},
    Outcome.UNSAFE: {Method.VISIT},
    Outcome.VOICEMAIL: {Method.PHONE, Method.VOICE},
    Outcome.SENT: {Method.TEXT, Method.VOICE},
}
INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class DateTimeLocalInput(forms.DateTimeInput):
    """A native date-and-time picker (the tablet's own), shown in the program's time zone."""

    input_type = "datetime-local"

    def format_value(self, value):
        if hasattr(value, "tzinfo"):
            return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value.tzinfo else value.strftime(
                "%Y-%m-%dT%H:%M"
            )
        return value


class ContactAttemptForm(forms.ModelForm):
    send_fallback = forms.BooleanField(
        label="Send the fallback text or call now",
        required=False,
        initial=True,
        help_text="A discreet text (or a call) goes out when the visit was not possible.",
    )

    class Meta:
        model = ContactAttempt
        fields = [
            "method", "outcome", "at", "team_members", "police_present", "left_behind",
            "naloxone_kits", "test_strips", "family_members_met", "location", "next_attempt_at", "notes",
        ]
        labels = {
            "method": "How",
            "outcome": "Outcome",
            "at": "When",
            "team_members": "Who went with you",
            "police_present": "Police were present",
            "left_behind": "Left behind",
            "naloxone_kits": "Naloxone kits given",
            "test_strips": "Fentanyl test strips given",
            "family_members_met": "Family members met",
            "location": "Where (if not at the address)",
            "next_attempt_at": "Next attempt planned",
            "notes": "Notes",
        }
        widgets = {
            "method": forms.RadioSelect,
            "outcome": forms.RadioSelect,
            "left_behind": forms.RadioSelect,
            "team_members": forms.CheckboxSelectMultiple,
            "family_members_met": forms.CheckboxSelectMultiple,
            "naloxone_kits": forms.NumberInput(attrs={"min": 0, "max": 50, "inputmode": "numeric"}),
            "test_strips": forms.NumberInput(attrs={"min": 0, "max": 200, "inputmode": "numeric"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, followup, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.followup = followup
        # Radio buttons without the empty "---------" choice a model field brings.
        self.fields["method"].choices = Method.choices
        self.fields["outcome"].choices = Outcome.choices
        self.fields["left_behind"].choices = ContactAttempt.LeftBehind.choices
        self.fields["method"].initial = Method.VISIT
        self.fields["left_behind"].initial = ContactAttempt.LeftBehind.NOTHING
        self.fields["at"].initial = timezone.now
        self.fields["at"].help_text = "Now, unless you are logging it later."
        for name in ("at", "next_attempt_at"):
            self.fields[name].widget = DateTimeLocalInput()
            self.fields[name].input_formats = INPUT_FORMATS
        self.fields["team_members"].queryset = (
            User.objects.filter(teams=followup.team, is_active=True).exclude(pk=user.pk).order_by("first_name")
        )
        self.fields["family_members_met"].queryset = (
            FamilyMember.objects.filter(survivor_id=followup.survivor_id) if followup.survivor_id
            else FamilyMember.objects.none()
        )

    def clean_at(self):
        at = self.cleaned_data["at"]
        if at > timezone.now() + timedelta(minutes=10):
            raise forms.ValidationError("This is in the future: enter when the attempt happened.")
        event = self.followup.event
        if event is not None and at < event.occurred_at:
            raise forms.ValidationError("This is before the overdose event: check the date.")
        return at

    def clean_naloxone_kits(self):
        kits = self.cleaned_data["naloxone_kits"]
        if kits is not None and kits > 50:
            raise forms.ValidationError("Enter the number of kits handed out (at most 50).")
        return kits

    def clean(self):
        data = super().clean()
        method, outcome = data.get("method"), data.get("outcome")
        if method and outcome in OUTCOME_METHODS and method not in OUTCOME_METHODS[outcome]:
            allowed = " or ".join(str(Method(m).label).lower() for m in sorted(OUTCOME_METHODS[outcome]))
            self.add_error(
                "outcome", f"“{Outcome(outcome).label}” goes with a {allowed}: change the method or the outcome."
            )
        if data.get("left_behind") == ContactAttempt.LeftBehind.MATERIALS and outcome not in ContactAttempt.REACHED:
            self.add_error(
                "left_behind",
                "Leave information materials only when you reached the person; otherwise nothing or a generic card.",
            )
        at, next_at = data.get("at"), data.get("next_attempt_at")
        if at and next_at and next_at <= at:
            self.add_error("next_attempt_at", "The next attempt must be after this one.")
        return data


class AssignForm(forms.Form):
    worker = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Assign to",
        empty_label="Automatically (on call, else next in turn)",
    )

    def __init__(self, *args, followup, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = assignable_workers(followup.team)
        self.fields["worker"].initial = followup.assigned_to_id


class TeamWorklistFilter(forms.Form):
    """GET filters: ids and choices only, never personal data in the query string."""

    STATUS_CHOICES = [("", "Any status"), *FollowUp.Status.choices]

    worker = forms.ChoiceField(label="Worker", required=False)
    status = forms.ChoiceField(label="Status", choices=STATUS_CHOICES, required=False, initial=FollowUp.Status.OPEN)
    overdue = forms.BooleanField(label="Overdue only", required=False)
    proposed = forms.BooleanField(label="Proposed for closing", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        staff = User.objects.filter(is_active=True, role__in=["outreach", "coordinator"])
        if not user.sees_all_teams:
            staff = staff.filter(teams__in=user.team_ids())
        self.staff = {str(u.pk): u for u in staff.distinct().order_by("first_name", "last_name", "username")}
        self.fields["worker"].choices = [
            ("", "Everyone"), ("none", "Nobody assigned"), *[(pk, str(u)) for pk, u in self.staff.items()]
        ]

    def filters(self):
        """The selector's keyword arguments; the open follow-ups when the form is empty or invalid."""

        if not self.is_bound or not self.is_valid():
            return {"status": FollowUp.Status.OPEN}
        data = self.cleaned_data
        return {
            "worker": self.staff.get(data["worker"]),
            "unassigned": data["worker"] == "none",
            "status": data["status"],
            "overdue": data["overdue"],
            "proposed": data["proposed"],
        }
