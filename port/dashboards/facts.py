"""The facts kept on each OverdoseEvent for the dashboards: what its contact attempts add up to
(first attempt, first reach, attempts, declined) and whether a treatment referral connected
within 30 days.

The dashboards and exports ask these of every event of a period (tens of thousands for a
year); reading them from the event row (and its covering index) instead of joining every
attempt and referral is what keeps a year's dashboard under half a second. They are derived
data: refreshed whenever an attempt, a referral, a referral status change or the event itself
is saved or deleted (signals, so the services, the admin, an erasure and the tests' factories
all keep them true), and checked against their sources every night (`repair_event_facts`),
which puts right any event a bulk write went around (a merge, an import, a restore).
"""

import logging
from datetime import timedelta

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save

from followups.models import ContactAttempt, FollowUp
from referrals.models import TREATMENT_CATEGORIES, Referral, ReferralStatusChange
from survivors.models import OverdoseEvent

logger = logging.getLogger(__name__)

LINKED_WITHIN_DAYS = 30
REPAIR_CHUNK = 5000


def linked_to_treatment():
    """A treatment referral of the event's survivor that reached `connected` within 30 days of the event.

    The referral's `connected_at` says when; a status-change row to `connected` says so too, for
    referrals whose `connected_at` was never filled in. Any team's referral counts: the fact is
    about the person, and only counts of it reach a dashboard.
    """

    window_end = OuterRef("occurred_at") + timedelta(days=LINKED_WITHIN_DAYS)
    by_field = Referral.objects.filter(
        survivor=OuterRef("survivor"),
        category__in=TREATMENT_CATEGORIES,
        connected_at__gte=OuterRef("occurred_at"),
        connected_at__lte=window_end,
    )
    by_history = ReferralStatusChange.objects.filter(
        referral__survivor=OuterRef("survivor"),
        referral__category__in=TREATMENT_CATEGORIES,
        to_status=Referral.Status.CONNECTED,
        changed_at__gte=OuterRef("occurred_at"),
        changed_at__lte=window_end,
    )
    return Exists(by_field) | Exists(by_history)


def computed_facts():
    """The facts as expressions over an OverdoseEvent queryset, computed from their sources."""

    attempts = ContactAttempt.objects.filter(followup__event=OuterRef("pk")).order_by()
    return {
        "contact_first_attempt_at": Subquery(attempts.order_by("at").values("at")[:1]),
        "contact_first_reach_at": Subquery(
            attempts.filter(outcome__in=ContactAttempt.REACHED).order_by("at").values("at")[:1]
        ),
        "contact_attempts": Coalesce(
            Subquery(attempts.values("followup__event").annotate(n=Count("pk")).values("n")[:1]), 0
        ),
        "contact_declined": Exists(attempts.filter(outcome=ContactAttempt.Outcome.REACHED_DECLINED)),
        "treatment_linked": linked_to_treatment(),
    }


def refresh_event_facts(event_ids):
    """Recompute the facts of these events (one UPDATE; none for an empty list)."""

    OverdoseEvent.objects.filter(pk__in=_known(event_ids)).update(**computed_facts())


def refresh_facts_of_survivors(survivor_ids):
    """Recompute the facts of every event of these people (after a referral or a merge changed)."""

    OverdoseEvent.objects.filter(survivor__in=_known(survivor_ids)).update(**computed_facts())


def _known(ids):
    return {pk for pk in ids if pk is not None}


def fill_event_facts_in_bulk():
    """Set every event's facts from its sources in two set-based UPDATEs (after a bulk load)."""

    reached = ContactAttempt.REACHED
    tables = {
        "event": OverdoseEvent._meta.db_table,
        "attempt": ContactAttempt._meta.db_table,
        "followup": FollowUp._meta.db_table,
    }
    # Only table names are formatted in (from the models); the values are parameters.
    sql = """
        UPDATE {event} AS e SET
            contact_first_attempt_at = t.first_attempt, contact_first_reach_at = t.first_reach,
            contact_attempts = t.n, contact_declined = t.declined
        FROM (
            SELECT f.event_id, MIN(a.at) AS first_attempt,
                   MIN(CASE WHEN a.outcome IN (%s, %s) THEN a.at END) AS first_reach,
                   COUNT(*) AS n, MAX(CASE WHEN a.outcome = %s THEN 1 ELSE 0 END) = 1 AS declined
            FROM {attempt} a JOIN {followup} f ON f.id = a.followup_id
            GROUP BY f.event_id
        ) AS t
        WHERE e.id = t.event_id
    """.format(**tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [reached[0], reached[1], ContactAttempt.Outcome.REACHED_DECLINED])
        updated = cursor.rowcount
    people_with_treatment = Referral.objects.filter(category__in=TREATMENT_CATEGORIES).values("survivor")
    OverdoseEvent.objects.filter(survivor__in=people_with_treatment).update(treatment_linked=linked_to_treatment())
    return updated


def repair_event_facts():
    """Compare every event's facts with their sources and rewrite the ones that differ.

    Each chunk of events is read with its stored facts beside the same expressions the
    refresh writes (one definition of the truth); only drifted events are written, so a
    nightly run on a correct table writes nothing. Returns how many events were wrong.
    """

    facts = computed_facts()
    truth = {f"true_{name}": expression for name, expression in facts.items()}
    last_id, repaired = 0, 0
    while True:
        rows = list(
            OverdoseEvent.objects.filter(pk__gt=last_id)
            .order_by("pk")
            .values("pk", *facts, **truth)[:REPAIR_CHUNK]
        )
        if not rows:
            return repaired
        last_id = rows[-1]["pk"]
        drifted = [row["pk"] for row in rows if any(row[name] != row[f"true_{name}"] for name in facts)]
        if drifted:
            refresh_event_facts(drifted)
            repaired += len(drifted)
            logger.warning("Dashboard facts were out of step for %d events; rewritten.", len(drifted))


# --- Keeping them in step ----------------------------------------------------------------


def _event_of(attempt):
    if ContactAttempt.followup.is_cached(attempt):
        return attempt.followup.event_id
    return FollowUp.objects.filter(pk=attempt.followup_id).values_list("event_id", flat=True).first()


def _attempt_changed(sender, instance, raw=False, **kwargs):
    # After a delete the follow-up may be going too (an erasure): then there is no event to refresh.
    if not raw:
        refresh_event_facts([_event_of(instance)])


def _event_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    watched = {"occurred_at", "survivor"}
    if not raw and (update_fields is None or watched & set(update_fields)):
        refresh_event_facts([instance.pk])


def _referral_changed(sender, instance, raw=False, **kwargs):
    # Any referral: a category changed away from treatment unlinks too.
    if not raw:
        refresh_facts_of_survivors([instance.survivor_id])


def _status_change_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        survivor_id = Referral.objects.filter(pk=instance.referral_id).values_list("survivor", flat=True).first()
        refresh_facts_of_survivors([survivor_id])


def connect_signals():
    for signal in (post_save, post_delete):
        name = "saved" if signal is post_save else "deleted"
        signal.connect(_attempt_changed, sender=ContactAttempt, dispatch_uid=f"facts_attempt_{name}")
        signal.connect(_referral_changed, sender=Referral, dispatch_uid=f"facts_referral_{name}")
        signal.connect(_status_change_changed, sender=ReferralStatusChange, dispatch_uid=f"facts_status_{name}")
    post_save.connect(_event_saved, sender=OverdoseEvent, dispatch_uid="facts_event_saved")
