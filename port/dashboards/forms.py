"""The dashboard's period and team choice (GET: only dates and a team id, no personal data)."""

from datetime import timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms

from . import periods

MAX_CUSTOM_DAYS = 3 * 366


class DateInput(forms.DateInput):
    input_type = "date"


class PeriodForm(forms.Form):
    PERIODS = [
        ("7", "Last 7 days"),
        ("30", "Last 30 days"),
        ("90", "Last 90 days"),
        ("quarter", "This quarter"),
        ("custom", "Custom dates"),
    ]

    period = forms.ChoiceField(choices=PERIODS, initial="30", required=False)
    date_from = forms.DateField(label="From", required=False, widget=DateInput)
    date_to = forms.DateField(label="To", required=False, widget=DateInput)
    team = forms.ModelChoiceField(queryset=None, required=False, empty_label="All my teams")

    def __init__(self, data=None, *, teams, show_team=True, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["team"].queryset = teams
        if not show_team:
            del self.fields["team"]
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_class = "dashboard-filter no-print"
        self.helper.disable_csrf = True
        columns = [Column("period", css_class="col-sm-6 col-lg-3"),
                   Column("date_from", css_class="col-sm-6 col-lg-2"),
                   Column("date_to", css_class="col-sm-6 col-lg-2")]
        if show_team:
            columns.append(Column("team", css_class="col-sm-6 col-lg-3"))
        self.helper.layout = Layout(Row(*columns), Submit("apply", "Show", css_class="btn-primary"))

    def clean(self):
        cleaned = super().clean()
        dates_given = cleaned.get("date_from") or cleaned.get("date_to")
        if cleaned.get("period") == "custom" or (not cleaned.get("period") and dates_given):
            start, end = cleaned.get("date_from"), cleaned.get("date_to")
            if "date_from" in self.errors or "date_to" in self.errors:
                return cleaned
            if not start:
                self.add_error("date_from", "Enter the first day of the period.")
            if not end:
                self.add_error("date_to", "Enter the last day of the period.")
            if start and end and end < start:
                self.add_error("date_to", "The last day must be on or after the first day.")
            if start and end and end - start > timedelta(days=MAX_CUSTOM_DAYS):
                self.add_error("date_to", "Choose a period of at most three years.")
            cleaned["period"] = "custom"
        return cleaned

    def chosen_period(self):
        """The period asked for, or the last 30 days when nothing (valid) was asked."""

        if not self.is_bound or not self.is_valid() and self.period_errors():
            return periods.last_days(30)
        choice = self.cleaned_data.get("period") or "30"
        if choice == "custom":
            return periods.Period(self.cleaned_data["date_from"], self.cleaned_data["date_to"], "custom")
        if choice == "quarter":
            return periods.this_quarter()
        return periods.last_days(int(choice))

    def period_errors(self):
        return any(name in self.errors for name in ("period", "date_from", "date_to", "__all__"))

    def chosen_team(self):
        if self.is_bound and self.is_valid():
            return self.cleaned_data.get("team")
        return None


class QuarterForm(forms.Form):
    quarter = forms.ChoiceField(required=False)
    team = forms.ModelChoiceField(queryset=None, required=False, empty_label="All my teams")

    def __init__(self, data=None, *, teams, show_team=True, **kwargs):
        super().__init__(data, **kwargs)
        self.quarters = periods.recent_quarters(8)
        self.fields["quarter"].choices = [(self._key(q), q.name) for q in self.quarters]
        # The last complete quarter is what a report usually covers.
        self.fields["quarter"].initial = self._key(self.quarters[1])
        self.fields["team"].queryset = teams
        if not show_team:
            del self.fields["team"]
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_class = "no-print"
        self.helper.disable_csrf = True
        columns = [Column("quarter", css_class="col-sm-6 col-lg-3")]
        if show_team:
            columns.append(Column("team", css_class="col-sm-6 col-lg-3"))
        self.helper.layout = Layout(Row(*columns), Submit("apply", "Show", css_class="btn-primary"))

    @staticmethod
    def _key(q):
        return f"{q.first_day.year}-Q{periods.quarter_of(q.first_day)}"

    def chosen_quarter(self):
        wanted = self.cleaned_data.get("quarter") if self.is_bound and self.is_valid() else None
        for q in self.quarters:
            if self._key(q) == wanted:
                return q
        return self.quarters[1]

    def chosen_team(self):
        if self.is_bound and self.is_valid():
            return self.cleaned_data.get("team")
        return None
