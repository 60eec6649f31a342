"""The numbers a supervisor sees (design.md, "definitions"), as aggregate queries.

Each selector takes a `Scope` (whose numbers) and a `Period` (whole local days) and returns
plain numbers; none loads rows into Python (the SQLite median fallback aside), so a
dashboard costs the same few queries at 100 survivors or 100,000. The querysets that
produce a number (`contact_events`, `period_naloxone`, ...) are the ones the drill-down
pages list, so the rows behind a number add up to it. Referral figures: referral_kpis.py.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from followups.models import ContactAttempt, FollowUp
from survivors.models import OverdoseEvent, Survivor

from . import stats
from .referral_kpis import referrals_by_category_and_status, treatment_figures


def _hours(n):
    return timedelta(hours=n)


# --- Per-event conditions -----------------------------------------------------------------
#
# Each event row carries what its contact attempts add up to (followups/contact_facts.py keeps
# the columns in step with the attempts), so these read the row instead of joining attempts.


def _conditional(q):
    return ExpressionWrapper(q, output_field=BooleanField())


def attempted_within(hours):
    """Any contact attempt at or before the event + `hours`."""

    # "Is not null and" keeps the negation true for events with no attempt (NOT NULL is NULL in SQL).
    return _conditional(
        Q(contact_first_attempt_at__isnull=False, contact_first_attempt_at__lte=F("occurred_at") + _hours(hours))
    )


def reached_within(hours):
    """An attempt that reached the person (engaged or declined) at or before the event + `hours`."""

    return _conditional(
        Q(contact_first_reach_at__isnull=False, contact_first_reach_at__lte=F("occurred_at") + _hours(hours))
    )


def attempted_ever():
    return _conditional(Q(contact_first_attempt_at__isnull=False))


def reached_ever():
    return _conditional(Q(contact_first_reach_at__isnull=False))


def declined_ever():
    return _conditional(Q(contact_declined=True))


def first_reached_at():
    return F("contact_first_reach_at")


def attempts_count():
    return F("contact_attempts")


def linked_to_treatment():
    """A treatment referral connected within 30 days of the event (kept on the row: facts.py says how)."""

    return _conditional(Q(treatment_linked=True))


def contact_flags():
    """The per-event answers an event list shows: attempted/reached within the windows, first reach."""

    deadline, target = settings.FOLLOWUP_DEADLINE_HOURS, settings.FOLLOWUP_TARGET_HOURS
    return {
        "attempted_72h": attempted_within(deadline),
        "reached_72h": reached_within(deadline),
        "reached_24h": reached_within(target),
        "first_reached_at": first_reached_at(),
        "n_attempts": attempts_count(),
    }


# --- The events counted ------------------------------------------------------------------


def period_events(scope, period):
    """Every event of the scope whose occurred_at falls in the period (fatal ones included)."""

    return scope.events().filter(occurred_at__gte=period.start, occurred_at__lt=period.end)


# The events the contact figures count: non-fatal, with a survivor whose record is not erased
# (as an anti-join on the few erased records, so counting needs no read of the people).
COUNTED_FOR_CONTACT = (
    Q(survivor__isnull=False)
    & ~Q(outcome=OverdoseEvent.Outcome.FATAL)
    & ~Q(survivor__in=Survivor.objects.filter(deleted_at__isnull=False).values("pk"))
)


def contact_events(scope, period):
    """The events the contact figures count: in the period, non-fatal, with a (not deleted) survivor."""

    return period_events(scope, period).filter(COUNTED_FOR_CONTACT)


def event_attempts(scope, period):
    """The contact attempts on the counted events' follow-ups, whenever they were made."""

    return ContactAttempt.objects.filter(followup__event__in=contact_events(scope, period).values("pk"))


def _people(condition=None):
    return Count("survivor", distinct=True, filter=condition)


def contact_figures(scope, period):
    """Events and people, attempted/reached within 72 h and 24 h, declined, not locatable, linked, repeat.

    Counted per person first, then over the people: one hash aggregate instead of a sort per
    COUNT(DISTINCT person) (a year's figures: 150 -> 105 ms), and the repeat count comes with it.
    """

    deadline, target = _hours(settings.FOLLOWUP_DEADLINE_HOURS), _hours(settings.FOLLOWUP_TARGET_HOURS)
    conditions = {
        "attempted_72h": Q(contact_first_attempt_at__lte=F("occurred_at") + deadline),
        "reached_72h": Q(contact_first_reach_at__lte=F("occurred_at") + deadline),
        "reached_24h": Q(contact_first_reach_at__lte=F("occurred_at") + target),
        "attempted": Q(contact_first_attempt_at__isnull=False),
        "reached": Q(contact_first_reach_at__isnull=False),
        "declined": Q(contact_declined=True),
        "linked": Q(contact_first_reach_at__isnull=False, treatment_linked=True),
    }
    per_person = {"n_events": Count("pk"), "n_attempts": Sum("contact_attempts")}
    per_person.update({f"n_{name}": Count("pk", filter=condition) for name, condition in conditions.items()})
    people = contact_events(scope, period).order_by().values("survivor").annotate(**per_person)
    aggregates = {
        "events": Coalesce(Sum("n_events"), 0),
        "people": Count("survivor"),
        "attempts": Coalesce(Sum("n_attempts"), 0),
        # Two or more counted events in the period: the people repeat_survivor_ids lists.
        "repeat_people": Count("survivor", filter=Q(n_events__gte=2)),
    }
    for name in conditions:
        if name != "linked":
            aggregates[name] = Coalesce(Sum(f"n_{name}"), 0)
        aggregates[f"{name}_people"] = Count("survivor", filter=Q(**{f"n_{name}__gt": 0}))
    figures = people.aggregate(**aggregates)
    # Attempted but never reached, for any of the person's events in the period.
    figures["not_locatable_people"] = figures["attempted_people"] - figures["reached_people"]
    if stats.in_database():
        # Unreached events have no first reach: percentile_cont leaves them out.
        figures["median_hours_to_contact"] = contact_events(scope, period).aggregate(
            median=stats.median_aggregate("occurred_at", "contact_first_reach_at")
        )["median"]
    else:
        figures["median_hours_to_contact"] = stats.median_in_python(
            contact_events(scope, period), "occurred_at", "contact_first_reach_at"
        )
    return figures


