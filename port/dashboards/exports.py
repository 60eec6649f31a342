"""CSV files: any dashboard table, and event-level files, de-identified or (for few roles) identified.

Files are streamed row by row from one query, so a year of events costs no more memory than a week.
"""

import csv
from datetime import timedelta

from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper
from django.http import StreamingHttpResponse
from django.utils import timezone

from port.csvfiles import safe_row

from . import kpis

# HIPAA Safe Harbor: these three-digit ZIP areas hold fewer than 20,000 people and become "000".
RESTRICTED_ZIP3 = {
    "036", "059", "063", "102", "203", "556", "692", "790", "821", "823", "830", "831", "878", "879", "884",
    "890", "893",
}
AGE_BANDS = [(0, 17, "under 18"), (18, 24, "18-24"), (25, 34, "25-34"), (35, 44, "35-44"), (45, 54, "45-54"),
             (55, 64, "55-64"), (65, 200, "65 and over")]

# Every column of the de-identified file: no names, phones, addresses, dates of birth, incident
# numbers, exact dates or free text. Tests check the file against this list.
DEIDENTIFIED_COLUMNS = [
    "person", "week_of_event", "age_band", "sex", "zip3", "source", "outcome", "naloxone_administered",
    "naloxone_by", "transported", "agreed_to_followup", "counted_for_contact", "attempted_within_72h",
    "reached_within_24h", "reached_within_72h", "hours_to_first_contact", "attempts", "declined",
    "linked_to_treatment_30d", "repeat_in_period",
]

IDENTIFIED_COLUMNS = [
    "event_id", "occurred_at", "team", "source", "source_incident_number", "outcome", "survivor_id",
    "legal_first_name", "legal_last_name", "preferred_name", "date_of_birth", "phone", "address", "city",
    "zip_code", "event_address", "event_zip_code", "attempted_within_72h", "reached_within_24h",
    "reached_within_72h", "first_reached_at", "attempts", "declined", "linked_to_treatment_30d",
]


class _Echo:
    def write(self, value):
        return value


