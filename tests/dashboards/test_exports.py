"""CSV exports: de-identified for report roles, identified only for those allowed it, all audited."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils.http import urlencode

from port.audit.models import AuditEvent
from port.dashboards.exports import DEIDENTIFIED_COLUMNS, IDENTIFIED_COLUMNS, age_band, zip3
from survivors.models import Survivor

pytestmark = pytest.mark.django_db

# Words that must never name a column of the de-identified file.
IDENTIFYING = ("name", "phone", "address", "birth", "dob", "incident", "notes", "street", "city", "email",
               "occurred_at", "date", "survivor_id", "event_id", "zip_code")


def _get(client, name, dataset, **extra):
    return client.get(f"{reverse(name)}?{urlencode({**dataset.period.query(), **extra})}")


def _csv(response):
    text = b"".join(response.streaming_content).decode()
    return text, list(csv.reader(io.StringIO(text)))


def _exports(user):
    return AuditEvent.objects.filter(user=user, action="export")


def test_the_deidentified_file_has_only_allowed_columns_and_no_identifying_value(client, login, dataset):
    login(dataset.coordinator)
    response = _get(client, "dashboards:export_deidentified", dataset)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text, rows = _csv(response)
    header = rows[0]
    assert header == DEIDENTIFIED_COLUMNS
    for column in header:
        assert not any(word in column for word in IDENTIFYING), column
    # One row per event of the coordinator's team in the period (E1-E9, not E10, E11 or South's E12).
    assert len(rows) - 1 == 9
    lowered = text.lower()
    for s in dataset.survivors:
        for value in (s.legal_first_name, s.legal_last_name, s.address, s.date_of_birth.isoformat(),
                      s.date_of_birth.strftime("%m/%d/%Y"), str(s.phone), s.phone.as_e164,
                      s.phone.as_national, s.phone.as_e164[2:]):
            assert value.lower() not in lowered, value
    for f in dataset.family:
        for part in f.name.split():
            assert part.lower() not in lowered
    for event in dataset.events.values():
        assert event.source_incident_number.lower() not in lowered
    assert "45011" not in text and "overdose scene" not in lowered
    assert {row[header.index("zip3")] for row in rows[1:]} <= {"450", ""}
    assert {row[header.index("week_of_event")] for row in rows[1:]} == {"2026-02-23", "2026-03-02", "2026-03-09"}


def test_the_deidentified_file_carries_the_kpi_flags(client, login, dataset):
    login(dataset.supervisor)
    _, rows = _csv(_get(client, "dashboards:export_deidentified", dataset))
    header, body = rows[0], rows[1:]
    counted = [r for r in body if r[header.index("counted_for_contact")] == "yes"]
    assert len(counted) == 8

    def yes(column):
        return sum(r[header.index(column)] == "yes" for r in counted)

    assert (yes("attempted_within_72h"), yes("reached_within_72h"), yes("reached_within_24h")) == (6, 5, 4)
    assert (yes("declined"), yes("linked_to_treatment_30d"), yes("repeat_in_period")) == (1, 3, 2)
    assert len({r[header.index("person")] for r in counted}) == 7  # A's two events share one pseudonym
    fatal = [r for r in body if r[header.index("outcome")] == "fatal"]
    assert len(fatal) == 1 and fatal[0][header.index("reached_within_72h")] == ""


def test_the_deidentified_file_is_for_report_roles_and_audited(client, login, dataset):
    login(dataset.outreach)
    assert _get(client, "dashboards:export_deidentified", dataset).status_code == 403
    assert not _exports(dataset.outreach).exists()
    login(dataset.coordinator)
    _csv(_get(client, "dashboards:export_deidentified", dataset))
    audit = _exports(dataset.coordinator).get()
    assert audit.detail.startswith("de-identified events, Mar 1, 2026 to Mar 14, 2026")
    assert "Quartermaine" not in audit.detail


def test_the_identified_file_is_refused_to_coordinators(client, login, dataset):
    login(dataset.coordinator)
    assert _get(client, "dashboards:export_identified", dataset).status_code == 403
    assert client.get(reverse("dashboards:rows_export", args=["events"])).status_code == 403
    assert not _exports(dataset.coordinator).exists()
    response = client.get(f"{reverse('dashboards:dashboard')}?{urlencode(dataset.period.query())}")
    assert reverse("dashboards:export_identified") not in response.content.decode()


def test_the_identified_file_is_audited_for_supervisors(client, login, dataset):
    login(dataset.supervisor)
    response = _get(client, "dashboards:export_identified", dataset)
    assert response.status_code == 200
    text, rows = _csv(response)
    assert len(rows) - 1 == 10  # every event in the period, both teams
    assert "Quartermaine" in text
    audit = _exports(dataset.supervisor).get()
    assert audit.detail.startswith("identified events (10 rows)")
    assert "Quartermaine" not in audit.detail and audit.ip == "127.0.0.1"


def test_the_rows_behind_a_number_export_for_supervisors_and_are_audited(client, login, dataset):
    login(dataset.supervisor)
    response = client.get(
        f"{reverse('dashboards:rows_export', args=['not_locatable'])}?{urlencode(dataset.period.query())}"
    )
    _, rows = _csv(response)
    assert [r[1] for r in rows[1:]] == ["Wystan Pettigrew"]
    assert _exports(dataset.supervisor).get().detail.startswith("dashboard rows not_locatable")


@pytest.mark.parametrize("table", ["figures", "weekly_events", "weekly_reached", "referrals", "workload"])
def test_every_dashboard_table_exports_as_csv_and_is_audited(client, login, dataset, table):
    login(dataset.coordinator)
    response = client.get(
        f"{reverse('dashboards:export_table', args=[table])}?{urlencode(dataset.period.query())}"
    )
    assert response.status_code == 200
    _, rows = _csv(response)
    assert len(rows) > 1
    assert _exports(dataset.coordinator).get().detail.startswith(f"dashboard table {table}")


def test_the_key_figures_csv_matches_the_page(client, login, dataset):
    login(dataset.supervisor)
    _, rows = _csv(client.get(
        f"{reverse('dashboards:export_table', args=['figures'])}?{urlencode(dataset.period.query())}"
    ))
    by_name = {r[0]: r[1:3] for r in rows[1:]}
    assert by_name["Overdose events"] == ["8", "1"]
    assert by_name["Reached within 72 h"] == ["62.5", "100.0"]
    assert by_name["Time to first contact (median)"] == ["15.0", "30.0"]


def test_a_table_shared_outside_the_team_hides_small_cells(client, login, dataset):
    login(dataset.supervisor)
    query = urlencode({**dataset.period.query(), "suppressed": 1})
    _, rows = _csv(client.get(f"{reverse('dashboards:export_table', args=['figures'])}?{query}"))
    by_name = {r[0]: r[1:3] for r in rows[1:]}
    assert by_name["Overdose events"] == ["<11", "<11"]
    assert by_name["Declined"] == ["<11", "0"]  # zero people identifies no one
    assert all(value in ("<11", "0", "") for r in rows[1:] for value in r[1:3])
    assert "suppressed" in _exports(dataset.supervisor).get().detail


def test_age_bands_and_zip3_follow_safe_harbor():
    from datetime import date

    assert age_band(date(2000, 6, 15), None, date(2026, 6, 14)) == "25-34"  # 25 the day before the birthday
    assert age_band(date(2008, 6, 15), None, date(2026, 6, 14)) == "under 18"
    assert age_band(None, 70, date(2026, 6, 14)) == "65 and over"
    assert age_band(None, None, date(2026, 6, 14)) == "unknown"
    assert zip3("45011-1234") == "450"
    assert zip3("03601") == "000"  # a three-digit area of fewer than 20,000 people
    assert zip3("") == "" and zip3("ABCDE") == ""


def test_a_file_for_impossible_dates_is_refused_with_the_reason(client, login, dataset):
    login(dataset.coordinator)
    response = client.get(reverse("dashboards:export_deidentified"),
                          {"period": "custom", "date_from": "2026-03-14", "date_to": "2026-03-01"})
    assert response.status_code == 400
    assert b"The last day must be on or after the first day." in response.content
    assert not _exports(dataset.coordinator).exists()


def test_a_name_that_would_run_as_a_spreadsheet_formula_exports_as_text(client, login, dataset):
    person = Survivor.objects.get(legal_last_name="Quartermaine")
    person.legal_last_name = '=HYPERLINK("http://evil.example","Click")'
    person.save()
    login(dataset.supervisor)
    _text, rows = _csv(_get(client, "dashboards:export_identified", dataset))
    last_names = [row[IDENTIFIED_COLUMNS.index("legal_last_name")] for row in rows[1:]]
    assert "'=HYPERLINK(\"http://evil.example\",\"Click\")" in last_names
    assert not any(name.startswith("=") for name in last_names)
