"""Forms for family members, consents and naloxone distributions."""

from django import forms
from django.utils import timezone

from referrals.models import Organization

from .forms import datetime_field, phone_field, team_field
from .models import Consent, FamilyMember, NaloxoneDistribution

RELATIONSHIPS = ["parent", "spouse", "partner", "child", "sibling", "grandparent", "other relative", "friend",
                 "roommate", "other"]


class FamilyMemberForm(forms.ModelForm):
    phone = phone_field()
    relationship = forms.ChoiceField(choices=[(r, r.capitalize()) for r in RELATIONSHIPS])

    class Meta:
        model = FamilyMember
        fields = ["name", "relationship", "phone", "language", "consent_to_contact", "notes"]
        labels = {"consent_to_contact": "Agrees to be contacted by the team", "notes": "Notes"}
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class ConsentForm(forms.ModelForm):
    given_at = datetime_field("Given on", initial=timezone.now)
    expires_at = datetime_field("Expires on (optional)", required=False)

    class Meta:
        model = Consent
        fields = ["kind", "family_member", "organization", "purpose", "method", "given_at", "expires_at"]
        labels = {"family_member": "Given by a family member (leave empty for the survivor)",
                  "organization": "Share with (for sharing consent)", "purpose": "Purpose of sharing"}
        widgets = {"kind": forms.RadioSelect, "method": forms.RadioSelect}

    def __init__(self, *args, survivor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["family_member"].queryset = survivor.family_members.all()
        self.fields["organization"].queryset = Organization.objects.filter(active=True)

    def clean(self):
        data = super().clean()
        if data.get("kind") == Consent.Kind.SHARE:
            if not data.get("organization"):
                self.add_error("organization", "Sharing consent names the organisation it allows sharing with.")
            if not data.get("purpose"):
                self.add_error("purpose", "Say what the sharing is for (e.g. treatment referral).")
        if data.get("expires_at") and data.get("given_at") and data["expires_at"] <= data["given_at"]:
            self.add_error("expires_at", "The expiry must come after the day it was given.")
        return data


class NaloxoneForm(forms.ModelForm):
    given_at = datetime_field("Given on", initial=timezone.now)

    class Meta:
        model = NaloxoneDistribution
        fields = ["given_at", "kits", "test_strips", "is_refill", "previous_kit_used", "training_given"]
        labels = {"kits": "Naloxone kits", "test_strips": "Fentanyl test strips", "is_refill": "A refill",
                  "previous_kit_used": "Was a previous kit used?", "training_given": "Training given"}
        widgets = {
            "kits": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 50}),
            "test_strips": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 200}),
            "previous_kit_used": forms.RadioSelect,
        }

    def __init__(self, *args, survivor=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if survivor is not None:
            choices = [("survivor", f"{survivor.display_name} (the survivor)")]
            choices += [(f"family:{m.pk}", f"{m.name} ({m.relationship})") for m in survivor.family_members.all()]
            self.fields["recipient"] = forms.ChoiceField(choices=choices, widget=forms.RadioSelect, label="Given to")
            self.order_fields(["recipient"])
        elif user is not None:
            self.fields["team"] = team_field(user)
            self.order_fields(["team"])

    def clean(self):
        data = super().clean()
        if not (data.get("kits") or data.get("test_strips")):
            raise forms.ValidationError("Give at least one kit or one test strip.")
        return data

    def recipient(self, survivor):
        """(survivor, family_member) chosen in the form."""

        choice = self.cleaned_data.get("recipient", "survivor")
        if choice.startswith("family:"):
            return None, survivor.family_members.get(pk=int(choice.split(":", 1)[1]))
        return survivor, None
