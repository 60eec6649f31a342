"""Searching people: by name (any part, accent or case), phone in any format, date of birth, incident."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from port.accounts.roles import Role
from tests.factories import OverdoseEventFactory, SurvivorFactory

pytestmark = pytest.mark.django_db
URL = reverse("survivors:list")


@pytest.fixture
def people(team):
    return {
        "jose": SurvivorFactory(team=team, legal_first_name="José", legal_last_name="Peña Ortiz",
                                phone="+12025550123", date_of_birth=date(1979, 11, 30)),
        "ann": SurvivorFactory(team=team, legal_first_name="Ann", legal_last_name="Lee", phone="+12025550999",
                               date_of_birth=date(1990, 1, 2)),
    }


def search(client, **query):
    response = client.post(URL, query)
    assert response.status_code == 302 and response.url == URL  # nothing of the query in the URL
    return client.get(URL)


def found(response):
    return {s.pk for s in response.context["page"]}


@pytest.mark.parametrize("name", ["pena", "PEÑA", "jose", "ortiz pen", "osé"])
def test_a_part_of_the_name_finds_the_person_whatever_the_accents_or_case(client, login, users, people, name):
    login(users[Role.OUTREACH])
    assert found(search(client, name=name)) == {people["jose"].pk}


@pytest.mark.parametrize("phone", ["(202) 555-0123", "202.555.0123", "2025550123", "+1 202 555 0123", "1-202-555-0123"])
def test_a_phone_in_any_common_format_finds_the_person(client, login, users, people, phone):
    login(users[Role.OUTREACH])
    assert found(search(client, phone=phone)) == {people["jose"].pk}


def test_a_date_of_birth_finds_the_person(client, login, users, people):
    login(users[Role.OUTREACH])
    assert found(search(client, date_of_birth="1990-01-02")) == {people["ann"].pk}
    assert found(search(client, date_of_birth="01/02/1990")) == {people["ann"].pk}


def test_an_incident_number_finds_the_person_it_happened_to(client, login, users, people):
    OverdoseEventFactory(survivor=people["ann"], source_incident_number="PD-77-1234")
    login(users[Role.OUTREACH])
    assert found(search(client, incident_number="pd-77-1234")) == {people["ann"].pk}


def test_another_teams_survivor_is_never_found(client, login, users, people, other_team):
    SurvivorFactory(team=other_team, legal_first_name="José", legal_last_name="Peña", phone="+12025550123")
    login(users[Role.COORDINATOR])
    assert found(search(client, name="pena")) == {people["jose"].pk}
    assert found(search(client, phone="2025550123")) == {people["jose"].pk}


def test_a_bad_phone_or_an_empty_search_says_what_to_fix(client, login, users, people):
    login(users[Role.OUTREACH])
    assert "valid phone number" in client.post(URL, {"phone": "12"}).content.decode()
    assert "Type a name" in client.post(URL, {}).content.decode()


def test_results_are_paginated_with_only_a_page_number_in_the_url(client, login, users, team):
    for i in range(30):
        SurvivorFactory(team=team, legal_first_name=f"Sam{i}", legal_last_name="Rivers")
    login(users[Role.OUTREACH])
    first = search(client, name="rivers")
    assert len(first.context["page"]) == 25 and first.context["page"].paginator.count == 30
    second = client.get(URL + "?page=2")
    assert len(second.context["page"]) == 5
    assert 'href="?page=2"' in first.content.decode()


def test_the_list_shows_the_risk_flag_and_last_event(client, login, users, people):
    people["ann"].high_risk = True
    people["ann"].save()
    OverdoseEventFactory(survivor=people["ann"], occurred_at=timezone.now() - timedelta(days=3))
    login(users[Role.OUTREACH])
    html = search(client, name="lee").content.decode()
    assert "High risk" in html
