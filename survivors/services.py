"""Writes for intake: survivors and overdose events. Views, imports, tasks and tests call these."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from port.audit.services import record_event

from .models import OverdoseEvent, Survivor

# Filled from the merged record only where the kept one is blank.
MERGE_FILL_FIELDS = (
    "preferred_name", "date_of_birth", "age_estimate", "sex", "gender", "race", "ethnicity", "phone", "address",
    "city", "zip_code", "housing_status", "insurance", "preferred_contact_method", "safe_contact_times",
)


def _changed_fields(obj, fields):
    return sorted(name for name, value in fields.items() if getattr(obj, name) != value)


@transaction.atomic
def create_survivor(*, by, team, request=None, **fields):
    survivor = Survivor(team=team, created_by=by, updated_by=by, **fields)
    survivor.full_clean(exclude=["team"])
    survivor.save()
    record_event(request, "create", survivor, user=by)
    return survivor


@transaction.atomic
def update_survivor(survivor, *, by, request=None, **fields):
    """Change a person's details; the audit names the fields changed, never their values."""

    changed = _changed_fields(survivor, fields)
    for name, value in fields.items():
        setattr(survivor, name, value)
    survivor.updated_by = by
    survivor.full_clean(exclude=["team", "merged_into"])
    survivor.save()
    if changed:
        record_event(request, "change", survivor, user=by, detail="changed " + ", ".join(changed))
    return survivor


@transaction.atomic
def record_overdose_event(*, by, team, survivor=None, request=None, **fields):
    """Save an event and start the clock: a follow-up for a survivor, family support for a death."""

    from followups.services import open_followups_for_event

    event = OverdoseEvent(team=team, survivor=survivor, created_by=by, updated_by=by, **fields)
    event.save()
    record_event(request, "create", event, user=by)
    if survivor is not None:
        _apply_event_to_survivor(survivor, event)
    open_followups_for_event(event, by=by)
    return event


def _apply_event_to_survivor(survivor, event):
    if event.is_fatal and survivor.status != Survivor.Status.DECEASED:
        survivor.status = Survivor.Status.DECEASED
        survivor.save(update_fields=["status", "updated_at"])
    flag_repeat_overdose(survivor, event)


def flag_repeat_overdose(survivor, event):
    """A second event within REPEAT_OVERDOSE_DAYS (either side of this one) flags the survivor."""

    window = timedelta(days=settings.REPEAT_OVERDOSE_DAYS)
    others = survivor.events.exclude(pk=event.pk).filter(
        occurred_at__gte=event.occurred_at - window, occurred_at__lte=event.occurred_at + window
    )
    if others.exists() and not survivor.high_risk:
        survivor.high_risk = True
        survivor.high_risk_reason = repeat_reason()
        survivor.save(update_fields=["high_risk", "high_risk_reason", "updated_at"])
        return True
    return False


def repeat_reason():
    return f"Repeat overdose within {settings.REPEAT_OVERDOSE_DAYS} days"


def has_repeat_within_window(occurrences):
    """True when two of the datetimes lie within REPEAT_OVERDOSE_DAYS of each other."""

    window = timedelta(days=settings.REPEAT_OVERDOSE_DAYS)
    ordered = sorted(occurrences)
    return any(later - earlier <= window for earlier, later in zip(ordered, ordered[1:], strict=False))


@transaction.atomic
def attach_event(event, survivor, *, by, request=None):
    """Resolve an unmatched event: it now belongs to this person, and their follow-up opens."""

    from followups.models import FollowUp
    from followups.services import open_followups_for_event

    event = OverdoseEvent.objects.select_for_update().get(pk=event.pk)
    if event.survivor_id is not None:
        raise ValidationError("This event is already attached to a person.")
    event.survivor = survivor
    event.updated_by = by
    event.save(update_fields=["survivor", "updated_by", "updated_at"])
    # A fatal event opened family support before anyone knew who it was.
    FollowUp.objects.filter(event=event, survivor__isnull=True).update(survivor=survivor)
    record_event(request, "change", event, user=by, detail=f"attached to survivor {survivor.pk}")
    _apply_event_to_survivor(survivor, event)
    open_followups_for_event(event, by=by)
    return event


def _related_rows(survivor):
    """Every relation that points at a survivor, whichever app declares it."""

    for rel in Survivor._meta.related_objects:
        if rel.many_to_many or not rel.field.concrete:
            continue
        yield rel.related_model, rel.field.name


@transaction.atomic
def merge_survivors(keep, merge, *, by, request=None):
    """Fold `merge` into `keep`: every row that points at it moves over; nothing is deleted.

    Events, family members, consents, naloxone, follow-ups, messages, referrals and any other
    app's rows move; blank details of `keep` are filled from `merge`; notes are appended;
    the merged record stays as a pointer (merged_into) and both are audited.
    """

    if not by.coordinates:
        raise PermissionDenied("Only coordinators, supervisors and admins merge records.")
    if keep.pk == merge.pk:
        raise ValidationError("Choose two different people to merge.")
    keep, merge = (Survivor.objects.select_for_update().get(pk=s.pk) for s in (keep, merge))
    if not (keep.is_active_record and merge.is_active_record):
        raise ValidationError("A deleted or already merged record cannot be merged.")

    moved = {}
    for model, field_name in _related_rows(merge):
        count = model._base_manager.filter(**{field_name: merge}).update(**{field_name: keep})
        if count:
            moved[model._meta.model_name] = count

    for name in MERGE_FILL_FIELDS:
        if not getattr(keep, name) and getattr(merge, name):
            setattr(keep, name, getattr(merge, name))
    if merge.phone and merge.phone not in (keep.phone, keep.phone_alt) and not keep.phone_alt:
        keep.phone_alt = merge.phone
    if merge.notes:
        keep.notes = "\n\n".join(filter(None, [keep.notes, f"[From merged record {merge.pk}]\n{merge.notes}"]))
    if merge.high_risk and not keep.high_risk:
        keep.high_risk, keep.high_risk_reason = True, merge.high_risk_reason
    if not keep.high_risk and has_repeat_within_window(keep.events.values_list("occurred_at", flat=True)):
        keep.high_risk, keep.high_risk_reason = True, repeat_reason()
    keep.updated_by = by
    keep.save()

    merge.merged_into = keep
    merge.updated_by = by
    merge.save(update_fields=["merged_into", "updated_by", "updated_at"])
    # The moved rows went around the signals: one person's events may now be linked by the other's referrals.
    from port.dashboards.facts import refresh_facts_of_survivors

    refresh_facts_of_survivors([keep.pk])

    summary = ", ".join(f"{n} {name}" for name, n in sorted(moved.items())) or "no rows"
    record_event(request, "merge", keep, user=by, detail=f"kept {keep.pk}, merged {merge.pk} in: moved {summary}")
    record_event(request, "merge", merge, user=by, detail=f"merged into {keep.pk}")
    return keep


@transaction.atomic
def soft_delete_survivor(survivor, *, by, request=None, reason=""):
    """Hide a person everywhere (admins only); the row and its history stay, audited."""

    if by.role != "admin":
        raise PermissionDenied("Only admins delete a person's record.")
    survivor.deleted_at = timezone.now()
    survivor.updated_by = by
    survivor.save(update_fields=["deleted_at", "updated_by", "updated_at"])
    record_event(request, "delete", survivor, user=by, detail=f"soft delete: {reason}"[:300])
    return survivor
