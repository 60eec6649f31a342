"""Writes of the CSV import: upload, mapping, preview, and the resumable, chunked import itself.

The import runs in chunks, each in its own transaction that also advances the batch's
progress, so a worker killed half-way resumes where it stopped and a page polling the
batch sees the progress. Rows already imported (same source and incident number) are
skipped and counted. Each row is matched (matching.CandidatePool): an unambiguous exact
match attaches it, a probable match leaves it unmatched for the coordinator, no match at
all creates the person. Events then follow the form's rules: follow-ups open, repeat
overdoses are flagged, a fatal event marks the person deceased.
"""

import logging
from dataclasses import replace

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from port.accounts.notify import notify_user
from port.audit.services import record_event
from port.csvfiles import decode, too_big

from . import importing
from .bulk import audit_created, open_followups_in_bulk
from .matching import CandidatePool
from .models import ImportBatch, ImportMapping, OverdoseEvent, Survivor
from .services import has_repeat_within_window, repeat_reason

logger = logging.getLogger(__name__)

_COUNTS = ["created_events", "duplicate_rows", "error_rows", "new_survivors", "matched_rows", "unmatched_rows"]


@transaction.atomic
def start_import(*, by, team, source, uploaded_file, request=None):
    """Read an upload into a new batch, with a first guess at the column mapping."""

    if refusal := too_big(uploaded_file.size, settings.IMPORT_MAX_BYTES):
        raise importing.ImportRefused(refusal)
    text, encoding = decode(uploaded_file.read())
    header, _rows = importing.read_table(text)
    saved = ImportMapping.objects.filter(team=team, source=source).first()
    batch = ImportBatch.objects.create(
        team=team, source=source, file_name=(uploaded_file.name or "")[:200], content=text, encoding=encoding,
        headers=header, mapping=importing.guess_mapping(header, saved.columns if saved else None), created_by=by,
    )
    record_event(request, "create", batch, user=by, detail=f"uploaded, {encoding}")
    return batch


def read_batch(batch, mapping=None):
    header, rows = importing.read_table(batch.content)
    return importing.validate_rows(header, rows, mapping if mapping is not None else batch.mapping)


@transaction.atomic
def save_mapping(batch, mapping, *, by):
    """Use this mapping for the batch, and remember it for the next file from the same source."""

    batch.mapping = {name: column for name, column in mapping.items() if column}
    batch.status = ImportBatch.Status.PREVIEWED
    batch.save(update_fields=["mapping", "status"])
    ImportMapping.objects.update_or_create(
        team=batch.team, source=batch.source, defaults={"columns": batch.mapping, "updated_by": by}
    )
    return batch


def existing_incidents(source, numbers):
    found = set()
    numbers = sorted(set(numbers))
    for start in range(0, len(numbers), 5000):
        found.update(
            OverdoseEvent.objects.filter(source=source, source_incident_number__in=numbers[start:start + 5000])
            .values_list("source_incident_number", flat=True)
        )
    return found


@transaction.atomic
def queue_import(batch, *, by, request=None):
    """Mark the batch to import and hand it to the worker once this commits."""

    from .tasks import import_batch

    batch.status = ImportBatch.Status.QUEUED
    batch.save(update_fields=["status"])
    record_event(request, "import", batch, user=by, detail="queued")
    transaction.on_commit(lambda: import_batch.delay(batch.pk))
    return batch


def run_import(batch_id):
    """Import a batch to the end (or on from where a previous run stopped). Safe to run twice."""

    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.is_finished:
        return batch
    validated = read_batch(batch)
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if batch.is_finished:
            return batch
        batch.status = ImportBatch.Status.RUNNING
        batch.failure = ""
        if batch.started_at is None:  # a first run; a resumed one keeps its counts and goes on
            batch.started_at = timezone.now()
            batch.total_rows = len(validated.rows)
            batch.error_rows = len(validated.bad_rows)
            batch.duplicate_rows = validated.in_file_duplicates
            batch.errors = [vars(e) for e in validated.errors]
            batch.bad_rows = validated.bad_rows
        batch.save(update_fields=["status", "failure", "started_at", *_COUNTS, "total_rows", "errors", "bad_rows"])
    while True:
        for attempt in range(3):
            try:
                done = _import_next_chunk(batch_id, validated.rows)
                break
            except IntegrityError:
                # The same incident saved meanwhile (the form): the retry sees it as a duplicate.
                if attempt == 2:
                    raise
        if done:
            break
    return _finish(batch_id)


@transaction.atomic
def _import_next_chunk(batch_id, rows):
    batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
    start = batch.processed_rows
    chunk = rows[start:start + settings.IMPORT_CHUNK_ROWS]
    if batch.is_finished or not chunk:
        return True
    counts = _import_rows(batch, chunk)
    batch.processed_rows = start + len(chunk)
    for name, n in counts.items():
        setattr(batch, name, getattr(batch, name) + n)
    batch.save(update_fields=["processed_rows", *_COUNTS])
    return False


