"""A small known dataset whose every KPI is worked out by hand (see the comments beside each row).

The period under test is March 1-14, 2026 (program time, America/New_York; daylight saving
starts on March 8 inside it); the previous period of equal length is February 15-28.
"""

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.utils import timezone

from followups.models import ContactAttempt, FollowUp
from port.accounts.roles import Role
from port.dashboards.periods import Period
from referrals.models import ReferralStatusChange
from survivors.models import NaloxoneDistribution, OverdoseEvent
from tests.factories import (
    ContactAttemptFactory,
    FamilyMemberFactory,
    FollowUpFactory,
    OrganizationFactory,
    OverdoseEventFactory,
    ReferralFactory,
    SurvivorFactory,
)

NOW = datetime(2026, 5, 1, 12, 0)
PERIOD = Period(date(2026, 3, 1), date(2026, 3, 14))
PREVIOUS = Period(date(2026, 2, 15), date(2026, 2, 28))

REACHED = ContactAttempt.Outcome.REACHED_ENGAGED
DECLINED = ContactAttempt.Outcome.REACHED_DECLINED


def local(month, day, hour=0, minute=0):
    """A wall-clock time in the program's zone, as UTC so that adding hours adds real hours."""

    return timezone.make_aware(datetime(2026, month, day, hour, minute)).astimezone(UTC)


@pytest.fixture
def now():
    with time_machine.travel(timezone.make_aware(NOW), tick=False):
        yield timezone.now()


def _survivor(team, first, last, n, **extra):
    return SurvivorFactory(
        team=team,
        legal_first_name=first,
        legal_last_name=last,
        phone=f"+1202555{n:04d}",
        address=f"{100 + n} Quillfeather Lane",
        date_of_birth=date(1970 + n, 1 + n % 12, 1 + n),
        zip_code="45011",
        **extra,
    )


def _event(survivor, when, team=None, **extra):
    team = team or survivor.team
    return OverdoseEventFactory(survivor=survivor, team=team, occurred_at=when, zip_code="45011",
                                address="1 Overdose Scene Rd", **extra)


def _followup(event, worker, status=FollowUp.Status.OPEN, **extra):
    return FollowUpFactory(event=event, survivor=event.survivor, team=event.team, assigned_to=worker,
                           status=status, **extra)


def _attempt(followup, after, outcome, by=None):
    return ContactAttemptFactory(followup=followup, at=followup.event.occurred_at + after, outcome=outcome,
                                 performed_by=by)