def repeat_survivor_ids(scope, period):
    """Survivors with two or more of the counted events in the period (a values queryset)."""

    return (
        contact_events(scope, period)
        .order_by()
        .values("survivor")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .values("survivor")
    )


def repeat_overdoses(scope, period):
    return repeat_survivor_ids(scope, period).count()


# --- Naloxone -------------------------------------------------------------------------


TO_SURVIVORS = Q(family_member__isnull=True, survivor__isnull=False)
TO_FAMILY = Q(family_member__isnull=False)


def period_naloxone(scope, period):
    return scope.naloxone().filter(given_at__gte=period.start, given_at__lt=period.end)


def naloxone_figures(scope, period):
    return period_naloxone(scope, period).aggregate(
        kits_total=Coalesce(Sum("kits"), 0),
        kits_survivors=Coalesce(Sum("kits", filter=TO_SURVIVORS), 0),
        kits_family=Coalesce(Sum("kits", filter=TO_FAMILY), 0),
        survivors_given=Count("survivor", distinct=True, filter=TO_SURVIVORS),
        family_given=Count("family_member", distinct=True, filter=TO_FAMILY),
    )


# --- Follow-ups now ----------------------------------------------------------------------


def open_followups(scope):
    return scope.followups().filter(status=FollowUp.Status.OPEN)


def workload_by_worker(scope, now=None):
    """Open and overdue follow-ups now, by assigned worker (None: unassigned), most overdue first."""

    now = now or timezone.now()
    rows = (
        open_followups(scope)
        .order_by()
        .values("assigned_to", "assigned_to__first_name", "assigned_to__last_name", "assigned_to__username")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(deadline_at__lt=now)))
    )
    out = []
    for row in rows:
        name = f"{row['assigned_to__first_name']} {row['assigned_to__last_name']}".strip()
        out.append(
            {
                "worker_id": row["assigned_to"],
                "worker": name or row["assigned_to__username"] or "Unassigned",
                "open": row["open"],
                "overdue": row["overdue"],
            }
        )
    out.sort(key=lambda r: (-r["overdue"], -r["open"], r["worker"]))
    return out


# --- Weekly series for the charts ----------------------------------------------------------


WEEKLY_KEYS = ("nonfatal", "nonfatal_people", "fatal", "counted", "counted_people", "reached_72h", "reached_72h_people")


def weekly_series(scope, period):
    """Per week (Monday, program time): non-fatal and fatal events, and those reached within 72 h."""

    reached_72h = Q(contact_first_reach_at__lte=F("occurred_at") + _hours(settings.FOLLOWUP_DEADLINE_HOURS))
    counted = COUNTED_FOR_CONTACT
    rows = (
        period_events(scope, period)
        .order_by()
        .annotate(week=TruncWeek("occurred_at", tzinfo=timezone.get_current_timezone()))
        .values("week")
        .annotate(
            nonfatal=Count("pk", filter=~Q(outcome=OverdoseEvent.Outcome.FATAL)),
            fatal=Count("pk", filter=Q(outcome=OverdoseEvent.Outcome.FATAL)),
            nonfatal_people=_people(~Q(outcome=OverdoseEvent.Outcome.FATAL)),
            counted=Count("pk", filter=counted),
            counted_people=_people(counted),
            reached_72h=Count("pk", filter=counted & reached_72h),
            reached_72h_people=_people(counted & reached_72h),
        )
    )
    by_week = {timezone.localtime(r["week"]).date() if hasattr(r["week"], "hour") else r["week"]: r for r in rows}
    first_monday = period.first_day - timedelta(days=period.first_day.weekday())
    weeks, day = [], first_monday
    while day <= period.last_day:
        row = by_week.get(day, {})
        weeks.append({"week": day, **{k: row.get(k, 0) for k in WEEKLY_KEYS}})
        day += timedelta(days=7)
    return weeks


@dataclass
class Snapshot:
    """Every figure of one period for one scope."""

    period: object
    contact: dict = field(default_factory=dict)
    naloxone: dict = field(default_factory=dict)
    repeat_people: int = 0
    treatment: dict = field(default_factory=dict)
    referral_totals: dict = field(default_factory=dict)
    referral_cells: dict = field(default_factory=dict)


def snapshot(scope, period):
    snap = Snapshot(
        period=period,
        contact=contact_figures(scope, period),
        naloxone=naloxone_figures(scope, period),
        treatment=treatment_figures(scope, period),
    )
    matrix = referrals_by_category_and_status(scope, period)
    snap.repeat_people = snap.contact["repeat_people"]
    snap.referral_totals = matrix["totals"]
    snap.referral_cells = matrix["cells"]
    return snap

