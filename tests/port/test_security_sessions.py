"""Sessions end after 15 idle minutes, and after 12 hours whatever the user does; logins are throttled."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from port.accounts.roles import Role
from port.audit.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def page(client):
    return client.get(reverse("notifications"))


def assert_sent_to_login(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_fifteen_idle_minutes_end_the_session(client, users, settings):
    assert settings.SESSION_IDLE_TIMEOUT_MINUTES == 15
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(users[Role.OUTREACH])
        assert page(client).status_code == 200
        clock.shift(timedelta(minutes=14))
        assert page(client).status_code == 200  # activity restarts the idle clock
        clock.shift(timedelta(minutes=14))
        assert page(client).status_code == 200
        clock.shift(timedelta(minutes=15, seconds=1))
        assert_sent_to_login(page(client))
        assert_sent_to_login(page(client))  # logged out for good, not just this once
    row = AuditEvent.objects.filter(action="logout").latest("id")
    assert (row.user, row.detail) == (users[Role.OUTREACH], "session timeout (idle)")


def session_writes(client):
    with CaptureQueriesContext(connection) as queries:
        assert page(client).status_code == 200
    return sum('UPDATE "django_session"' in q["sql"] for q in queries.captured_queries)


def test_the_last_activity_is_written_at_most_once_a_minute(client, users, settings):
    assert settings.SESSION_LAST_SEEN_RESOLUTION_SECONDS == 60
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.force_login(users[Role.OUTREACH])
        assert session_writes(client) == 0  # the login started the clocks
        clock.shift(timedelta(seconds=30))
        assert session_writes(client) == 0  # a page a few seconds later costs no session write
        clock.shift(timedelta(seconds=29))
        assert session_writes(client) == 0
        clock.shift(timedelta(seconds=1))
        assert session_writes(client) == 1


def test_a_request_every_50_seconds_keeps_the_session_and_idleness_still_ends_it(client, users):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.force_login(users[Role.OUTREACH])
        for _ in range(30):  # 25 minutes of work, most requests not written to the session
            assert page(client).status_code == 200
            clock.shift(timedelta(seconds=50))
        # 15 minutes and a second after the last request (which was not written to the session): out.
        clock.shift(timedelta(minutes=14, seconds=11))
        assert_sent_to_login(page(client))
    assert AuditEvent.objects.filter(action="logout", detail="session timeout (idle)").exists()


def test_twelve_hours_end_the_session_however_busy(client, users, settings):
    assert settings.SESSION_ABSOLUTE_TIMEOUT_HOURS == 12
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(users[Role.COORDINATOR])
        assert page(client).status_code == 200
        for _ in range(51):  # a request every 14 minutes: never idle, 11 h 54 min in all
            clock.shift(timedelta(minutes=14))
            assert page(client).status_code == 200
        clock.shift(timedelta(minutes=7))  # 12 h 1 min after login
        assert_sent_to_login(page(client))
    assert AuditEvent.objects.filter(action="logout", detail="session timeout (absolute)").exists()


def test_a_new_login_starts_fresh_clocks(client, users):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(users[Role.OUTREACH])
        page(client)
        clock.shift(timedelta(hours=13))
        assert_sent_to_login(page(client))
        client.post(reverse("login"), {"username": users[Role.OUTREACH].username, "password": PASSWORD})
        assert page(client).status_code == 200


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client, users, settings):
    outreach = users[Role.OUTREACH]
    assert settings.AXES_FAILURE_LIMIT == 5
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(4):
            response = client.post(reverse("login"), {"username": outreach.username, "password": "wrong guess"})
            assert "Please enter a correct username and password" in response.content.decode()
        locked = client.post(reverse("login"), {"username": outreach.username, "password": "wrong guess"})
        assert locked.status_code == 429
        refused = client.post(reverse("login"), {"username": outreach.username, "password": PASSWORD})
        assert refused.status_code == 429
        assert "locked" in refused.content.decode().lower()
        assert page(client).status_code == 302  # not logged in
        assert AuditEvent.objects.filter(action="login_failed").count() >= 5

        clock.shift(timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1))
        response = client.post(reverse("login"), {"username": outreach.username, "password": PASSWORD})
        assert response.status_code == 302
        assert page(client).status_code == 200


def test_the_lockout_is_per_account_not_for_everyone(client, users):
    for _ in range(5):
        client.post(reverse("login"), {"username": users[Role.OUTREACH].username, "password": "wrong guess"})
    other = users[Role.COORDINATOR]
    response = client.post(reverse("login"), {"username": other.username, "password": PASSWORD})
    assert response.status_code == 302


def test_a_timed_out_htmx_request_sends_the_whole_page_to_login(client, users):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(users[Role.OUTREACH])
        page(client)
        clock.shift(timedelta(minutes=16))
        response = client.get(reverse("notifications"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(reverse("login"))
