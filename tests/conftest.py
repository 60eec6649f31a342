"""Shared fixtures: a team, one user per role, and clients logged in as each."""

import pytest
from django.core.cache import cache

from port.accounts.roles import Role

from .factories import TeamFactory, UserFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield


@pytest.fixture
def team(db):
    return TeamFactory(name="North County PORT")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="South County PORT")


@pytest.fixture
def make_user(db, team):
    def make(role=Role.OUTREACH, teams=None, **kwargs):
        return UserFactory(role=role, teams=teams if teams is not None else [team], **kwargs)

    return make


@pytest.fixture
def users(make_user):
    return {role: make_user(role=role, username=str(role)) for role in Role}


@pytest.fixture
def login(client):
    """Log the test client in as a user (a session as after a full login)."""

    def do_login(user, c=None):
        c = c or client
        c.force_login(user)
        return c

    return do_login
