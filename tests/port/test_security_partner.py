"""The partner (limited) role: who to visit and when, never clinical detail, on any page, export or search.

Every URL of the app is fetched as a partner with the partner's own team's case, seeded with
distinctive clinical values (substances, notes, a referral's organisation and notes, a
message body, a consent's purpose); none may appear in any response. The same walk as an
outreach worker must show each of them somewhere, or the check would prove nothing.
"""

import pytest
from django.test import Client
from django.urls import reverse

from port.accounts.roles import Role

from .test_security_url_walk import expectation_for, kwargs_for, routes
from .walker import SENTINELS, build_world, concrete_url, fetch

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(users, team, other_team):
    return build_world(users, team, other_team)


def walk_as(user, objs):
    """{url: body} of every page, export and search result the user can fetch for this case."""

    client = Client()
    client.force_login(user)
    bodies = {}
    for route in routes():
        expect = expectation_for(route)
        if expect is None or route.route.startswith("admin/"):
            continue
        url = concrete_url(route, kwargs_for(route, expect, objs))
        answer = fetch(client, url)
        bodies[url] = answer.content.decode(errors="replace")
        if expect.post:
            data = {name: value.format(**objs) for name, value in expect.post.items()}
            searched = client.post(url, data, follow=True)
            bodies[f"{url} (searched)"] = searched.content.decode(errors="replace")
    return bodies


def test_a_partner_receives_no_clinical_value_anywhere(users, world):
    bodies = walk_as(users[Role.PARTNER], world.inside)
    leaks = [f"{what} in {url}" for url, body in bodies.items() for what, value in SENTINELS.items() if value in body]
    assert not leaks, "clinical detail reached a partner:\n" + "\n".join(leaks)


def test_the_same_values_do_reach_an_outreach_worker(users, world):
    bodies = walk_as(users[Role.OUTREACH], world.inside)
    unseen = [what for what, value in SENTINELS.items() if not any(value in body for body in bodies.values())]
    assert not unseen, f"no page shows these to staff either, so the partner check proves nothing: {unseen}"


def test_a_partner_sees_who_to_visit_where_and_when(users, world):
    survivor = world.inside["survivor"]
    client = Client()
    client.force_login(users[Role.PARTNER])
    html = client.get(reverse("followups:visits")).content.decode()
    assert survivor.legal_last_name in html
    assert survivor.address in html
    page = client.get(reverse("survivors:detail", args=[survivor.pk])).content.decode()
    assert survivor.legal_last_name in page and survivor.address in page
