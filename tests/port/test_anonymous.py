"""Every page the app defines sends an anonymous visitor to the login page."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

# Pages that must answer without a login (the login flow itself, health, Twilio's webhooks).
PUBLIC_PREFIXES = ("accounts/login", "accounts/password/reset", "healthz", "messages/twilio/")


def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def concrete(route):
    """Fill path converters with plausible values."""
    import re

    route = route.replace("^", "").replace("$", "").replace("\\Z", "")
    route = re.sub(r"<int:\w+>", "1", route)
    route = re.sub(r"<uuid:\w+>", "00000000-0000-0000-0000-000000000000", route)
    route = re.sub(r"<(?:str|slug|path):?\w*>", "x", route)
    route = re.sub(r"<\w+>", "x", route)
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "x", route)
    return "/" + route


def private_routes():
    routes = {r for r in walk(get_resolver().url_patterns) if not r.startswith("admin/")}
    return sorted(r for r in routes if not r.startswith(PUBLIC_PREFIXES))


def test_the_walk_finds_the_pages():
    routes = private_routes()
    assert "" in routes and "survivors/" in routes and "dashboard/" in routes


@pytest.mark.parametrize("route", private_routes())
def test_anonymous_is_sent_to_login(client, route):
    url = concrete(route)
    response = client.get(url)
    assert response.status_code == 302, url
    assert response["Location"].startswith(reverse("login")), url


def test_admin_needs_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
