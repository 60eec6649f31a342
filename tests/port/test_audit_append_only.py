"""The audit table refuses UPDATE and DELETE at the database, whatever the application does."""

import pytest
from django.db import DatabaseError, connection, transaction

from port.audit.models import AuditEvent
from port.audit.services import record_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def row(users):
    return record_event(None, "view", None, user=next(iter(users.values())), survivor_id=42, detail="survivor page")


def test_rows_can_be_added(row):
    assert AuditEvent.objects.filter(pk=row.pk, survivor_id=42).exists()


def test_the_database_refuses_an_update(row):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET detail = 'edited' WHERE id = %s", [row.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=row.pk).update(action="change")
    row.refresh_from_db()
    assert (row.action, row.detail) == ("view", "survivor page")


def test_the_database_refuses_a_delete(row):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [row.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        row.delete()
    assert AuditEvent.objects.filter(pk=row.pk).exists()