def _import_rows(batch, chunk):
    """One chunk, in bulk: skip known incidents, match or create people, save events, open follow-ups."""

    by, team = batch.created_by, batch.team
    known = existing_incidents(batch.source, [r.incident_number for r in chunk])
    rows = [r for r in chunk if r.incident_number not in known]
    identities = {r.row: r.identity for r in rows}

    pool = CandidatePool()
    pool.load(identities.values(), Survivor.objects.active().filter(team=team))
    new_people = {}  # temporary (negative) id -> Survivor to create
    survivor_for = {}  # row number -> survivor id (real or temporary); absent: unmatched
    matched = 0
    for row in rows:
        identity = identities[row.row]
        matches = pool.matches(identity) if (identity.last or identity.phones) else []
        exact = [m for m in matches if m.is_exact]
        if len(exact) == 1:
            survivor_for[row.row] = exact[0].survivor_id
            matched += exact[0].survivor_id > 0
        elif identity.has_name and not any(m.is_probable for m in matches):
            temp_id = -len(new_people) - 1
            new_people[temp_id] = _new_survivor(row, team, by)
            pool.add(replace(identity, survivor_id=temp_id))
            survivor_for[row.row] = temp_id

    created = list(new_people.values())
    for survivor in created:
        survivor.refresh_search_fields()
    Survivor.objects.bulk_create(created, batch_size=1000)
    real_id = {temp: s.pk for temp, s in new_people.items()}

    events = []
    for row in rows:
        sid = survivor_for.get(row.row)
        sid = real_id.get(sid, sid)
        events.append(
            OverdoseEvent(
                team=team, survivor_id=sid, source=batch.source, source_incident_number=row.incident_number,
                import_batch=batch, created_by=by, updated_by=by,
                reported_person=_reported(row) if sid is None else {}, **row.event,
            )
        )
    OverdoseEvent.objects.bulk_create(events, batch_size=1000)
    # bulk_create sends no signals: a known person's referral may already link an imported event.
    from port.dashboards.facts import refresh_event_facts

    refresh_event_facts(e.pk for e in events if e.survivor_id)
    _apply_events_to_people(events)
    open_followups_in_bulk(events, by=by)
    audit_created(created, by=by, detail=f"import {batch.pk}")
    audit_created(events, by=by, detail=f"import {batch.pk}")
    return {
        "created_events": len(events),
        "duplicate_rows": len(chunk) - len(rows),
        "new_survivors": len(created),
        "matched_rows": matched,
        "unmatched_rows": sum(1 for e in events if e.survivor_id is None),
    }


def _new_survivor(row, team, by):
    p, e = row.person, row.event
    at_home = e.get("place_type", "").lower() in ("", "home", "residence", "house", "apartment")
    return Survivor(
        team=team, legal_first_name=p["first_name"], legal_last_name=p["last_name"],
        date_of_birth=p.get("date_of_birth"), age_estimate=p.get("age_estimate"), sex=p.get("sex", ""),
        phone=p["phone"] if p.get("phone") is not None else "", address=e.get("address", "") if at_home else "",
        zip_code=e.get("zip_code", "") if at_home else "", created_by=by, updated_by=by,
    )


def _reported(row):
    p = row.person
    return {
        "first_name": p.get("first_name", ""), "last_name": p.get("last_name", ""),
        "date_of_birth": p["date_of_birth"].isoformat() if p.get("date_of_birth") else "",
        "phone": p["phone"].as_e164 if p.get("phone") is not None else "", "sex": p.get("sex", ""),
        "age_estimate": p.get("age_estimate"),
    }


def _apply_events_to_people(events):
    """As record_overdose_event does per event: fatal marks deceased; two events in the window flag."""

    ids = {e.survivor_id for e in events if e.survivor_id}
    if not ids:
        return
    fatal = {e.survivor_id for e in events if e.survivor_id and e.is_fatal}
    if fatal:
        Survivor.objects.filter(pk__in=fatal).exclude(status=Survivor.Status.DECEASED).update(
            status=Survivor.Status.DECEASED, updated_at=timezone.now()
        )
    times = {}
    for sid, at in OverdoseEvent.objects.filter(survivor_id__in=ids).values_list("survivor_id", "occurred_at"):
        times.setdefault(sid, []).append(at)
    repeat = [sid for sid, ats in times.items() if has_repeat_within_window(ats)]
    if repeat:
        Survivor.objects.filter(pk__in=repeat, high_risk=False).update(
            high_risk=True, high_risk_reason=repeat_reason(), updated_at=timezone.now()
        )


def _finish(batch_id):
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status == ImportBatch.Status.DONE:
            return batch
        batch.status = ImportBatch.Status.DONE
        batch.finished_at = timezone.now()
        batch.content = ""  # the imported data now lives in its rows; bad rows are kept to fix
        batch.save()
        record_event(
            None, "import", batch, user=batch.created_by,
            detail=(
                f"{batch.created_events} events, {batch.duplicate_rows} duplicates skipped, "
                f"{batch.error_rows} bad rows, {batch.new_survivors} new people, {batch.unmatched_rows} unmatched"
            ),
        )
        assigned = (
            OverdoseEvent.objects.filter(import_batch=batch, followups__assigned_to__isnull=False)
            .values("followups__assigned_to").annotate(n=Count("followups"))
        )
        from port.accounts.models import User

        users = User.objects.in_bulk([a["followups__assigned_to"] for a in assigned])
        for a in assigned:
            notify_user(
                users[a["followups__assigned_to"]], key=f"import:{batch.pk}:assigned:{a['followups__assigned_to']}",
                text=f"{a['n']} new follow-up(s) from an import were assigned to you.",
                url=reverse("followups:worklist"),
            )
    return batch


def mark_failed(batch_id, message):
    ImportBatch.objects.filter(pk=batch_id).exclude(status=ImportBatch.Status.DONE).update(
        status=ImportBatch.Status.FAILED, failure=message[:300], finished_at=timezone.now()
    )
