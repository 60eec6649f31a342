"""Every view of a person's page, create, change, delete, merge, export and message writes an audit row."""

import pytest
from django.db import transaction
from django.urls import reverse

from followups.messaging.services import queue_one_off_text
from port.accounts.roles import Role
from port.audit.models import AuditEvent
from survivors.models import Survivor
from survivors.services import create_survivor, merge_survivors, soft_delete_survivor, update_survivor
from tests.factories import SurvivorFactory

pytestmark = pytest.mark.django_db


def audit_row(action, obj):
    return AuditEvent.objects.get(action=action, object_type=obj._meta.label_lower, object_id=str(obj.pk))


def assert_no_personal_values(row, survivor):
    for value in (survivor.legal_first_name, survivor.legal_last_name, str(survivor.phone), survivor.address):
        assert value and value not in row.detail


def test_viewing_a_persons_page_is_audited_with_who_role_and_ip(client, users, team):
    survivor = SurvivorFactory(team=team)
    client.force_login(users[Role.OUTREACH])
    assert client.get(reverse("survivors:detail", args=[survivor.pk]), REMOTE_ADDR="10.0.0.7").status_code == 200
    row = audit_row("view", survivor)
    assert (row.user, row.role, row.survivor_id, row.ip) == (users[Role.OUTREACH], "outreach", survivor.pk, "10.0.0.7")
    assert_no_personal_values(row, survivor)


def test_a_partner_viewing_the_page_is_audited_too(client, users, team):
    survivor = SurvivorFactory(team=team)
    client.force_login(users[Role.PARTNER])
    client.get(reverse("survivors:detail", args=[survivor.pk]))
    assert AuditEvent.objects.filter(action="view", survivor_id=survivor.pk, role="partner").exists()


def test_create_change_delete_and_merge_are_audited(users, team):
    coordinator, admin = users[Role.COORDINATOR], users[Role.ADMIN]
    survivor = create_survivor(
        by=coordinator, team=team, legal_first_name="Wilhelmina", legal_last_name="Quorrington",
        phone="+12025550142", address="17 Larkspur Way",
    )
    assert audit_row("create", survivor).user == coordinator

    update_survivor(survivor, by=coordinator, address="88 Foxglove Court")
    change = audit_row("change", survivor)
    assert "address" in change.detail and "Foxglove" not in change.detail

    duplicate = SurvivorFactory(team=team, legal_first_name="Wilhelmina", legal_last_name="Quorrington")
    merge_survivors(survivor, duplicate, by=coordinator)
    assert audit_row("merge", survivor).survivor_id == survivor.pk
    assert audit_row("merge", duplicate).survivor_id == duplicate.pk

    soft_delete_survivor(survivor, by=admin)
    deleted = audit_row("delete", survivor)
    assert (deleted.user, deleted.role) == (admin, "admin")
    for row in AuditEvent.objects.filter(survivor_id=survivor.pk):
        assert_no_personal_values(row, survivor)


def test_the_audit_row_is_written_in_the_same_transaction_as_the_action(users, team):
    with pytest.raises(RuntimeError), transaction.atomic():
        create_survivor(by=users[Role.COORDINATOR], team=team, legal_first_name="Ada", legal_last_name="Rollback")
        raise RuntimeError("the save fails after the audit row")
    assert not Survivor.objects.filter(legal_last_name="Rollback").exists()
    assert not AuditEvent.objects.filter(action="create").exists()


def test_an_export_is_audited(client, users):
    client.force_login(users[Role.SUPERVISOR])
    response = client.get(reverse("dashboards:export_deidentified"))
    assert response.status_code == 200
    row = AuditEvent.objects.get(action="export")
    assert (row.user, row.role) == (users[Role.SUPERVISOR], "supervisor")


def test_a_message_sent_is_audited(users, team):
    survivor = SurvivorFactory(team=team, safe_to_text=True)
    message = queue_one_off_text(
        survivor, by=users[Role.OUTREACH], body="Hi, it's Sam from the community program.", token="t-1"
    )
    row = audit_row("message", message)
    assert (row.user, row.survivor_id) == (users[Role.OUTREACH], survivor.pk)
    assert "Sam" not in row.detail
