"""Helpers for the intake tests: the team's coordinator, and people in the team."""

import pytest

from port.accounts.roles import Role
from tests.factories import SurvivorFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 costs seconds per user on a busy machine; these tests are not about passwords."""

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def coordinator(users):
    return users[Role.COORDINATOR]


@pytest.fixture
def person(team):
    """person(**fields) -> a survivor of the team (search fields filled by save())."""

    def make(**fields):
        return SurvivorFactory(team=team, **fields)

    return make
