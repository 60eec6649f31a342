"""The resource directory: search and each filter, and editing it (coordinators only)."""

import pytest
from django.urls import reverse

from port.accounts.roles import Role
from port.audit.models import AuditEvent
from referrals.models import Organization
from tests.factories import OrganizationFactory, ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(db):
    def org(name, category, **fields):
        o = OrganizationFactory(name=name, **fields)
        ServiceFactory(organization=o, category=category, name=f"{name} service",
                       medications="methadone" if category == "moud" else "")
        return o

    return {
        "moud": org("Opioid Treatment Program", "moud", languages="en", accepts_private=True),
        "detox": org("Harbor Detox", "detox", languages="en,es", accepts_medicaid=True, city="Lakeside"),
        "shelter": org("Safe Harbor Shelter", "housing", languages="es", accepts_uninsured=True, walk_in=True),
        "food": org("Pantry", "food", languages="ht,ase", walk_in=True, accepts_medicaid=True),
        "closed": org("Closed Clinic", "moud", languages="en", active=False),
    }


def names(client, **params):
    response = client.get(reverse("referrals:resource_list"), params)
    assert response.status_code == 200
    return [o.name for o in response.context["page"]]


@pytest.fixture
def staff_client(client, login, users):
    return login(users[Role.OUTREACH])


def test_the_directory_lists_active_organisations_by_name(staff_client, directory):
    assert names(staff_client) == ["Harbor Detox", "Opioid Treatment Program", "Pantry", "Safe Harbor Shelter"]


def test_search_finds_names_services_cities_and_medications(staff_client, directory):
    assert names(staff_client, q="harbor") == ["Harbor Detox", "Safe Harbor Shelter"]
    assert names(staff_client, q="lakeside") == ["Harbor Detox"]
    assert names(staff_client, q="methadone") == ["Opioid Treatment Program"]


def test_filter_by_category(staff_client, directory):
    assert names(staff_client, category="detox") == ["Harbor Detox"]
    assert names(staff_client, category="housing") == ["Safe Harbor Shelter"]


def test_filter_by_language_matches_whole_codes_only(staff_client, directory):
    assert names(staff_client, language="es") == ["Harbor Detox", "Safe Harbor Shelter"]
    assert names(staff_client, language="ase") == ["Pantry"]
    assert names(staff_client, language="en") == ["Harbor Detox", "Opioid Treatment Program"]


def test_filter_by_insurance(staff_client, directory):
    assert names(staff_client, insurance="medicaid") == ["Harbor Detox", "Pantry"]
    assert names(staff_client, insurance="uninsured") == ["Safe Harbor Shelter"]
    assert names(staff_client, insurance="private") == ["Opioid Treatment Program"]


def test_filter_by_walk_in(staff_client, directory):
    assert names(staff_client, walk_in="on") == ["Pantry", "Safe Harbor Shelter"]


def test_filters_combine(staff_client, directory):
    assert names(staff_client, language="es", walk_in="on") == ["Safe Harbor Shelter"]
    assert names(staff_client, category="food", insurance="private") == []


def test_the_directory_page_shows_what_a_worker_needs_to_hand_off(staff_client, clinic):
    page = staff_client.get(reverse("referrals:resource_list")).content.decode()

    assert "Riverside Recovery Clinic" in page
    assert "Buprenorphine" in page
    assert "English, Spanish" in page
    assert "Walk-ins welcome" in page
    assert "Ask for the bridge nurse." in page
    assert 'href="tel:(202) 555-0199"' in page


def test_a_coordinator_adds_an_organisation_with_its_services(client, login, users):
    coordinator = users[Role.COORDINATOR]
    login(coordinator)

    response = client.post(reverse("referrals:organization_create"), {
        "name": "Lakeside Methadone", "phone": "202-555-0142", "zip_code": "45011", "languages": ["en", "es"],
        "accepts_medicaid": "on", "active": "on", "handoff_notes": "Call intake first",
        "services-TOTAL_FORMS": "1", "services-INITIAL_FORMS": "0", "services-MIN_NUM_FORMS": "0",
        "services-MAX_NUM_FORMS": "1000",
        "services-0-category": "moud", "services-0-name": "Methadone", "services-0-medications": ["methadone"],
    })

    assert response.status_code == 302
    org = Organization.objects.get(name="Lakeside Methadone")
    assert org.phone == "(202) 555-0142"
    assert org.languages == "en,es"
    assert list(org.services.values_list("category", "medications")) == [("moud", "methadone")]
    assert AuditEvent.objects.filter(action="create", object_type="referrals.organization", user=coordinator).exists()


def test_a_bad_entry_says_what_to_fix_and_keeps_what_was_typed(client, login, users):
    login(users[Role.COORDINATOR])

    response = client.post(reverse("referrals:organization_create"), {
        "name": "Food Bank", "phone": "12", "zip_code": "4501", "hours": "Mon 9-5",
        "services-TOTAL_FORMS": "1", "services-INITIAL_FORMS": "0", "services-MIN_NUM_FORMS": "0",
        "services-MAX_NUM_FORMS": "1000",
        "services-0-category": "food", "services-0-medications": ["methadone"],
    })

    assert response.status_code == 200
    page = response.content.decode()
    assert "is not a complete phone number" in page or "is not a phone number" in page
    assert "is not a ZIP code" in page
    assert "Medications are listed for MOUD services only." in page
    assert 'value="Mon 9-5"' in page
    assert not Organization.objects.exists()


def test_an_outreach_worker_reads_the_directory_but_cannot_edit_it(client, login, users, clinic):
    login(users[Role.OUTREACH])

    assert client.get(reverse("referrals:organization_create")).status_code == 403
    assert client.get(reverse("referrals:organization_edit", args=[clinic.pk])).status_code == 403
    assert client.get(reverse("referrals:directory_import")).status_code == 403
    assert "Add an organisation" not in client.get(reverse("referrals:resource_list")).content.decode()


def test_the_directory_page_query_count_does_not_grow_with_the_organisations(staff_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get(reverse("referrals:resource_list")).status_code == 200
        return len(ctx.captured_queries)

    for i in range(3):
        ServiceFactory(organization=OrganizationFactory(name=f"Small {i}"), category="food")
    few = count()
    for i in range(20):
        org = OrganizationFactory(name=f"Big {i}")
        ServiceFactory(organization=org, category="moud", medications="methadone")
        ServiceFactory(organization=org, category="detox")
    assert count() == few
