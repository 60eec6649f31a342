"""Helpers for the intake tests: the team's coordinator, and people in the team."""

import pytest

from port.accounts.roles import Role
from tests.factories import SurvivorFactory


@pytest.fixture
def coordinator(users):
    return users[Role.COORDINATOR]


@pytest.fixture
def person(team):
    """person(**fields) -> a survivor of the team (search fields filled by save())."""

    def make(**fields):
        return SurvivorFactory(team=team, **fields)

    return make
