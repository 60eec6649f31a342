"""Forms of the CSV import: the upload, and the mapping of the file's columns to our fields."""

from django import forms
from django.conf import settings

from port.csvfiles import megabytes, too_big

from .forms import needs_team_choice, team_field
from .importing import FIELDS, mapping_problems
from .models import OverdoseEvent


class UploadForm(forms.Form):
    source = forms.ChoiceField(choices=OverdoseEvent.Source.choices, label="Where is this export from?")
    file = forms.FileField(
        label="CSV file",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Said with the same rounding as the refusal (port.csvfiles.too_big).
        self.fields["file"].help_text = f"Up to {megabytes(settings.IMPORT_MAX_BYTES)}; UTF-8 or Windows-1252."
        if needs_team_choice(user):
            self.fields["team"] = team_field(user)
            self.order_fields(["team"])

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if refusal := too_big(upload.size, settings.IMPORT_MAX_BYTES):
            raise forms.ValidationError(refusal)
        return upload


class MappingForm(forms.Form):
    """One choice per field of ours: which column of the file holds it (or none)."""

    def __init__(self, *args, header, initial_mapping, **kwargs):
        super().__init__(*args, **kwargs)
        self.header = header
        choices = [("", "— not in this file —")] + [(h, h) for h in header if h]
        for f in FIELDS:
            self.fields[f.name] = forms.ChoiceField(
                choices=choices, required=False, label=f.label + (" (required)" if f.required else ""),
                initial=initial_mapping.get(f.name, ""),
            )

    def clean(self):
        data = super().clean()
        for problem in mapping_problems(self.header, data):
            self.add_error(None, problem)
        used = {}
        for name, column in data.items():
            if column and column in used:
                self.add_error(name, f"The column “{column}” is already chosen for another field.")
            used[column] = name
        return data
