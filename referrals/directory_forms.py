"""Forms for the resource directory: search and filters, editing an organisation and its services, import."""

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError

from . import directory
from .models import DIRECTORY_LANGUAGES, Category, Insurance, Medication, Organization, Service

SELECT = {"class": "form-select"}


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100, widget=forms.TextInput(
        attrs={"type": "search", "class": "form-control", "placeholder": "Name, service, medication, city"}))
    category = forms.ChoiceField(label="Category", required=False, choices=[("", "Any")] + list(Category.choices),
                                 widget=forms.Select(attrs=SELECT))
    language = forms.ChoiceField(label="Language", required=False, choices=[("", "Any")] + DIRECTORY_LANGUAGES,
                                 widget=forms.Select(attrs=SELECT))
    insurance = forms.ChoiceField(label="Insurance", required=False, choices=[("", "Any")] + list(Insurance.choices),
                                  widget=forms.Select(attrs=SELECT))
    walk_in = forms.BooleanField(label="Walk-ins welcome", required=False,
                                 widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))


class OrganizationForm(forms.ModelForm):
    website = forms.URLField(label="Website", required=False, assume_scheme="https")
    languages = forms.MultipleChoiceField(
        label="Languages spoken", required=False, choices=DIRECTORY_LANGUAGES, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Organization
        fields = [
            "name", "description", "address", "city", "state", "zip_code", "phone", "email", "website", "hours",
            "languages", "accepts_medicaid", "accepts_uninsured", "accepts_private", "walk_in", "handoff_notes",
            "active",
        ]
        labels = {
            "zip_code": "ZIP code", "accepts_medicaid": "Accepts Medicaid",
            "accepts_uninsured": "Accepts uninsured (sliding scale or free)",
            "accepts_private": "Accepts private insurance",
            "walk_in": "Walk-ins welcome (no appointment needed)", "handoff_notes": "How to make a warm hand-off here",
            "active": "Listed in the directory",
        }
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "description": forms.Textarea(attrs={"rows": 2}),
            "handoff_notes": forms.Textarea(attrs={"rows": 3}),
            "zip_code": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["languages"] = self.instance.language_codes
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_languages(self):
        return ",".join(self.cleaned_data["languages"])

    def clean_phone(self):
        return directory.normalize_phone(self.cleaned_data["phone"])

    def clean_zip_code(self):
        return directory.normalize_zip(self.cleaned_data["zip_code"])


class ServiceForm(forms.ModelForm):
    medications = forms.MultipleChoiceField(
        label="MOUD medications", required=False, choices=Medication.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Service
        fields = ["category", "name", "description", "medications"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["medications"] = self.instance.medication_codes

    def clean_medications(self):
        return ",".join(self.cleaned_data["medications"])

    def clean(self):
        cleaned = super().clean()
        try:
            directory.check_medications(cleaned.get("category"), cleaned.get("medications"))
        except ValidationError as exc:
            self.add_error("medications", exc)
        return cleaned


ServiceFormSet = forms.inlineformset_factory(
    Organization, Service, form=ServiceForm, extra=1, can_delete=True, min_num=0
)


class DirectoryImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="One row per service, columns as in the export.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,text/csv"
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise ValidationError("Choose a .csv file (save the spreadsheet as CSV UTF-8).")
        return upload
