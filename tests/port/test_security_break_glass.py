"""Break-glass: a record outside one's teams opens only with a reason, for a few hours, audited."""

from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from followups.models import ContactAttempt, FollowUp
from port.accounts.break_glass import open_break_glass
from port.accounts.models import BreakGlassGrant
from port.accounts.roles import Role
from port.accounts.scoping import ScopedQuerySet, derive_survivor_path
from port.audit.models import AuditEvent
from referrals.models import Referral
from survivors.models import FamilyMember, OverdoseEvent, Survivor
from tests.factories import (
    ContactAttemptFactory,
    FamilyMemberFactory,
    FollowUpFactory,
    ReferralFactory,
    SurvivorFactory,
)

pytestmark = pytest.mark.django_db

REASON = "Emergency department called: the person asked for a peer worker"


@pytest.fixture
def outside(other_team):
    """A survivor of another team, with an event, a follow-up, an attempt, family and a referral."""

    survivor = SurvivorFactory(team=other_team)
    attempt = ContactAttemptFactory(followup=FollowUpFactory(event__survivor=survivor))
    FamilyMemberFactory(survivor=survivor)
    ReferralFactory(survivor=survivor)
    return survivor, attempt


def visible_models(user, survivor):
    return {
        "survivor": Survivor.objects.visible_to(user).filter(pk=survivor.pk).exists(),
        "event": OverdoseEvent.objects.visible_to(user).filter(survivor=survivor).exists(),
        "followup": FollowUp.objects.visible_to(user).filter(survivor=survivor).exists(),
        "attempt": ContactAttempt.objects.visible_to(user).filter(followup__survivor=survivor).exists(),
        "family": FamilyMember.objects.visible_to(user).filter(survivor=survivor).exists(),
        "referral": Referral.objects.visible_to(user).filter(survivor=survivor).exists(),
    }


def test_a_record_outside_the_teams_is_not_found_and_offers_emergency_access(client, users, outside):
    survivor, _ = outside
    client.force_login(users[Role.OUTREACH])
    response = client.get(reverse("survivors:detail", args=[survivor.pk]))
    assert response.status_code == 404
    assert reverse("break_glass_for", args=[survivor.pk]) in response.content.decode()


def test_with_a_reason_the_record_opens_for_three_hours_then_closes(client, users, outside, settings):
    survivor, _ = outside
    outreach = users[Role.OUTREACH]
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(outreach)
        response = client.post(
            reverse("break_glass_for", args=[survivor.pk]), {"survivor_id": survivor.pk, "reason": REASON}, follow=True
        )
        assert response.redirect_chain[-1][0] == reverse("survivors:detail", args=[survivor.pk])
        assert response.status_code == 200
        assert "Emergency access until" in response.content.decode()
        assert all(visible_models(outreach, survivor).values())

    grant = BreakGlassGrant.objects.get(user=outreach, survivor_id=survivor.pk)
    assert grant.expires_at == start + timedelta(hours=settings.BREAK_GLASS_HOURS)
    assert grant.reason == REASON
    audit = AuditEvent.objects.get(action="break_glass")
    assert (audit.user, audit.survivor_id, audit.role) == (outreach, survivor.pk, "outreach")
    assert REASON not in audit.detail

    with time_machine.travel(start + timedelta(hours=settings.BREAK_GLASS_HOURS, minutes=-1), tick=False):
        assert all(visible_models(outreach, survivor).values())
    with time_machine.travel(start + timedelta(hours=settings.BREAK_GLASS_HOURS, minutes=1), tick=False):
        assert not any(visible_models(outreach, survivor).values())
        client.force_login(outreach)  # the old session timed out long ago
        assert client.get(reverse("survivors:detail", args=[survivor.pk])).status_code == 404


def test_a_supervisor_is_told_who_opened_which_record(client, users, outside):
    survivor, _ = outside
    Survivor.objects.filter(pk=survivor.pk).update(legal_first_name="Ottoline", legal_last_name="Quillfeather")
    client.force_login(users[Role.OUTREACH])
    client.post(reverse("break_glass"), {"survivor_id": survivor.pk, "reason": REASON})
    note = users[Role.SUPERVISOR].notifications.get()
    assert f"#{survivor.pk}" in note.text and str(users[Role.OUTREACH]) in note.text
    assert "Quillfeather" not in note.text and "Ottoline" not in note.text and REASON not in note.text
    assert note.url == f"{reverse('audit:log')}?survivor={survivor.pk}"


