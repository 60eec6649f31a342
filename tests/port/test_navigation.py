"""Every navigation entry and landing page resolves and opens for the roles that see it."""

import pytest
from django.urls import reverse

from port.accounts.navigation import LANDING, NAV_ITEMS
from port.accounts.roles import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("item", NAV_ITEMS, ids=lambda i: i.url_name)
def test_nav_entries_open_for_their_roles(client, users, item):
    for role in item.roles:
        client.force_login(users[role])
        response = client.get(reverse(item.url_name))
        assert response.status_code == 200, (role, item.url_name)


def test_every_role_has_a_landing_page():
    assert set(LANDING) == set(Role)
