"""Every KPI of design.md on the known dataset (tests/dashboards/conftest.py), worked out by hand."""

from datetime import date

import pytest

from port.dashboards import kpis, referral_kpis
from port.dashboards.periods import Period
from port.dashboards.scope import Scope, scope_for
from port.dashboards.tables import measures

pytestmark = pytest.mark.django_db


def test_contact_figures_for_all_teams_count_each_definition_exactly(dataset):
    c = kpis.contact_figures(Scope(dataset.supervisor), dataset.period)
    # E1, E2, E3, E4, E5, E6, E9 (at the period's first instant) and E12; not the fatal E7,
    # not the unmatched E8, not E10 (at the instant the period ends), not E11 (the minute before).
    assert c["events"] == 8
    assert c["people"] == 7  # A had two events and counts once
    assert c["attempted_72h"] == 6  # not E3 (first attempt at 72 h + 1 min), not E5 (none)
    assert c["attempted_72h_people"] == 5
    assert c["reached_72h"] == 5  # E2 reached at exactly 72 h counts; E4's attempts reached no one
    assert c["reached_72h_people"] == 4
    assert c["reached_24h"] == 4  # E1 (20 h), E6 (10 h), E9 (1 h), E12 (3 h)
    assert c["reached_24h_people"] == 3
    assert c["reached"] == 6 and c["reached_people"] == 5  # E3's late decline is a reach, just not in 72 h
    assert c["median_hours_to_contact"] == pytest.approx(15.0)  # 1, 3, 10 | 20, 72, 72.02
    assert c["attempts"] == 10
    assert c["declined_people"] == 1  # C
    assert c["not_locatable_people"] == 1  # D: three attempts, never reached; E was never tried
    assert c["linked_people"] == 2  # A (connected at +10 days), G (status change at exactly +30 days)


def test_previous_period_figures_are_the_period_of_equal_length_before(dataset):
    assert dataset.period.previous() == dataset.previous
    c = kpis.contact_figures(Scope(dataset.supervisor), dataset.previous)
    assert (c["events"], c["people"], c["attempted_72h"], c["reached_72h"], c["reached_24h"]) == (1, 1, 1, 1, 0)
    assert c["median_hours_to_contact"] == pytest.approx(30.0)
    assert c["attempts"] == 1
    # I's treatment referral was connected a week before the event: not linked by this event.
    assert c["linked_people"] == 0


def test_shares_and_ratios_shown_on_the_dashboard(dataset):
    scope = Scope(dataset.supervisor)
    m = measures(kpis.snapshot(scope, dataset.period))
    assert (m["attempted_72h"].numerator, m["attempted_72h"].denominator) == (6, 8)
    assert m["reached_72h"].value == pytest.approx(5 / 8)
    assert m["reached_24h"].value == pytest.approx(4 / 8)
    assert m["attempts_per_person"].value == pytest.approx(10 / 7)
    assert m["linked"].value == pytest.approx(2 / 5)
    assert m["median_hours"].value == pytest.approx(15.0)
    before = measures(kpis.snapshot(scope, dataset.previous))
    assert before["reached_72h"].value == 1 and before["reached_24h"].value == 0
    assert before["days_to_admission"].value is None and before["retained_30"].value is None


def test_naloxone_kits_in_the_period_split_between_survivors_and_family(dataset):
    scope = Scope(dataset.supervisor)
    n = kpis.naloxone_figures(scope, dataset.period)
    assert n["kits_survivors"] == 3  # 2 to A, 1 to B
    assert n["kits_family"] == 4  # 3 to A's mother (recorded on A's case), 1 to B's brother
    assert n["kits_total"] == 12  # with 5 handed out anonymously
    assert (n["survivors_given"], n["family_given"]) == (2, 2)
    before = kpis.naloxone_figures(scope, dataset.previous)
    assert (before["kits_survivors"], before["kits_family"]) == (4, 0)


def test_repeat_overdoses_count_survivors_with_two_events_in_the_period(dataset):
    assert kpis.repeat_overdoses(Scope(dataset.supervisor), dataset.period) == 1
    assert kpis.repeat_overdoses(Scope(dataset.supervisor), Period(date(2026, 3, 1), date(2026, 3, 5))) == 0
    # The dashboard takes the same number from the contact figures' per-person pass.
    assert kpis.contact_figures(Scope(dataset.supervisor), dataset.period)["repeat_people"] == 1
    assert kpis.snapshot(Scope(dataset.supervisor), Period(date(2026, 3, 1), date(2026, 3, 5))).repeat_people == 0


