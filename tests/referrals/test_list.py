"""The referral list: open first, filters, and a query count that does not grow with the rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from referrals.services import change_referral_status
from tests.factories import FamilyMemberFactory

pytestmark = pytest.mark.django_db


def listed(client, **params):
    return [r.pk for r in client.get(reverse("referrals:list"), params).context["page"]]


def test_open_referrals_come_first(client, login, worker, refer):
    closed = change_referral_status(refer(), "closed", by=worker)
    made = refer()
    accepted = change_referral_status(refer(), "accepted", by=worker)
    login(worker)

    order = listed(client)

    assert set(order[:2]) == {made.pk, accepted.pk}
    assert order[2] == closed.pk


def test_filters_by_status_and_category(client, login, worker, refer, family_group):
    made = refer()
    connected = change_referral_status(refer(), "connected", by=worker)
    family = refer(service=family_group.services.get())
    login(worker)

    assert listed(client, status="connected") == [connected.pk]
    assert set(listed(client, status="open")) == {made.pk, family.pk}
    assert listed(client, category="family") == [family.pk]
    assert listed(client, status="made", category="moud") == [made.pk]


def count_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("referrals:list"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_list_page_query_count_does_not_grow_with_the_rows(client, login, worker, refer, family_group):
    def add(n):
        for i in range(n):
            if i % 3 == 0:
                refer(family_member=FamilyMemberFactory(survivor__team=worker.teams.get()),
                      service=family_group.services.get())
            else:
                refer()

    add(5)
    login(worker)
    with_five = count_queries(client)
    add(45)
    with_fifty = count_queries(client)

    assert with_five == with_fifty
