"""The resource directory as CSV, one row per service, with Open Referral HSDS field names where they exist.

column               HSDS (2.0 / 3.0)                 our field
organization_id      organization.id                  Organization.pk
organization_name    organization.name                Organization.name
description          organization.description         Organization.description
email                organization.email               Organization.email
url                  organization.url (3.0: website)  Organization.website
phone                phone.number                     Organization.phone
address_1            physical_address.address_1       Organization.address
city                 physical_address.city            Organization.city
state_province       physical_address.state_province  Organization.state
postal_code          physical_address.postal_code     Organization.zip_code
languages            language.language (codes)        Organization.languages
schedule_description schedule.description             Organization.hours
payment_accepted     payment_accepted.payment         accepts_medicaid / _uninsured / _private
application_process  service.application_process      walk_in ("walk-in" or "appointment")
status               service.status                   Organization.active ("active" or "inactive")
service_id           service.id                       Service.pk
service_name         service.name                     Service.name
service_description  service.description              Service.description
category             (none: our taxonomy)             Service.category
medications          (none)                           Service.medications
handoff_notes        (none)                           Organization.handoff_notes

An import keeps every good row and reports each bad one with its row, column and reason. A blank
cell leaves the stored value as it is, so an organisation's details need only be on one of its rows.
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from port.audit.services import record_event
from port.csvfiles import RowError, decode, safe_row, unsafe_cell

from . import directory
from .models import Insurance, Organization, Service

COLUMNS = [
    "organization_id", "organization_name", "description", "email", "url", "phone", "address_1", "city",
    "state_province", "postal_code", "languages", "schedule_description", "payment_accepted",
    "application_process", "status", "service_id", "service_name", "service_description", "category",
    "medications", "handoff_notes",
]
# Plain text columns and the organisation field each one fills.
ORG_TEXT = {
    "organization_name": "name", "description": "description", "email": "email", "url": "website",
    "address_1": "address", "city": "city", "state_province": "state", "schedule_description": "hours",
    "handoff_notes": "handoff_notes",
}
ORG_COLUMN = {**{f: c for c, f in ORG_TEXT.items()}, "zip_code": "postal_code"}
SERVICE_COLUMN = {"name": "service_name", "description": "service_description"}
WALK_IN = {"walk-in": True, "walk in": True, "walk-ins": True, "walk-ins welcome": True,
           "appointment": False, "by appointment": False, "appointment only": False}


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    organizations_created: int = 0
    services_created: int = 0
    errors: list = field(default_factory=list)

    @property
    def rejected_rows(self):
        return len({e.row for e in self.errors if e.row})


def export_rows(organizations):
    """The header, then one row per service (an organisation without services gets one row)."""

    yield COLUMNS
    for org in organizations:
        org_cells = {
            "organization_id": org.pk, "phone": org.phone, "postal_code": org.zip_code,
            "languages": ",".join(org.language_codes),
            "payment_accepted": ",".join(v for v, _ in Insurance.choices if getattr(org, f"accepts_{v}")),
            "application_process": "walk-in" if org.walk_in else "appointment",
            "status": "active" if org.active else "inactive",
            **{column: getattr(org, name) for column, name in ORG_TEXT.items()},
        }
        for service in list(org.services.all()) or [None]:
            cells = dict(org_cells)
            if service is not None:
                cells.update({
                    "service_id": service.pk, "service_name": service.name,
                    "service_description": service.description, "category": service.category,
                    "medications": service.medications,
                })
            yield [cells.get(column, "") for column in COLUMNS]


def write_csv(organizations, out):
    writer = csv.writer(out)
    for row in export_rows(organizations):
        writer.writerow(safe_row(row))  # no cell a spreadsheet would run as a formula


def import_directory(data, *, by, request=None):
    """Import CSV bytes: good rows are saved (each on its own), bad ones reported. Returns an ImportReport."""

    report = ImportReport()
    text, _encoding = decode(data)
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    if "organization_name" not in header:
        report.errors.append(RowError(1, "organization_name", "The header has no organization_name column "
                                      f"(expected columns: {', '.join(COLUMNS)})."))
        return report
    for number, raw in enumerate(reader, start=2):
        row = {k: unsafe_cell((v or "").strip()) for k, v in raw.items() if k}  # our own export, re-imported
        if not any(row.values()):
            continue
        report.rows += 1
        errors = _import_row(row, number, report, by=by)
        report.errors.extend(errors)
        if not errors:
            report.imported += 1
    record_event(request, "import", None, user=by,
                 detail=f"resource directory: {report.imported} rows imported, {report.rejected_rows} rejected")
    return report


def _import_row(row, number, report, *, by):
    errors = []

    def fail(column, reason):
        errors.append(RowError(number, column, reason))

    org = _find_organization(row, fail)
    if errors:
        return errors
    org_created = org is None
    org = org or Organization()
    for column, name in ORG_TEXT.items():
        if row.get(column):
            setattr(org, name, row[column])
    for column, attr, parse in (("phone", "phone", directory.normalize_phone),
                                ("postal_code", "zip_code", directory.normalize_zip)):
        if row.get(column):
            try:
                setattr(org, attr, parse(row[column]))
            except ValidationError as exc:
                fail(column, exc.messages[0])
    if row.get("languages"):
        try:
            org.languages = ",".join(directory.parse_languages(row["languages"]))
        except ValidationError as exc:
            fail("languages", exc.messages[0])
    if row.get("payment_accepted"):
        try:
            accepted = directory.parse_insurance(row["payment_accepted"])
            for value, _ in Insurance.choices:
                setattr(org, f"accepts_{value}", value in accepted)
        except ValidationError as exc:
            fail("payment_accepted", exc.messages[0])
    if row.get("application_process"):
        walk_in = WALK_IN.get(row["application_process"].lower())
        if walk_in is None:
            fail("application_process", f"{row['application_process']!r}: write \"walk-in\" or \"appointment\".")
        else:
            org.walk_in = walk_in
    if row.get("status"):
        if row["status"].lower() not in ("active", "inactive"):
            fail("status", f"{row['status']!r}: write \"active\" or \"inactive\".")
        else:
            org.active = row["status"].lower() == "active"
    _collect_model_errors(org, fail, ORG_COLUMN, exclude=["phone", "zip_code", "languages"])

    service = None
    if row.get("category") or row.get("service_name") or row.get("service_id"):
        service = _service_for(row, org, org_created, fail)
    if errors:
        return errors
    with transaction.atomic():
        org.save()
        if service is not None:
            service_created = service.pk is None
            service.organization = org
            service.save()
            report.services_created += int(service_created)
    report.organizations_created += int(org_created)
    return errors


def _find_organization(row, fail):
    org_id = row.get("organization_id")
    if org_id:
        org = Organization.objects.filter(pk=org_id).first() if org_id.isdigit() else None
        if org is None:
            fail("organization_id", f"No organisation has id {org_id}; leave it empty to add a new one.")
        return org
    if not row.get("organization_name"):
        fail("organization_name", "The organisation's name is missing.")
        return None
    return Organization.objects.filter(name__iexact=row["organization_name"]).order_by("pk").first()


def _service_for(row, org, org_created, fail):
    try:
        category = directory.parse_category(row.get("category", ""))
    except ValidationError as exc:
        fail("category", exc.messages[0] if row.get("category") else "A service needs a category.")
        return None
    service = None
    if row.get("service_id"):
        if not org_created:
            service = org.services.filter(pk=row["service_id"]).first() if row["service_id"].isdigit() else None
        if service is None:
            fail("service_id", f"No service {row['service_id']} at this organisation; leave it empty to add one.")
            return None
    elif not org_created:
        service = org.services.filter(category=category, name__iexact=row.get("service_name", "")).first()
    service = service or Service()
    service.category = category
    if row.get("service_name"):
        service.name = row["service_name"]
    if row.get("service_description"):
        service.description = row["service_description"]
    if row.get("medications"):
        try:
            service.medications = ",".join(directory.parse_medications(row["medications"]))
            directory.check_medications(category, service.medications)
        except ValidationError as exc:
            fail("medications", exc.messages[0])
    _collect_model_errors(service, fail, SERVICE_COLUMN, exclude=["organization", "medications"])
    return service


def _collect_model_errors(instance, fail, columns, exclude):
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            fail(columns.get(name, name), " ".join(messages))