def test_referrals_by_category_and_status_cover_every_status(dataset):
    matrix = referral_kpis.referrals_by_category_and_status(Scope(dataset.supervisor), dataset.period)
    cells = {key: value["referrals"] for key, value in matrix["cells"].items()}
    assert cells == {
        ("moud", "connected"): 2,
        ("moud", "accepted"): 1,
        ("detox", "connected"): 1,
        ("detox", "declined"): 1,
        ("inpatient", "made"): 1,
        ("outpatient", "connected"): 1,
        ("outpatient", "no_show"): 1,
        ("housing", "connected"): 1,
        ("peer_support", "closed"): 1,
        ("family", "made"): 1,
    }
    assert matrix["totals"]["moud"] == {"referrals": 3, "people": 3}
    assert matrix["totals"]["family"] == {"referrals": 1, "people": 1}  # A's mother, not A


def test_treatment_referrals_days_to_admission_and_retention(dataset):
    t = referral_kpis.treatment_figures(Scope(dataset.supervisor), dataset.period)
    assert t["referrals"] == 8 and t["people"] == 6
    assert t["admitted"] == 3
    assert t["median_days_to_admission"] == pytest.approx(4.0)  # 0, 4, 10 days
    assert (t["retained_30_people"], t["checked_30_people"]) == (3, 4)
    assert (t["retained_90_people"], t["checked_90_people"]) == (1, 1)


def test_open_and_overdue_followups_now_by_worker(dataset):
    rows = kpis.workload_by_worker(Scope(dataset.supervisor))
    by_worker = {r["worker_id"]: (r["open"], r["overdue"]) for r in rows}
    assert by_worker == {dataset.outreach2.pk: (2, 2), dataset.outreach.pk: (2, 1), None: (1, 1)}
    assert rows[0]["worker_id"] == dataset.outreach2.pk  # most overdue first


def test_events_and_reached_per_week_in_program_time(dataset):
    weeks = kpis.weekly_series(Scope(dataset.supervisor), dataset.period)
    got = [(w["week"], w["nonfatal"], w["fatal"], w["counted"], w["reached_72h"]) for w in weeks]
    assert got == [
        (date(2026, 2, 23), 1, 0, 1, 1),  # E9 at midnight on Sunday March 1
        (date(2026, 3, 2), 7, 1, 6, 3),
        (date(2026, 3, 9), 1, 0, 1, 1),
    ]


def test_an_outreach_worker_sees_only_the_followups_assigned_to_them(dataset):
    scope = scope_for(dataset.outreach)
    assert scope.worker == dataset.outreach
    c = kpis.contact_figures(scope, dataset.period)
    assert (c["events"], c["people"], c["attempted_72h"], c["reached_72h"], c["reached_24h"]) == (4, 3, 3, 3, 2)
    assert c["median_hours_to_contact"] == pytest.approx(20.0)  # 10, 20, 72
    assert c["attempts"] == 4
    assert (c["declined_people"], c["not_locatable_people"], c["linked_people"], c["reached_people"]) == (0, 0, 1, 2)
    assert kpis.naloxone_figures(scope, dataset.period)["kits_survivors"] == 2
    assert referral_kpis.treatment_figures(scope, dataset.period)["referrals"] == 1
    assert [(r["worker_id"], r["open"], r["overdue"]) for r in kpis.workload_by_worker(scope)] == [
        (dataset.outreach.pk, 2, 1)
    ]
    assert kpis.contact_figures(scope, dataset.previous)["events"] == 1


def test_a_coordinator_sees_their_teams_numbers(dataset):
    scope = scope_for(dataset.coordinator)
    c = kpis.contact_figures(scope, dataset.period)
    assert (c["events"], c["people"], c["attempted_72h"], c["reached_72h"], c["reached_24h"]) == (7, 6, 5, 4, 3)
    assert c["median_hours_to_contact"] == pytest.approx(20.0)
    assert (c["attempts"], c["linked_people"], c["reached_people"]) == (9, 2, 4)
    assert referral_kpis.treatment_figures(scope, dataset.period)["referrals"] == 7


def test_a_supervisor_can_narrow_to_one_team(dataset):
    c = kpis.contact_figures(scope_for(dataset.supervisor, dataset.south), dataset.period)
    assert (c["events"], c["reached_24h"]) == (1, 1)


def test_the_medians_are_the_same_when_computed_without_postgresql(dataset, monkeypatch):
    from django.db import connection

    monkeypatch.setattr(connection, "vendor", "sqlite")  # the demo's fallback: one number per row, in Python
    scope = Scope(dataset.supervisor)
    assert kpis.contact_figures(scope, dataset.period)["median_hours_to_contact"] == pytest.approx(15.0)
    assert referral_kpis.treatment_figures(scope, dataset.period)["median_days_to_admission"] == pytest.approx(4.0)
