"""Encryption at rest for sensitive fields (clinical notes, substances), with key rotation.

Keys come from FIELD_ENCRYPTION_KEYS (newest first). MultiFernet encrypts with the first
and decrypts with any, so rotating is: put a new key first, run `rotate_field_keys`, then
drop the old key.

For a request by a role without clinical access (the partner), every encrypted field reads
as empty, however the row was loaded (a page, an export, a search, a related object): the
middleware wraps the request in `clinical_fields_redacted()`. A redacted value remembers its
ciphertext, so saving such a row writes the ciphertext back unchanged and loses nothing.
"""

import contextvars
import hashlib
import hmac
import json
from contextlib import contextmanager
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys):
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def fernet():
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_text(value):
    return fernet().encrypt(value.encode()).decode()


def decrypt_text(token):
    return fernet().decrypt(token.encode()).decode()


_redacting = contextvars.ContextVar("port_clinical_fields_redacted", default=False)


@contextmanager
def clinical_fields_redacted(active=True):
    """Within this block, encrypted fields read as empty (Redacted) values."""

    token = _redacting.set(active)
    try:
        yield
    finally:
        _redacting.reset(token)


def redacting():
    return _redacting.get()


class Redacted(str):
    """An empty string standing for a clinical text the reader may not see."""

    def __new__(cls, ciphertext):
        obj = super().__new__(cls, "")
        obj.ciphertext = ciphertext
        return obj


class RedactedList(list):
    """An empty list standing for a clinical list (substances) the reader may not see."""

    def __init__(self, ciphertext):
        super().__init__()
        self.ciphertext = ciphertext


def keyed_hash(value):
    """A stable keyed hash, for finding a sensitive value without storing it in the clear."""

    return hmac.new(settings.SEARCH_HASH_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; the empty string stays empty (nothing to hide)."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        if _redacting.get():
            return Redacted(value)
        return decrypt_text(value)

    def get_prep_value(self, value):
        if isinstance(value, Redacted):
            return value.ciphertext
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt_text(value)


class EncryptedJSONField(models.TextField):
    """A JSON value (e.g. a list of substances) stored encrypted."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return self.get_default()
        if _redacting.get():
            return RedactedList(value)
        return json.loads(decrypt_text(value))

    def to_python(self, value):
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    def get_prep_value(self, value):
        if isinstance(value, RedactedList):
            return value.ciphertext
        if value is None:
            return value
        return encrypt_text(json.dumps(value))

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj))


def encrypted_fields():
    """(model, field) for every encrypted field of every installed model."""

    from django.apps import apps

    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField | EncryptedJSONField)
    ]


def rotate_encrypted_fields(batch_size=500):
    """Re-encrypt every stored value with the newest key; returns {"app.model.field": rows}.

    Reads and writes the raw tokens (no decrypt-to-Python round trip), one short transaction
    per batch; safe to run again or to interrupt: MultiFernet reads old and new tokens alike.
    """

    from django.db import connection, transaction

    counts = {}
    multi = fernet()
    for model, field in encrypted_fields():
        table, column = connection.ops.quote_name(model._meta.db_table), connection.ops.quote_name(field.column)
        pk = connection.ops.quote_name(model._meta.pk.column)
        rows_sql = f"SELECT {pk}, {column} FROM {table} WHERE {column} <> ''"  # noqa: S608
        first_batch = f"{rows_sql} ORDER BY {pk} LIMIT %s"
        next_batch = f"{rows_sql} AND {pk} > %s ORDER BY {pk} LIMIT %s"
        update = f"UPDATE {table} SET {column} = %s WHERE {pk} = %s"  # noqa: S608
        done, last = 0, None
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                if last is None:
                    cursor.execute(first_batch, [batch_size])
                else:
                    cursor.execute(next_batch, [last, batch_size])
                rows = cursor.fetchall()
                if not rows:
                    break
                cursor.executemany(update, [(multi.rotate(token.encode()).decode(), row_pk) for row_pk, token in rows])
            done += len(rows)
            last = rows[-1][0]
        counts[f"{model._meta.label_lower}.{field.name}"] = done
    return counts
