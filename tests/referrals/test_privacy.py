"""Who sees referrals: never a partner (limited) account, and only one's own teams' (404 otherwise)."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from port.accounts.roles import Role
from referrals.models import Referral
from referrals.selectors import survivor_referrals
from tests.factories import ContactAttemptFactory, FamilyMemberFactory, SurvivorFactory, TeamFactory

pytestmark = pytest.mark.django_db


def referral_pages(referral, survivor, family_member):
    return [
        reverse("referrals:list"),
        reverse("referrals:detail", args=[referral.pk]),
        reverse("referrals:create_for_survivor", args=[survivor.pk]),
        reverse("referrals:create_for_family", args=[family_member.pk]),
        reverse("referrals:resource_list"),
        reverse("referrals:directory_export"),
    ]


def test_a_partner_gets_no_referral_page(client, login, users, refer, survivor, family_member):
    referral = refer(survivor=survivor)
    login(users[Role.PARTNER])

    for url in referral_pages(referral, survivor, family_member):
        assert client.get(url).status_code in (403, 404), url
    for url in (reverse("referrals:change_status", args=[referral.pk]),
                reverse("referrals:treatment_progress", args=[referral.pk])):
        assert client.post(url, {"to_status": "closed"}).status_code in (403, 404)
    referral.refresh_from_db()
    assert referral.status == "made"


def test_a_partner_sees_no_referral_through_the_shared_query(users, refer):
    refer()

    assert not Referral.objects.visible_to(users[Role.PARTNER]).exists()


def render_section(user, survivor):
    return render_to_string(
        "referrals/includes/survivor_referrals.html",
        {"referrals": survivor_referrals(survivor), "survivor": survivor, "user": user},
    )


def test_the_survivor_page_section_renders_nothing_for_a_partner(users, refer, survivor, family_member):
    refer(survivor=survivor)

    assert render_section(users[Role.PARTNER], survivor).strip() == ""


def test_the_survivor_page_section_shows_each_referral_with_its_status_for_staff(
    users, refer, survivor, family_member, family_group, worker
):
    from referrals.services import change_referral_status

    change_referral_status(refer(survivor=survivor), "accepted", by=worker)
    refer(family_member=family_member, service=family_group.services.get())

    html = render_section(users[Role.OUTREACH], survivor)

    assert "Riverside Recovery Clinic" in html and "Accepted" in html
    assert "Families Together" in html and "For Rosa Reyes (mother)" in html
    assert reverse("referrals:create_for_survivor", args=[survivor.pk]) in html
    assert reverse("referrals:create_for_family", args=[family_member.pk]) in html


def test_another_teams_referral_is_not_found(client, login, users, refer):
    elsewhere = TeamFactory(name="Elsewhere PORT")
    referral = refer(survivor=SurvivorFactory(team=elsewhere))
    login(users[Role.OUTREACH])

    assert client.get(reverse("referrals:detail", args=[referral.pk])).status_code == 404
    assert client.post(reverse("referrals:change_status", args=[referral.pk]),
                       {"to_status": "closed"}).status_code == 404
    assert referral not in client.get(reverse("referrals:list")).context["page"].object_list


def test_no_referral_can_be_made_for_another_teams_people(client, login, users):
    elsewhere = TeamFactory(name="Elsewhere PORT")
    survivor = SurvivorFactory(team=elsewhere)
    member = FamilyMemberFactory(survivor=survivor)
    login(users[Role.OUTREACH])

    assert client.get(reverse("referrals:create_for_survivor", args=[survivor.pk])).status_code == 404
    assert client.get(reverse("referrals:create_for_family", args=[member.pk])).status_code == 404


def test_a_supervisor_sees_every_teams_referrals(client, login, users, refer):
    referral = refer(survivor=SurvivorFactory(team=TeamFactory(name="Elsewhere PORT")))
    login(users[Role.SUPERVISOR])

    assert client.get(reverse("referrals:detail", args=[referral.pk])).status_code == 200


def test_a_contact_attempt_of_someone_else_cannot_be_attached(client, login, users, survivor):
    other_attempt = ContactAttemptFactory(followup__event__survivor=SurvivorFactory(team=survivor.team),
                                          followup__event__team=survivor.team)
    login(users[Role.OUTREACH])

    url = reverse("referrals:create_for_survivor", args=[survivor.pk])
    assert client.get(f"{url}?attempt={other_attempt.pk}").status_code == 404


def test_a_referral_made_from_a_contact_attempt_is_linked_to_it(client, login, users, survivor, clinic_service):
    attempt = ContactAttemptFactory(followup__event__survivor=survivor, followup__event__team=survivor.team,
                                    outcome="reached_engaged")
    login(users[Role.OUTREACH])

    url = reverse("referrals:create_for_survivor", args=[survivor.pk])
    response = client.post(f"{url}?attempt={attempt.pk}",
                           {"service": clinic_service.pk, "handoff": "information_only"})

    assert response.status_code == 302
    assert Referral.objects.get(survivor=survivor).contact_attempt == attempt


def test_the_survivor_page_shows_referrals_with_their_status_to_staff_and_nothing_to_a_partner(
    client, login, users, refer, survivor, worker
):
    from referrals.services import change_referral_status

    change_referral_status(refer(survivor=survivor), "connected", by=worker)
    url = reverse("survivors:detail", args=[survivor.pk])

    staff_page = login(users[Role.OUTREACH]).get(url).content.decode()
    assert "Riverside Recovery Clinic" in staff_page and "Connected" in staff_page
    assert "Make a referral" in staff_page

    partner_page = login(users[Role.PARTNER]).get(url)
    assert partner_page.status_code in (200, 404)
    html = partner_page.content.decode()
    assert "Riverside Recovery Clinic" not in html
    assert 'id="h-referrals"' not in html
    assert "Make a referral" not in html
