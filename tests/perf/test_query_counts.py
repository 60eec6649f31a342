"""Every list page costs the same number of queries with 5 rows as with 50: no per-row queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from port.accounts.roles import Role
from port.audit.services import record_event
from tests.factories import (
    ContactAttemptFactory,
    FollowUpFactory,
    OrganizationFactory,
    OverdoseEventFactory,
    ReferralFactory,
    ServiceFactory,
    SurvivorFactory,
)
from tests.survivors.test_survivor_history import add_history

pytestmark = pytest.mark.django_db


def queries_for(client, url, data=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, data or {})
    assert response.status_code == 200, response.status_code
    return len(captured)


def same_count_with_5_and_50(client, url, add_rows, data=None):
    add_rows(5)
    with_5 = queries_for(client, url, data)
    add_rows(45)
    with_50 = queries_for(client, url, data)
    assert with_50 == with_5, f"{url}: {with_5} queries with 5 rows, {with_50} with 50"


@pytest.fixture
def add_followups(team, users):
    """Open follow-ups of the team's outreach worker, each with a survivor, an event and some attempts."""

    worker = users[Role.OUTREACH]

    def add(n):
        for i in range(n):
            event = OverdoseEventFactory(survivor=SurvivorFactory(team=team), team=team,
                                         occurred_at=timezone.now() - timedelta(hours=2 + i))
            followup = FollowUpFactory(event=event, assigned_to=worker)
            for _ in range(i % 3):
                ContactAttemptFactory(followup=followup, performed_by=worker)

    return add


def test_my_worklist_does_not_grow_with_the_rows(client, login, users, add_followups):
    login(users[Role.OUTREACH])
    same_count_with_5_and_50(client, reverse("followups:worklist"), add_followups)


def test_the_team_worklist_does_not_grow_with_the_rows(client, login, users, add_followups):
    login(users[Role.COORDINATOR])
    same_count_with_5_and_50(client, reverse("followups:team_worklist"), add_followups)


@pytest.fixture
def add_people(team):
    """People called Rivera with one or two events each."""

    def add(n):
        for i in range(n):
            survivor = SurvivorFactory(team=team, legal_last_name="Rivera")
            for _ in range(1 + i % 2):
                OverdoseEventFactory(survivor=survivor, team=team)

    return add


def test_the_survivor_list_does_not_grow_with_the_rows(client, login, users, add_people):
    login(users[Role.COORDINATOR])
    same_count_with_5_and_50(client, reverse("survivors:list"), add_people)


def test_a_survivor_search_does_not_grow_with_the_matches(client, login, users, add_people):
    login(users[Role.COORDINATOR])
    client.post(reverse("survivors:list"), {"name": "rivera"})  # the search lives in the session
    same_count_with_5_and_50(client, reverse("survivors:list"), add_people)


@pytest.mark.parametrize("url_name", ["survivors:detail", "survivors:history"])
def test_the_survivor_page_and_its_history_do_not_grow_with_the_history(client, login, users, team, url_name):
    """5 events all on the page, or 50 of which the page shows the latest and the history a page."""

    survivor = SurvivorFactory(team=team)
    login(users[Role.COORDINATOR])
    same_count_with_5_and_50(
        client, reverse(url_name, args=[survivor.pk]), lambda n: add_history(survivor, n, first_days_ago=10 * n)
    )


def test_the_referral_list_does_not_grow_with_the_rows(client, login, team, users):
    worker = users[Role.OUTREACH]

    def add(n):
        for _ in range(n):
            ReferralFactory(survivor=SurvivorFactory(team=team), team=team, made_by=worker)

    login(worker)
    same_count_with_5_and_50(client, reverse("referrals:list"), add)


def test_the_resource_directory_does_not_grow_with_the_rows(client, login, users):
    def add(n):
        for i in range(n):
            ServiceFactory(organization=OrganizationFactory(), category=["moud", "housing", "food"][i % 3])

    login(users[Role.OUTREACH])
    same_count_with_5_and_50(client, reverse("referrals:resource_list"), add)


def test_the_audit_log_does_not_grow_with_the_rows(client, login, users):
    def add(n):
        for i in range(n):
            record_event(None, "view", None, user=users[Role.COORDINATOR], survivor_id=1000 + i, detail="survivor page")

    login(users[Role.SUPERVISOR])
    same_count_with_5_and_50(client, reverse("audit:log"), add)


def test_the_dashboard_does_not_grow_with_the_rows(client, login, users, add_followups):
    login(users[Role.COORDINATOR])
    same_count_with_5_and_50(client, reverse("dashboards:dashboard"), add_followups, {"period": "30"})
