"""The scale dataset: every kind of row, consistent, readable by the app, at the scale asked for."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from followups.messaging.models import Message
from followups.models import ContactAttempt, FollowUp
from port.accounts.models import User
from port.perf.dataset import BENCH_PASSWORD
from referrals.models import Referral
from survivors.models import OverdoseEvent, Survivor
from survivors.text import search_fields

pytestmark = pytest.mark.django_db

LOADED = [Survivor, OverdoseEvent, FollowUp, ContactAttempt, Referral, Message]


@pytest.fixture
def dataset():
    call_command("generate_dataset", scale=0.002, verbosity=0)


def dangling_foreign_keys():
    """Rows pointing at nothing: the loader skips per-row FK checks, so check them all here."""

    found = {}
    with connection.cursor() as cursor:
        for model in LOADED:
            for field in model._meta.concrete_fields:
                if not field.is_relation:
                    continue
                target = field.related_model._meta
                cursor.execute(
                    f'SELECT count(*) FROM "{model._meta.db_table}" t LEFT JOIN "{target.db_table}" r '
                    f'ON r."{target.pk.column}" = t."{field.column}" '
                    f'WHERE t."{field.column}" IS NOT NULL AND r."{target.pk.column}" IS NULL'
                )
                if cursor.fetchone()[0]:
                    found[f"{model._meta.label}.{field.name}"] = True
    return found


def test_the_dataset_has_every_kind_of_row_at_the_scale_asked(dataset):
    assert Survivor.objects.count() == 200
    assert OverdoseEvent.objects.count() == 300
    assert ContactAttempt.objects.count() == 800
    assert Referral.objects.count() == 200
    assert Message.objects.count() == 400
    assert User.objects.filter(username__startswith="bench-").count() == 50
    assert dangling_foreign_keys() == {}


def test_its_follow_ups_are_in_every_state_and_some_are_due_now(dataset):
    statuses = set(FollowUp.objects.values_list("status", flat=True))
    assert statuses == {s.value for s in FollowUp.Status}
    now = timezone.now()
    assert FollowUp.objects.filter(status="open", target_at__lte=now, deadline_at__gt=now).exists()
    assert FollowUp.objects.filter(status="open", deadline_at__lte=now, escalated_at__isnull=False).exists()


def test_the_app_reads_it_names_search_and_encrypted_fields_decrypt(dataset):
    for survivor in Survivor.objects.all()[:50]:
        expected = search_fields(survivor.legal_first_name, survivor.legal_last_name, survivor.preferred_name)
        assert {name: getattr(survivor, name) for name in expected} == expected  # as save() fills them
    assert any(s.notes for s in Survivor.objects.exclude(notes=""))  # tokens decrypt to text
    assert all(isinstance(e.substances, list) for e in OverdoseEvent.objects.all()[:50])
    assert all(m.body for m in Message.objects.all()[:50])


def test_staff_log_in_with_the_known_password(dataset):
    user = User.objects.get(username="bench-outreach-1-1")
    assert user.check_password(BENCH_PASSWORD) and user.role == "outreach" and user.teams.exists()
