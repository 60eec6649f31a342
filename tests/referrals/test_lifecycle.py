"""A referral's life: made -> accepted -> connected -> closed, who and when at each step, refusals, treatment."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from port.accounts.roles import Role
from port.audit.models import AuditEvent
from referrals.models import Referral
from referrals.services import TransitionRefused, change_referral_status, record_treatment_progress
from survivors.models import Survivor

from .conftest import START

pytestmark = pytest.mark.django_db


def test_each_step_records_who_changed_it_when_and_why(refer, users):
    worker, coordinator = users[Role.OUTREACH], users[Role.COORDINATOR]
    with time_machine.travel(START, tick=False):
        referral = refer()
    with time_machine.travel(START + timedelta(days=1), tick=False):
        referral = change_referral_status(referral, "accepted", by=coordinator, note="Intake booked for Thursday")
    with time_machine.travel(START + timedelta(days=3), tick=False):
        referral = change_referral_status(referral, "connected", by=worker, note="Went with her to intake")

    history = list(referral.status_changes.values_list("from_status", "to_status", "changed_by", "changed_at", "note"))
    assert history == [
        ("", "made", worker.pk, START, ""),
        ("made", "accepted", coordinator.pk, START + timedelta(days=1), "Intake booked for Thursday"),
        ("accepted", "connected", worker.pk, START + timedelta(days=3), "Went with her to intake"),
    ]
    assert referral.status == "connected"
    assert referral.connected_at == START + timedelta(days=3)
    assert referral.status_changed_at == START + timedelta(days=3)


def test_a_closed_referral_cannot_be_reopened_and_nothing_is_recorded(refer, worker):
    referral = change_referral_status(refer(), "closed", by=worker)

    with pytest.raises(TransitionRefused, match="cannot become accepted"):
        change_referral_status(referral, "accepted", by=worker)

    referral.refresh_from_db()
    assert referral.status == "closed"
    assert referral.status_changes.count() == 2


def test_a_declined_referral_cannot_become_connected(refer, worker):
    referral = change_referral_status(refer(), "declined", by=worker)

    with pytest.raises(TransitionRefused, match="it can become: closed"):
        change_referral_status(referral, "connected", by=worker)


def test_a_no_show_can_be_rebooked(refer, worker):
    referral = change_referral_status(refer(), "no_show", by=worker, note="Missed intake")

    referral = change_referral_status(referral, "accepted", by=worker, note="Rebooked")

    assert referral.status == "accepted"


def test_the_status_form_changes_the_status_and_the_page_shows_the_history(client, login, refer, worker):
    referral = refer()
    login(worker)

    response = client.post(
        reverse("referrals:change_status", args=[referral.pk]),
        {"to_status": "accepted", "note": "Called the clinic", "appointment_at": "2030-05-06T14:30"},
        follow=True,
    )

    assert response.status_code == 200
    referral.refresh_from_db()
    assert referral.status == "accepted"
    assert timezone.localtime(referral.appointment_at).strftime("%Y-%m-%d %H:%M") == "2030-05-06 14:30"
    page = response.content.decode()
    assert "The referral is now accepted." in page
    assert "Called the clinic" in page
    assert str(worker) in page
    assert AuditEvent.objects.filter(action="change", object_type="referrals.referral", object_id=str(referral.pk),
                                     detail="status made -> accepted", user=worker).exists()


def test_the_status_form_refuses_a_transition_with_a_clear_message(client, login, refer, worker):
    referral = change_referral_status(refer(), "connected", by=worker)
    login(worker)

    response = client.post(reverse("referrals:change_status", args=[referral.pk]),
                           {"to_status": "made", "note": "oops"})

    assert response.status_code == 200
    assert "A referral that is connected cannot become made; it can become: closed." in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "connected"


def test_making_a_referral_is_audited(refer, worker):
    referral = refer()

    event = AuditEvent.objects.get(action="create", object_type="referrals.referral", object_id=str(referral.pk))
    assert event.user == worker
    assert event.survivor_id == referral.survivor_id


def test_treatment_progress_gives_days_to_admission_and_moud(refer, worker):
    with time_machine.travel(START, tick=False):
        referral = refer(handoff="information_only")
    with time_machine.travel(START + timedelta(days=2), tick=False):
        referral = change_referral_status(referral, "connected", by=worker)
        referral = record_treatment_progress(
            referral, by=worker, admitted_on=(START + timedelta(days=2)).date(), moud_started=True,
            moud_medication="buprenorphine",
        )

    assert referral.days_to_admission == 2
    assert referral.moud_medication == "buprenorphine"
    assert Survivor.objects.get(pk=referral.survivor_id).status == Survivor.Status.IN_TREATMENT


def test_moud_started_needs_the_medication(client, login, refer, worker):
    referral = refer()
    login(worker)

    response = client.post(reverse("referrals:treatment_progress", args=[referral.pk]),
                           {"admitted_on": "", "moud_started": "on", "moud_medication": ""})

    assert "Say which medication was started." in response.content.decode()
    referral.refresh_from_db()
    assert referral.moud_started is False


def test_retention_is_asked_only_after_the_person_connected(refer, worker):
    referral = refer()

    with pytest.raises(Exception, match="after the person connected"):
        record_treatment_progress(referral, by=worker, engaged_30d=True)


def test_non_treatment_referrals_have_no_treatment_progress(refer, worker, family_group):
    referral = refer(service=family_group.services.get())

    with pytest.raises(Exception, match="treatment referrals only"):
        record_treatment_progress(referral, by=worker, admitted_on=timezone.localdate())
    assert Referral.objects.get(pk=referral.pk).admitted_on is None


def test_the_page_offers_only_the_statuses_allowed_from_here(client, login, refer, worker):
    referral = change_referral_status(refer(), "connected", by=worker)
    login(worker)

    page = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()

    assert 'name="to_status" value="closed"' in page
    assert 'name="to_status" value="accepted"' not in page
    assert 'name="to_status" value="declined"' not in page
    assert AuditEvent.objects.filter(action="view", object_id=str(referral.pk), user=worker).exists()
