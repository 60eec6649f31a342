"""Clinical fields are encrypted at rest, keys rotate, and a partner's request reads them as empty."""

import io

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import CommandError, call_command
from django.db import connection

from followups.models import ContactAttempt, FollowUp
from port.crypto import clinical_fields_redacted
from survivors.models import OverdoseEvent, Survivor
from tests.factories import ContactAttemptFactory, FollowUpFactory

pytestmark = pytest.mark.django_db

NOTE = "Sentinel-note: prefers mornings, started buprenorphine"
OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def raw(table, column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def make_case():
    followup = FollowUpFactory(
        event__substances=["fentanyl", "xylazine"], event__notes=NOTE, event__survivor__notes=NOTE
    )
    attempt = ContactAttemptFactory(followup=followup, notes=NOTE)
    return followup.event.survivor, followup.event, attempt


@pytest.fixture
def case():
    return make_case()


def read_back(survivor, event, attempt):
    return (
        Survivor.objects.get(pk=survivor.pk).notes,
        OverdoseEvent.objects.get(pk=event.pk).substances,
        ContactAttempt.objects.get(pk=attempt.pk).notes,
    )


def test_clinical_fields_are_stored_encrypted(case):
    survivor, event, attempt = case
    for table, column, pk in (("survivors_survivor", "notes", survivor.pk),
                              ("survivors_overdoseevent", "substances", event.pk),
                              ("followups_contactattempt", "notes", attempt.pk)):
        stored = raw(table, column, pk)
        assert stored.startswith("gAAAA") and "Sentinel" not in stored and "fentanyl" not in stored
    assert read_back(*case) == (NOTE, ["fentanyl", "xylazine"], NOTE)


def test_rotation_re_encrypts_everything_with_the_new_key(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    survivor, event, attempt = make_case()
    before = raw("survivors_survivor", "notes", survivor.pk)

    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]  # step 1: the new key first, the old one still there
    assert read_back(survivor, event, attempt) == (NOTE, ["fentanyl", "xylazine"], NOTE)
    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out)
    assert "survivors.survivor.notes: 1 value(s) re-encrypted" in out.getvalue()

    settings.FIELD_ENCRYPTION_KEYS = [NEW]  # step 3: the old key is gone
    assert read_back(survivor, event, attempt) == (NOTE, ["fentanyl", "xylazine"], NOTE)
    assert raw("survivors_survivor", "notes", survivor.pk) != before
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    with pytest.raises(InvalidToken):
        Survivor.objects.get(pk=survivor.pk)


def test_dropping_the_old_key_before_rotating_is_refused_with_a_clear_message(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    make_case()
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    with pytest.raises(CommandError, match="Keep every old key"):
        call_command("rotate_field_keys")


def test_redacted_reads_are_empty_however_the_row_is_loaded(case):
    survivor, event, attempt = case
    with clinical_fields_redacted():
        assert read_back(*case) == ("", [], "")
        loaded = ContactAttempt.objects.select_related("followup__event__survivor").get(pk=attempt.pk)
        assert (loaded.followup.event.notes, loaded.followup.event.survivor.notes) == ("", "")
        assert list(Survivor.objects.filter(pk=survivor.pk).values_list("notes", flat=True)) == [""]
        assert FollowUp.objects.get(pk=attempt.followup_id).event.substances == []


def test_saving_a_row_read_redacted_keeps_the_clinical_values(case):
    survivor, event, attempt = case
    with clinical_fields_redacted():
        for obj in (Survivor.objects.get(pk=survivor.pk), OverdoseEvent.objects.get(pk=event.pk)):
            obj.zip_code = "45099"
            obj.save()
    assert read_back(*case) == (NOTE, ["fentanyl", "xylazine"], NOTE)
    assert Survivor.objects.get(pk=survivor.pk).zip_code == "45099"