def csv_response(filename, rows):
    writer = csv.writer(_Echo())
    # Names and addresses came from imports: a cell that would run as a spreadsheet formula gets an apostrophe.
    response = StreamingHttpResponse(
        (writer.writerow(safe_row(row)) for row in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def age_band(date_of_birth, age_estimate, on_day):
    if date_of_birth:
        age = on_day.year - date_of_birth.year - ((on_day.month, on_day.day) < (date_of_birth.month, date_of_birth.day))
    elif age_estimate is not None:
        age = age_estimate
    else:
        return "unknown"
    for low, high, name in AGE_BANDS:
        if low <= age <= high:
            return name
    return "unknown"


def zip3(zip_code):
    digits = (zip_code or "").strip()[:5]
    if len(digits) < 5 or not digits.isdigit():
        return ""
    return "000" if digits[:3] in RESTRICTED_ZIP3 else digits[:3]


def sex_category(value):
    value = (value or "").strip().lower()
    if not value:
        return "unknown"
    if value in ("f", "female", "woman"):
        return "female"
    if value in ("m", "male", "man"):
        return "male"
    return "other"


def _streamed(queryset):
    """The rows from a server-side cursor inside a transaction: outside one, Django declares the
    cursor WITH HOLD and PostgreSQL computes the whole result before the first row leaves."""

    with transaction.atomic():
        yield from queryset.iterator(chunk_size=2000)


def _yes_no(flag, applies=True):
    if not applies:
        return ""
    return "yes" if flag else "no"


def events_with_flags(scope, period):
    """Every event of the period (fatal and unmatched ones too) with the contact flags of the KPIs."""

    return (
        kpis.period_events(scope, period)
        .annotate(
            **kpis.contact_flags(),
            declined=kpis.declined_ever(),
            linked=kpis.linked_to_treatment(),
            counted=ExpressionWrapper(kpis.COUNTED_FOR_CONTACT, output_field=BooleanField()),
        )
        .order_by("occurred_at", "pk")
    )


def deidentified_rows(scope, period):
    yield list(DEIDENTIFIED_COLUMNS)
    people = {}
    fields = (
        "occurred_at", "survivor_id", "survivor__date_of_birth", "survivor__age_estimate", "survivor__sex",
        "zip_code", "source", "outcome", "naloxone_administered", "naloxone_by", "transported_to",
        "agreed_to_followup", "attempted_72h", "reached_72h", "reached_24h", "first_reached_at", "n_attempts",
        "declined", "linked", "counted",
    )
    # One grouped query for the people with two or more counted events, instead of one per row.
    repeat_people = set(kpis.repeat_survivor_ids(scope, period).values_list("survivor", flat=True))
    for e in _streamed(events_with_flags(scope, period).values(*fields)):
        local = timezone.localtime(e["occurred_at"])
        week = (local.date() - timedelta(days=local.weekday())).isoformat()
        person = ""
        if e["survivor_id"] is not None:
            person = people.setdefault(e["survivor_id"], f"P{len(people) + 1}")
        counted = e["counted"]
        hours = ""
        if counted and e["first_reached_at"] is not None:
            hours = round((e["first_reached_at"] - e["occurred_at"]).total_seconds() / 3600, 1)
        yield [
            person,
            week,
            age_band(e["survivor__date_of_birth"], e["survivor__age_estimate"], local.date())
            if e["survivor_id"] else "unknown",
            sex_category(e["survivor__sex"]),
            zip3(e["zip_code"]),
            e["source"],
            e["outcome"],
            _yes_no(e["naloxone_administered"]),
            e["naloxone_by"] or "",
            _yes_no(bool(e["transported_to"])),
            e["agreed_to_followup"],
            _yes_no(counted),
            _yes_no(e["attempted_72h"], counted),
            _yes_no(e["reached_24h"], counted),
            _yes_no(e["reached_72h"], counted),
            hours,
            e["n_attempts"] if counted else "",
            _yes_no(e["declined"], counted),
            _yes_no(e["linked"] and e["first_reached_at"] is not None, counted),
            _yes_no(e["survivor_id"] in repeat_people, counted),
        ]


def identified_rows(scope, period):
    yield list(IDENTIFIED_COLUMNS)
    qs = events_with_flags(scope, period).select_related("survivor", "team")
    for e in _streamed(qs):
        s = e.survivor
        counted = e.counted
        yield [
            e.pk,
            timezone.localtime(e.occurred_at).isoformat(),
            e.team.name,
            e.source,
            e.source_incident_number,
            e.outcome,
            s.pk if s else "",
            s.legal_first_name if s else "",
            s.legal_last_name if s else "",
            s.preferred_name if s else "",
            s.date_of_birth.isoformat() if s and s.date_of_birth else "",
            str(s.phone) if s and s.phone else "",
            s.address if s else "",
            s.city if s else "",
            s.zip_code if s else "",
            e.address,
            e.zip_code,
            _yes_no(e.attempted_72h, counted),
            _yes_no(e.reached_24h, counted),
            _yes_no(e.reached_72h, counted),
            timezone.localtime(e.first_reached_at).isoformat() if counted and e.first_reached_at else "",
            e.n_attempts if counted else "",
            _yes_no(e.declined, counted),
            _yes_no(e.linked and e.first_reached_at is not None, counted),
        ]


def _when(value):
    return timezone.localtime(value).isoformat() if value else ""


def _name(survivor):
    return survivor.display_name if survivor else ""


def _user(user):
    return str(user) if user else ""


DRILL_COLUMNS = {
    "events": ["event_id", "occurred_at", "team", "survivor_id", "survivor", "source", "attempted_within_72h",
               "reached_within_24h", "reached_within_72h", "first_reached_at", "attempts"],
    "people": ["survivor_id", "survivor", "team", "status", "events_in_period"],
    "attempts": ["attempt_id", "at", "event_id", "survivor_id", "survivor", "method", "outcome", "performed_by"],
    "naloxone": ["distribution_id", "given_at", "survivor_id", "survivor", "family_member", "kits", "test_strips",
                 "given_by"],
    "referrals": ["referral_id", "made_at", "survivor_id", "survivor", "family_member", "category", "status",
                  "organization", "connected_at", "admitted_on", "engaged_30d", "engaged_90d"],
    "followups": ["followup_id", "kind", "survivor_id", "survivor", "team", "assigned_to", "deadline_at", "status"],
}


def _drill_row(kind, r):
    if kind == "events":
        return [r.pk, _when(r.occurred_at), r.team.name, r.survivor_id, _name(r.survivor), r.source,
                _yes_no(r.attempted_72h), _yes_no(r.reached_24h), _yes_no(r.reached_72h),
                _when(r.first_reached_at), r.n_attempts]
    if kind == "people":
        return [r.pk, r.display_name, r.team.name, r.status, r.events_in_period]
    if kind == "attempts":
        f = r.followup
        return [r.pk, _when(r.at), f.event_id, f.survivor_id, _name(f.survivor), r.method, r.outcome,
                _user(r.performed_by)]
    if kind == "naloxone":
        return [r.pk, _when(r.given_at), r.survivor_id or "", _name(r.survivor),
                r.family_member.name if r.family_member else "", r.kits, r.test_strips, _user(r.given_by)]
    if kind == "referrals":
        return [r.pk, _when(r.made_at), r.survivor_id or "", _name(r.survivor),
                r.family_member.name if r.family_member else "", r.category, r.status, r.organization.name,
                _when(r.connected_at), r.admitted_on.isoformat() if r.admitted_on else "",
                "" if r.engaged_30d is None else _yes_no(r.engaged_30d),
                "" if r.engaged_90d is None else _yes_no(r.engaged_90d)]
    return [r.pk, r.kind, r.survivor_id or "", _name(r.survivor), r.team.name, _user(r.assigned_to),
            _when(r.deadline_at), r.status]


def drill_rows(drill, qs):
    """The rows behind a figure, identified (names): for roles allowed identified exports only."""

    yield list(DRILL_COLUMNS[drill.kind])
    for r in _streamed(qs):
        yield _drill_row(drill.kind, r)
