"""The audit log page: supervisors and admins search it by person, user, action and date."""

from datetime import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from port.accounts.roles import Role
from port.audit.services import record_event
from port.audit.views import PAGE_SIZE
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def at(day, hour=12):
    return timezone.make_aware(datetime(2026, 3, day, hour))


@pytest.fixture
def history(users):
    outreach, coordinator = users[Role.OUTREACH], users[Role.COORDINATOR]
    with time_machine.travel(at(2), tick=False):
        record_event(None, "view", None, user=outreach, survivor_id=101, detail="survivor page")
    with time_machine.travel(at(5), tick=False):
        record_event(None, "change", None, user=coordinator, survivor_id=101, detail="changed address")
        record_event(None, "view", None, user=coordinator, survivor_id=202, detail="survivor page")
    with time_machine.travel(at(9), tick=False):
        record_event(None, "export", None, user=coordinator, detail="de-identified events")


def rows_of(response):
    return [(e.user.username if e.user else None, e.action, e.survivor_id) for e in response.context["page"]]


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.OUTREACH, Role.PARTNER])
def test_only_supervisors_and_admins_open_it(client, users, role):
    client.force_login(users[role])
    assert client.get(reverse("audit:log")).status_code == 403


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMIN])
def test_supervisors_and_admins_see_every_row_newest_first(client, users, history, role):
    client.force_login(users[role])
    response = client.get(reverse("audit:log"))
    rows = [r for r in rows_of(response) if r[1] != "login"]
    assert rows == [("coordinator", "export", None), ("coordinator", "view", 202), ("coordinator", "change", 101),
                    ("outreach", "view", 101)]


def test_search_by_person(client, users, history):
    client.force_login(users[Role.SUPERVISOR])
    response = client.get(reverse("audit:log"), {"survivor": 101})
    assert rows_of(response) == [("coordinator", "change", 101), ("outreach", "view", 101)]


def test_search_by_user_and_action(client, users, history):
    client.force_login(users[Role.SUPERVISOR])
    response = client.get(reverse("audit:log"), {"user": users[Role.COORDINATOR].pk, "action": "view"})
    assert rows_of(response) == [("coordinator", "view", 202)]


def test_search_by_dates_includes_the_last_day(client, users, history):
    client.force_login(users[Role.SUPERVISOR])
    response = client.get(reverse("audit:log"), {"date_from": "2026-03-02", "date_to": "2026-03-05"})
    assert [r[1] for r in rows_of(response)] == ["view", "change", "view"]


def test_dates_the_wrong_way_round_say_what_to_fix(client, users, history):
    client.force_login(users[Role.SUPERVISOR])
    response = client.get(reverse("audit:log"), {"date_from": "2026-03-09", "date_to": "2026-03-01"})
    html = response.content.decode()
    assert "The end date is before the start date" in html
    assert 'value="2026-03-09"' in html


def test_pages_keep_the_search(client, users):
    for i in range(PAGE_SIZE + 5):
        record_event(None, "view", None, user=users[Role.OUTREACH], survivor_id=7, detail=f"view {i}")
    client.force_login(users[Role.SUPERVISOR])
    first = client.get(reverse("audit:log"), {"survivor": 7})
    assert len(first.context["page"]) == PAGE_SIZE
    assert "survivor=7&amp;page=2" in first.content.decode()
    second = client.get(reverse("audit:log"), {"survivor": 7, "page": 2})
    assert len(second.context["page"]) == 5
    assert {r[2] for r in rows_of(second)} == {7}


def test_the_page_shows_who_what_and_where_from(client, users):
    outreach = users[Role.OUTREACH]
    client.post(reverse("login"), {"username": outreach.username, "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    client.logout()
    client.force_login(users[Role.SUPERVISOR])
    html = client.get(reverse("audit:log"), {"user": outreach.pk, "action": "login"}).content.decode()
    assert str(outreach) in html and "Logged in" in html and "10.1.2.3" in html
