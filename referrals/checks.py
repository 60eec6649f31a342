"""Check-ins that keep referrals closed-loop: a stale open referral, and "still engaged?" at 30 and 90 days.

The sweep (`referrals.tasks.check_stale_referrals`) calls `open_referral_checks`. Each check is a
`ReferralCheck` row whose unique (referral, key) makes it happen once, however often the sweep
runs; the follow-up it opens lands on the worklist like any other.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from port.audit.services import record_event

from .models import TREATMENT_CATEGORIES, Referral, ReferralCheck

ENGAGEMENT_DAYS = (30, 90)


def stale_key(referral, now):
    """One key per stale period since the last status change: 7 days -> period 1, 14 -> 2, ..."""

    period = (now - referral.status_changed_at) // timedelta(days=settings.STALE_REFERRAL_DAYS)
    return f"stale:{referral.status_changed_at:%Y%m%dT%H%M%S}:{period}"


def check_question(key):
    """What the worker is asked to find out, for the worklist and the referral page."""

    if key.startswith("engaged:"):
        return f"Still engaged in treatment at {key.split(':')[1]} days?"
    return f"No change in {settings.STALE_REFERRAL_DAYS} days or more: check in on this referral."


def _without_open_check(queryset):
    from followups.models import FollowUp

    open_check = FollowUp.objects.filter(
        referral=OuterRef("pk"), kind=FollowUp.Kind.REFERRAL_CHECK, status=FollowUp.Status.OPEN
    )
    return queryset.filter(~Exists(open_check))


def open_referral_checks(now=None):
    """Open every check-in that is due now; returns the follow-ups created (none on a second run)."""

    now = now or timezone.now()
    batch = settings.SWEEP_BATCH_SIZE
    related = ("family_member", "made_by", "team")
    created = []

    period = timedelta(days=settings.STALE_REFERRAL_DAYS)
    # At most one stale check per referral per period, even when the last one was closed quickly.
    recent_check = ReferralCheck.objects.filter(
        referral=OuterRef("pk"), key__startswith="stale:", created_at__gt=now - period
    )
    stale = _without_open_check(
        Referral.objects.open().filter(status_changed_at__lte=now - period).filter(~Exists(recent_check))
    ).select_related(*related).order_by("status_changed_at")
    for referral in stale[:batch]:
        followup = open_check(referral, stale_key(referral, now), now=now)
        if followup:
            created.append(followup)

    for days in ENGAGEMENT_DAYS:
        due = _without_open_check(
            Referral.objects.filter(
                status=Referral.Status.CONNECTED,
                category__in=TREATMENT_CATEGORIES,
                connected_at__lte=now - timedelta(days=days),
                **{f"engaged_{days}d__isnull": True},
            ).exclude(checks__key=f"engaged:{days}")
        ).select_related(*related).order_by("connected_at")
        for referral in due[:batch]:
            followup = open_check(referral, f"engaged:{days}", now=now)
            if followup:
                created.append(followup)
    return created


def open_check(referral, key, *, now=None):
    """Open one check-in follow-up for `key`, unless it was opened before. Returns it or None."""

    from followups.models import FollowUp
    from followups.services import schedule_clock

    now = now or timezone.now()
    with transaction.atomic():
        check, was_created = ReferralCheck.objects.get_or_create(referral=referral, key=key)
        if not was_created:
            return None
        followup = FollowUp.objects.create(
            kind=FollowUp.Kind.REFERRAL_CHECK,
            referral=referral,
            survivor_id=referral.case_survivor_id,
            team=referral.team,
            assigned_to=check_assignee(referral),
            target_at=now,
            deadline_at=now + timedelta(days=settings.CHECKIN_WINDOW_DAYS),
        )
        schedule_clock(followup)
        check.followup = followup
        check.save(update_fields=["followup"])
        record_event(None, "create", followup, detail=f"referral check {key.split(':')[0]}")
    return followup


def check_assignee(referral):
    """Whoever made the referral if they are still on the team, else the survivor's last assignee."""

    from followups.models import FollowUp

    maker = referral.made_by
    if maker is not None and maker.is_active and referral.team_id in maker.team_ids():
        return maker
    last = (
        FollowUp.objects.filter(survivor_id=referral.case_survivor_id, assigned_to__is_active=True)
        .exclude(assigned_to=None)
        .select_related("assigned_to")
        .order_by("-created_at")
        .first()
    )
    return last.assigned_to if last else None
