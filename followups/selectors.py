"""Read queries for follow-ups that several pages share (each a fixed number of queries)."""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from port.accounts.scoping import get_visible_or_404

from .models import ContactAttempt, FollowUp


def _count_of(attempts):
    """A per-row count as a correlated subquery: no join and no GROUP BY, so a page's LIMIT applies
    before anything is counted (a join made the team worklist aggregate every open follow-up)."""

    counted = attempts.order_by().values("followup").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_attempt_summary(qs):
    """Annotate each follow-up with its attempt count and its latest attempt's outcome and time."""

    attempts = ContactAttempt.objects.filter(followup=OuterRef("pk"))
    latest = attempts.order_by("-at", "-id")
    return qs.annotate(
        attempt_count=_count_of(attempts),
        unreached_count=_count_of(attempts.exclude(outcome__in=ContactAttempt.REACHED)),
        last_outcome=Subquery(latest.values("outcome")[:1]),
        last_attempt_at=Subquery(latest.values("at")[:1]),
    )


def _worklist_rows(qs):
    """What a worklist row shows: the person (not their clinical notes, which would be decrypted for
    nothing), the worker and the attempts; soonest deadline first, so overdue rows lead page 1."""

    rows = qs.select_related("survivor", "assigned_to").defer("survivor__notes")
    return with_attempt_summary(rows).order_by("deadline_at", "id")


def visible_open_followups(user):
    return FollowUp.objects.visible_to(user).open()


def my_open_followups(user):
    return visible_open_followups(user).filter(assigned_to=user)


def open_followups_for(user):
    """The user's own open follow-ups, soonest deadline first."""

    return _worklist_rows(my_open_followups(user))


def open_counts(followups, now=None):
    """How many open follow-ups there are and how many of them are overdue, in one query."""

    now = now or timezone.now()
    return followups.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(deadline_at__lt=now)))


def team_open_followups(user):
    return _worklist_rows(visible_open_followups(user))


def team_followups(user, *, worker=None, unassigned=False, status=FollowUp.Status.OPEN, overdue=False,
                   proposed=False, escalated=False):
    """The coordinator's team worklist with its filters."""

    qs = FollowUp.objects.visible_to(user)
    if status:
        qs = qs.filter(status=status)
    if unassigned:
        qs = qs.filter(assigned_to__isnull=True)
    elif worker is not None:
        qs = qs.filter(assigned_to=worker)
    if overdue:
        qs = qs.filter(status=FollowUp.Status.OPEN, deadline_at__lt=timezone.now())
    if proposed:
        qs = qs.filter(status=FollowUp.Status.OPEN, closing_proposed_at__isnull=False)
    if escalated:
        qs = qs.filter(escalated_at__isnull=False)
    return _worklist_rows(qs)


def partner_visits(user):
    """The partner's list: open follow-ups and their visits only (outcome and time, nothing clinical)."""

    visits = ContactAttempt.objects.filter(method=ContactAttempt.Method.VISIT).only(
        "id", "followup_id", "at", "outcome", "method"
    ).order_by("-at")
    return (
        visible_open_followups(user)
        .select_related("survivor", "assigned_to")
        .defer("survivor__notes")
        .prefetch_related(Prefetch("attempts", queryset=visits, to_attr="visits"))
        .order_by("deadline_at", "id")
    )


def followup_detail(user, pk):
    """One follow-up with everything its page shows, in a fixed number of queries."""

    attempts = ContactAttempt.objects.select_related("performed_by").prefetch_related(
        "team_members", "family_members_met"
    ).order_by("-at", "-id")
    qs = FollowUp.objects.select_related("survivor", "event", "assigned_to", "team", "parent").prefetch_related(
        Prefetch("attempts", queryset=attempts),
        Prefetch("checkins", queryset=FollowUp.objects.select_related("assigned_to").order_by("target_at")),
    )
    return get_visible_or_404(qs, user, pk=pk)


def _with_attempts(followups):
    """Newest first, each with its attempts and who made them (three queries, however many)."""

    return followups.select_related("assigned_to").prefetch_related("attempts__performed_by").order_by("-target_at")


def survivor_followups(survivor, *, since=None):
    """The follow-ups on a survivor's page: all of them, or with `since` the open ones and those
    due since then (a long history shows its recent part)."""

    followups = FollowUp.objects.filter(survivor=survivor)
    if since is not None:
        followups = followups.filter(Q(status=FollowUp.Status.OPEN) | Q(target_at__gte=since))
    return _with_attempts(followups)


def followups_of_events(survivor, events, *, with_unattached):
    """The survivor's follow-ups of these events, for a page of their history; `with_unattached` adds
    those tied to none of the person's events (referral checks), so each follow-up is on one page."""

    of_events = Q(event__in=events)
    if with_unattached:
        of_events |= ~Q(event__survivor=survivor)
    return _with_attempts(FollowUp.objects.filter(survivor=survivor).filter(of_events))