def test_without_a_real_reason_nothing_opens_and_the_number_is_kept(client, users, outside):
    survivor, _ = outside
    client.force_login(users[Role.OUTREACH])
    response = client.post(reverse("break_glass"), {"survivor_id": survivor.pk, "reason": "need it"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ensure this value has at least 10 characters" in html
    assert f'value="{survivor.pk}"' in html
    assert not BreakGlassGrant.objects.exists()


def test_an_unknown_number_says_so(client, users):
    client.force_login(users[Role.OUTREACH])
    response = client.post(reverse("break_glass"), {"survivor_id": 987654, "reason": REASON})
    assert "There is no record with that number" in response.content.decode()
    assert not BreakGlassGrant.objects.exists()


def test_a_record_already_in_the_teams_needs_no_emergency_access(client, users, team):
    survivor = SurvivorFactory(team=team)
    client.force_login(users[Role.OUTREACH])
    response = client.post(reverse("break_glass"), {"survivor_id": survivor.pk, "reason": REASON})
    assert response["Location"] == reverse("survivors:detail", args=[survivor.pk])
    assert not BreakGlassGrant.objects.exists()


def test_a_partner_can_never_break_the_glass(client, users, outside):
    survivor, _ = outside
    partner = users[Role.PARTNER]
    client.force_login(partner)
    assert client.get(reverse("break_glass")).status_code == 403
    assert client.post(reverse("break_glass"), {"survivor_id": survivor.pk, "reason": REASON}).status_code == 403
    with pytest.raises(PermissionDenied):
        open_break_glass(partner, survivor, REASON)
    # Even a grant written straight to the table opens nothing for a partner.
    BreakGlassGrant.objects.create(
        user=partner, survivor_id=survivor.pk, reason=REASON, expires_at=timezone.now() + timedelta(hours=1)
    )
    assert not any(visible_models(partner, survivor).values())


def test_a_grant_opens_only_that_survivor_for_only_that_user(users, outside, other_team, make_user):
    survivor, _ = outside
    neighbour = SurvivorFactory(team=other_team)
    colleague = make_user(role=Role.OUTREACH)
    open_break_glass(users[Role.OUTREACH], survivor, REASON)
    assert list(Survivor.objects.visible_to(users[Role.OUTREACH]).filter(team=other_team)) == [survivor]
    assert not Survivor.objects.visible_to(colleague).filter(pk__in=[survivor.pk, neighbour.pk]).exists()


def test_every_scoped_model_knows_its_way_to_the_survivor_and_scopes_with_a_grant(users, outside):
    """A new scoped model cannot escape break-glass (or break the query) by forgetting a declaration."""

    survivor, _ = outside
    outreach = users[Role.OUTREACH]
    open_break_glass(outreach, survivor, REASON)
    scoped = [m for m in apps.get_models() if issubclass(m._default_manager._queryset_class, ScopedQuerySet)]
    assert len(scoped) >= 8
    for model in scoped:
        path = derive_survivor_path(model)
        count = model.objects.visible_to(outreach).count()  # compiles and runs
        if path and model.objects.filter(**{f"{path}": survivor.pk}).exists():
            assert count >= 1, f"{model._meta.label}: the grant does not open the survivor's rows"


def test_the_supervisor_reviews_the_reason_in_the_audit_log(client, users, outside):
    survivor, _ = outside
    open_break_glass(users[Role.OUTREACH], survivor, REASON)
    note = users[Role.SUPERVISOR].notifications.get()
    client.force_login(users[Role.SUPERVISOR])
    html = client.get(note.url).content.decode()
    assert "Emergency access (break-glass)" in html
    assert REASON in html and str(users[Role.OUTREACH]) in html
    other = client.get(reverse("audit:log"), {"survivor": survivor.pk + 1000}).content.decode()
    assert REASON not in other
