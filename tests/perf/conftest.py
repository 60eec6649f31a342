"""Fixtures for the scale and fault tests."""

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 costs seconds per user on a busy machine; these tests are not about passwords."""

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
