"""Retention: closed cases older than RETENTION_YEARS are purged; the audit log is kept.

A *closed case* is a survivor whose status is closed, deceased, moved or declined (or whose
record was deleted), who is not merged into another record, and on whose case nothing
happened within the retention period: no change to the record, no event, follow-up, contact
attempt, referral, message, consent, naloxone or family-member change newer than the cutoff.
Purging deletes the survivor, the duplicates merged into it, and every row that hangs on
them (events, follow-ups, attempts, referrals, messages, consents, family members, naloxone,
break-glass grants); it writes one `purge` audit row per case in the same transaction. Audit
rows are never deleted: they keep the record number, not the person.

Event rows never matched to a person, messages to unknown numbers and import batches older
than the cutoff go too: they hold personal data and no case keeps them.
"""

import logging

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from port.audit.services import record_event

from .models import BreakGlassGrant

logger = logging.getLogger(__name__)

CLOSED_STATUSES = ("closed", "deceased", "moved", "declined")

# (model, lookup to the survivor, time fields): activity on any of these keeps a case.
ACTIVITY = [
    ("survivors.OverdoseEvent", "survivor", ("occurred_at", "created_at", "updated_at")),
    ("survivors.FamilyMember", "survivor", ("created_at", "updated_at")),
    ("survivors.Consent", "survivor", ("given_at", "revoked_at", "updated_at")),
    ("survivors.NaloxoneDistribution", "survivor", ("given_at",)),
    ("followups.FollowUp", "survivor", ("created_at", "closed_at", "deadline_at")),
    ("followups.ContactAttempt", "followup__survivor", ("at",)),
    ("referrals.Referral", "survivor", ("made_at", "status_changed_at")),
    ("messaging.Message", "survivor", ("created_at",)),
]


def retention_cutoff(now=None):
    now = now or timezone.now()
    years = settings.RETENTION_YEARS
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def expired_survivors(cutoff):
    """Survivors whose case is closed and untouched since `cutoff` (see the module docstring)."""

    Survivor = apps.get_model("survivors", "Survivor")
    closed = Q(status__in=CLOSED_STATUSES) | Q(deleted_at__isnull=False)
    qs = Survivor.objects.filter(closed, merged_into__isnull=True, updated_at__lt=cutoff, created_at__lt=cutoff)
    for label, path, fields in ACTIVITY:
        model = apps.get_model(label)
        recent = Q()
        for field in fields:
            recent |= Q(**{f"{field}__gte": cutoff})
        qs = qs.filter(~Exists(model._base_manager.filter(recent, **{path: OuterRef("pk")})))
    return qs


def _case_rows(model, pks, seen):
    """(model, pks) of every row that points at these rows, deepest first: a case's whole tree."""

    for rel in model._meta.related_objects:
        if not (rel.one_to_many or rel.one_to_one):
            continue  # many-to-many link rows go with either side
        related = rel.related_model
        found = related._base_manager.filter(**{f"{rel.field.name}__in": pks}).values_list("pk", flat=True)
        new = [pk for pk in found if (related, pk) not in seen]
        if new:
            seen.update((related, pk) for pk in new)
            yield from _case_rows(related, new, seen)
            yield related, new


def _delete_tree(model, pks):
    seen = {(model, pk) for pk in pks}
    for related, related_pks in list(_case_rows(model, pks, seen)):
        related._base_manager.filter(pk__in=related_pks).delete()
    model._base_manager.filter(pk__in=pks).delete()


def purge_case(survivor_id, cutoff):
    """Purge one closed case if it is still expired (re-checked under a row lock); True if purged."""

    Survivor = apps.get_model("survivors", "Survivor")
    with transaction.atomic():
        survivor = expired_survivors(cutoff).select_for_update(of=("self",)).filter(pk=survivor_id).first()
        if survivor is None:
            return False
        ids = [survivor.pk]
        while True:  # duplicates merged into the case (and into those), whatever their status
            more = list(
                Survivor._base_manager.filter(merged_into__in=ids).exclude(pk__in=ids).values_list("pk", flat=True)
            )
            if not more:
                break
            ids += more
        record_event(
            None, "purge", survivor,
            detail=f"retention: closed case, no activity since {cutoff:%Y-%m-%d}; {len(ids) - 1} merged duplicate(s)",
        )
        Survivor._base_manager.filter(pk__in=ids).update(merged_into=None)
        _delete_tree(Survivor, ids)
        BreakGlassGrant.objects.filter(survivor_id__in=ids).delete()
    return True


def purge_unlinked_rows(cutoff):
    """Old rows that belong to no case: unmatched events, messages to unknown numbers, imports."""

    counts = {}
    for label, old in (
        ("survivors.OverdoseEvent", Q(survivor__isnull=True, occurred_at__lt=cutoff, created_at__lt=cutoff)),
        ("messaging.Message", Q(survivor__isnull=True, created_at__lt=cutoff)),
        ("survivors.ImportBatch", Q(created_at__lt=cutoff)),
    ):
        model = apps.get_model(label)
        with transaction.atomic():
            pks = list(model._base_manager.filter(old).values_list("pk", flat=True))
            if pks:
                _delete_tree(model, pks)
                record_event(None, "purge", detail=f"retention: {len(pks)} {model._meta.verbose_name_plural} unlinked")
        counts[label] = len(pks)
    return counts


def purge_expired_cases(now=None, batch_size=200):
    """Purge every expired case, one short transaction each; returns what was purged."""

    cutoff = retention_cutoff(now)
    purged = 0
    skipped = set()
    while True:
        batch = list(expired_survivors(cutoff).exclude(pk__in=skipped).values_list("pk", flat=True)[:batch_size])
        if not batch:
            break
        for survivor_id in batch:
            if purge_case(survivor_id, cutoff):
                purged += 1
            else:
                skipped.add(survivor_id)
    unlinked = purge_unlinked_rows(cutoff)
    logger.info("retention purge: %s case(s) closed before %s", purged, cutoff.date())
    return {"cases": purged, "cutoff": cutoff, **unlinked}

