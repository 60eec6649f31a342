"""Every navigation entry and landing page resolves and opens for the roles that see it; the badge."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from port.accounts.context_processors import navigation
from port.accounts.models import Notification
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


def test_the_badge_shows_the_unread_notifications(client, users):
    user = users[Role.OUTREACH]
    for n in range(3):
        Notification.objects.create(user=user, key=f"test:{n}", text="A reply came in.")
    Notification.objects.filter(key="test:0").update(read_at="2026-01-01T00:00Z")
    client.force_login(user)
    assert 'aria-label="2 unread">2</span>' in client.get(reverse("survivors:list")).content.decode()


def test_the_badge_and_menu_cost_nothing_unless_the_page_shows_them(rf, users, django_assert_num_queries):
    user = users[Role.OUTREACH]
    Notification.objects.create(user=user, key="test:1", text="A reply came in.")
    request = rf.get(reverse("survivors:list"))
    request.user, request.session = user, {}

    with django_assert_num_queries(0):  # an htmx fragment does not show them
        context = navigation(request)
    with django_assert_num_queries(1):  # shown twice, counted once
        html = Template("{% for i in nav_items %}{{ i.label }}|{% endfor %}{% if unread_notifications %}"
                        "{{ unread_notifications }} unread{% endif %}").render(Context(context))
    assert html == "My worklist|Survivors|Referrals|Resources|Dashboard|1 unread"
