"""Encryption at rest for sensitive fields (clinical notes, substances), with key rotation.

Keys come from FIELD_ENCRYPTION_KEYS (newest first). MultiFernet encrypts with the first
and decrypts with any, so rotating is: put a new key first, run `rotate_field_keys`, then
drop the old key.
"""

import hashlib
import hmac
import json
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


def keyed_hash(value):
    """A stable keyed hash, for finding a sensitive value without storing it in the clear."""

    return hmac.new(settings.SEARCH_HASH_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; the empty string stays empty (nothing to hide)."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt_text(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt_text(value)


class EncryptedJSONField(models.TextField):
    """A JSON value (e.g. a list of substances) stored encrypted."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return self.get_default()
        return json.loads(decrypt_text(value))

    def to_python(self, value):
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    def get_prep_value(self, value):
        if value is None:
            return value
        return encrypt_text(json.dumps(value))

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj))
