"""Importing and exporting the directory as CSV with Open Referral HSDS column names."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from port.accounts.roles import Role
from port.audit.models import AuditEvent
from referrals.models import Organization, Service

pytestmark = pytest.mark.django_db

HEADER = ("organization_name,description,email,url,phone,address_1,city,state_province,postal_code,languages,"
          "schedule_description,payment_accepted,application_process,service_name,category,medications,handoff_notes")


def upload(client, text, name="directory.csv"):
    return client.post(reverse("referrals:directory_import"),
                       {"file": SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")})


@pytest.fixture
def coordinator_client(client, login, users):
    return login(users[Role.COORDINATOR])


def test_good_rows_are_kept_and_each_bad_row_is_reported_with_row_column_and_reason(coordinator_client):
    text = "\n".join([
        HEADER,
        'Riverside Clinic,Bupe clinic,info@riverside.example,https://riverside.example,202-555-0101,1 Main St,'
        'Springfield,OH,45011,"English; Spanish",Mon-Fri 8-5,"Medicaid, uninsured",walk-in,Same-day bupe,moud,'
        'buprenorphine,Ask for the nurse',
        "Riverside Clinic,,,,,,,,,,,,,Intensive outpatient,outpatient,,",
        "Bad Zip Pantry,,,,,,,,4501,,,,,Groceries,food,,",
        "Unknown Category Place,,,,,,,,,,,,,Something,astrology,,",
        "Wrong Language House,,,,,,,,,Klingon,,,,Beds,housing,,",
        ",,,,,,,,,,,,,No name,food,,",
        "Methadone At The Pantry,,,,,,,,,,,,,Groceries,food,methadone,",
        "Mobile Van,,not-an-email,,,,,,,,,,sometimes,Wound care,medical,,",
    ])

    response = upload(coordinator_client, text)

    assert response.status_code == 200
    report = response.context["report"]
    assert (report.rows, report.imported, report.rejected_rows) == (8, 2, 6)
    errors = {(e.row, e.column) for e in report.errors}
    assert errors == {
        (4, "postal_code"), (5, "category"), (6, "languages"), (7, "organization_name"), (8, "medications"),
        (9, "email"), (9, "application_process"),
    }
    page = response.content.decode()
    assert "is not a ZIP code" in page
    assert "Unknown language: Klingon" in page
    assert "Unknown category" in page

    org = Organization.objects.get()
    assert org.name == "Riverside Clinic"
    assert (org.phone, org.zip_code, org.languages, org.walk_in) == ("(202) 555-0101", "45011", "en,es", True)
    assert (org.accepts_medicaid, org.accepts_uninsured, org.accepts_private) == (True, True, False)
    assert sorted(org.services.values_list("category", "medications")) == [
        ("moud", "buprenorphine"), ("outpatient", "")]
    assert AuditEvent.objects.filter(action="import", detail__contains="2 rows imported, 6 rejected").exists()


def test_a_file_without_the_name_column_is_refused_with_the_expected_columns(coordinator_client):
    response = upload(coordinator_client, "name,phone\nClinic,202-555-0101\n")

    report = response.context["report"]
    assert report.imported == 0
    assert "organization_name" in report.errors[0].reason
    assert not Organization.objects.exists()


def test_a_windows_1252_file_from_excel_imports_with_its_accents(coordinator_client):
    coordinator_client.post(reverse("referrals:directory_import"), {
        "file": SimpleUploadedFile("d.csv", "organization_name\nCaf\xe9 Esperanza".encode("cp1252"),
                                   content_type="text/csv")})

    assert Organization.objects.filter(name="Café Esperanza").exists()


def test_the_export_uses_hsds_names_and_can_be_imported_back_without_duplicates(coordinator_client, clinic):
    clinic.email = "info@riverside.example"
    clinic.save()

    response = coordinator_client.get(reverse("referrals:directory_export"))

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["organization_name"] == "Riverside Recovery Clinic"
    assert rows[0]["service_name"] == "Same-day buprenorphine"
    assert rows[0]["email"] == "info@riverside.example"
    assert rows[0]["languages"] == "en,es"
    assert rows[0]["payment_accepted"] == "medicaid"
    assert rows[0]["application_process"] == "walk-in"
    for column in ("description", "url", "phone", "address_1", "city", "postal_code", "organization_id",
                   "service_id", "schedule_description"):
        assert column in rows[0]
    assert AuditEvent.objects.filter(action="export", detail__contains="resource directory").exists()

    rows[0]["description"] = "Now open on Saturdays"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    report = upload(coordinator_client, out.getvalue()).context["report"]

    assert (report.imported, report.errors) == (1, [])
    assert Organization.objects.count() == 1 and Service.objects.count() == 1
    assert Organization.objects.get().description == "Now open on Saturdays"


def test_a_name_that_would_run_as_a_formula_exports_as_text_and_comes_back_unchanged(coordinator_client, clinic):
    clinic.name = "=1+2 Recovery"
    clinic.save()

    response = coordinator_client.get(reverse("referrals:directory_export"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["organization_name"] == "'=1+2 Recovery"

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    upload(coordinator_client, out.getvalue())
    assert list(Organization.objects.values_list("name", flat=True)) == ["=1+2 Recovery"]