@pytest.fixture
def dataset(now, team, other_team, users, make_user):
    north, south = team, other_team
    outreach, coordinator = users[Role.OUTREACH], users[Role.COORDINATOR]
    outreach2 = make_user(role=Role.OUTREACH, username="outreach_two")
    south_worker = make_user(role=Role.OUTREACH, teams=[south], username="south_worker")
    h = timedelta(hours=1)

    a = _survivor(north, "Zebulon", "Quartermaine", 1, sex="male")
    b = _survivor(north, "Ysolde", "Brackenbury", 2, sex="female")
    c = _survivor(north, "Xanthe", "Ormerod", 3, sex="F")
    d = _survivor(north, "Wystan", "Pettigrew", 4)
    e = _survivor(north, "Valdemar", "Nettleship", 5)
    f = _survivor(north, "Ulrika", "Mowbray", 6)
    g = _survivor(north, "Tancredi", "Lyttelton", 7)
    hh = _survivor(north, "Sigrun", "Kippax", 8)
    i = _survivor(north, "Rosamund", "Jellicoe", 9)
    j = _survivor(south, "Peregrine", "Haverstock", 10)

    # E1: A, an attempt that reached no one, then reached at 20 h.
    e1 = _event(a, local(3, 2, 10))
    f1 = _followup(e1, outreach, FollowUp.Status.REACHED)
    _attempt(f1, 2 * h, ContactAttempt.Outcome.NO_ANSWER, outreach)
    _attempt(f1, 20 * h, REACHED, outreach)
    # A check-in still open after first contact, not overdue (deadline May 8).
    FollowUpFactory(event=e1, survivor=a, team=north, assigned_to=outreach, kind=FollowUp.Kind.CHECKIN,
                    parent=f1, checkin_day=60, target_at=local(5, 5, 12), deadline_at=local(5, 8, 12))
    # E2: B, reached at exactly 72 h (counts for 72 h, not for 24 h).
    e2 = _event(b, local(3, 3, 9))
    f2 = _followup(e2, outreach, FollowUp.Status.REACHED)
    _attempt(f2, 72 * h, REACHED, outreach)
    # E3: C, first attempt 72 h + 1 minute, reached and declined: not within 72 h.
    e3 = _event(c, local(3, 4, 8))
    f3 = _followup(e3, outreach2, FollowUp.Status.DECLINED)
    _attempt(f3, 72 * h + timedelta(minutes=1), DECLINED, outreach2)
    # E4: D, three attempts, never reached: not locatable. Open and overdue.
    e4 = _event(d, local(3, 5, 12))
    f4 = _followup(e4, outreach2)
    _attempt(f4, 5 * h, ContactAttempt.Outcome.NOT_HOME, outreach2)
    _attempt(f4, 30 * h, ContactAttempt.Outcome.BAD_ADDRESS, outreach2)
    _attempt(f4, 100 * h, ContactAttempt.Outcome.NO_ANSWER, outreach2)
    # E5: E, no attempt at all. Open and overdue.
    e5 = _event(e, local(3, 6, 12))
    _followup(e5, outreach)
    # E6: A again (a repeat overdose), reached at 10 h.
    e6 = _event(a, local(3, 10, 12))
    f6 = _followup(e6, outreach, FollowUp.Status.REACHED)
    _attempt(f6, 10 * h, REACHED, outreach)
    # E7: F died. The family-support follow-up reached the family: none of it counts.
    e7 = _event(f, local(3, 7, 12), outcome=OverdoseEvent.Outcome.FATAL)
    f7 = _followup(e7, outreach2, kind=FollowUp.Kind.FAMILY_SUPPORT)
    _attempt(f7, 5 * h, REACHED, outreach2)
    # E8: an unmatched import row: no survivor, not counted for contact.
    e8 = OverdoseEventFactory(survivor=None, team=north, occurred_at=local(3, 8, 12))
    # E9: G, exactly at the start of the period; reached at 1 h.
    e9 = _event(g, local(3, 1, 0))
    f9 = _followup(e9, outreach2, FollowUp.Status.REACHED)
    _attempt(f9, 1 * h, REACHED, outreach2)
    # E10: H, exactly at the end of the period (midnight after March 14): not in it. Unassigned, overdue.
    e10 = _event(hh, local(3, 15, 0))
    _followup(e10, None)
    # E11: I, one minute before the period: the previous period. Reached at 30 h.
    e11 = _event(i, local(2, 28, 23, 59))
    f11 = _followup(e11, outreach, FollowUp.Status.REACHED)
    _attempt(f11, 30 * h, REACHED, outreach)
    # E12: J in the South team, reached at 3 h.
    e12 = _event(j, local(3, 5, 9))
    f12 = _followup(e12, south_worker, FollowUp.Status.REACHED)
    _attempt(f12, 3 * h, REACHED, south_worker)

    # Family members and naloxone.
    fa = FamilyMemberFactory(survivor=a, name="Ottoline Quartermaine", relationship="mother", phone="+12025559901")
    fb = FamilyMemberFactory(survivor=b, name="Nebuchadnezzar Brackenbury", relationship="brother")

    def kits(n, when, survivor=None, family=None, by=coordinator, team=north):
        return NaloxoneDistribution.objects.create(team=team, survivor=survivor, family_member=family, kits=n,
                                                   given_at=when, given_by=by)

    kits(2, local(3, 2, 12), survivor=a, by=outreach)
    kits(1, local(3, 3, 12), survivor=b)
    kits(3, local(3, 4, 12), survivor=a, family=fa)  # to the family member (the case is A's)
    kits(1, local(3, 5, 12), family=fb)
    kits(5, local(3, 6, 12))  # anonymous: in the total only
    kits(4, local(2, 20, 12), survivor=c)  # previous period
    kits(1, local(3, 15, 0), survivor=a)  # just after the period

    # Referrals in every status.
    org = OrganizationFactory(name="Harbor Recovery")

    def referral(who, category, status, made, team=north, by=coordinator, **extra):
        kwargs = {"family_member": who, "survivor": None} if who in (fa, fb) else {"survivor": who}
        return ReferralFactory(team=team, organization=org, category=category, status=status, made_at=made,
                               made_by=by, **kwargs, **extra)

    r_a = referral(a, "moud", "connected", local(3, 3, 9), by=outreach,
                   connected_at=e1.occurred_at + timedelta(days=10),
                   admitted_on=date(2026, 3, 7), engaged_30d=True)  # 4 days to admission
    referral(b, "detox", "connected", local(3, 4, 9), connected_at=e2.occurred_at + timedelta(days=30, minutes=1),
             admitted_on=date(2026, 3, 14), engaged_30d=False)  # 10 days; connected one minute too late
    referral(c, "housing", "connected", local(3, 5, 9), connected_at=local(3, 6, 9))  # not treatment
    r_g = referral(g, "outpatient", "connected", local(3, 2, 9), engaged_30d=True)  # connected_at never filled
    ReferralStatusChange.objects.create(referral=r_g, from_status="accepted", to_status="connected",
                                        changed_at=e9.occurred_at + timedelta(days=30))  # exactly 30 days
    referral(j, "moud", "accepted", local(3, 6, 9), team=south, by=south_worker)
    referral(d, "moud", "connected", local(3, 6, 10), connected_at=local(3, 7, 10), admitted_on=date(2026, 3, 6),
             engaged_30d=True, engaged_90d=True)  # 0 days; D was never reached
    referral(e, "inpatient", "made", local(3, 8, 9))
    referral(e, "detox", "declined", local(3, 9, 9))
    referral(b, "outpatient", "no_show", local(3, 10, 9))
    referral(a, "peer_support", "closed", local(3, 11, 9))
    referral(fa, "family", "made", local(3, 12, 9))
    referral(i, "moud", "connected", local(2, 20, 9), connected_at=local(2, 21, 9))  # previous period

    return SimpleNamespace(
        period=PERIOD, previous=PREVIOUS, north=north, south=south, outreach=outreach, outreach2=outreach2,
        coordinator=coordinator, supervisor=users[Role.SUPERVISOR], admin=users[Role.ADMIN],
        partner=users[Role.PARTNER], south_worker=south_worker,
        survivors=[a, b, c, d, e, f, g, hh, i, j], family=[fa, fb],
        events={n: ev for n, ev in enumerate([e1, e2, e3, e4, e5, e6, e7, e8, e9, e10, e11, e12], start=1)},
        r_a=r_a,
    )
