"""Shared fixtures: a team, one user per role, and clients logged in as each.

Two-factor in tests: supervisors and admins must pass a TOTP code (OTP_ENFORCED stays on in
the suite). `client.force_login(user)` (any django.test.Client, so also the `login` fixture)
therefore leaves the session exactly as the real verify page does: the user gets a confirmed
TOTP device and the session holds its persistent id under django_otp's `otp_device_id`, which
OTPMiddleware checks on every request. Pass `otp=False` for a password-only session, as the
two-factor tests do; `totp_code(user)` gives the current code of the user's device, for
logging in through the real forms (browser journeys).
"""

import pytest
from django.core.cache import cache
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from port.accounts.roles import Role

from .factories import TeamFactory, UserFactory

_django_force_login = Client.force_login


def confirmed_totp_device(user):
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)


def totp_code(user_or_device):
    """The code an authenticator app shows now for the user's (or this) device."""

    device = user_or_device if isinstance(user_or_device, TOTPDevice) else confirmed_totp_device(user_or_device)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def _force_login_with_second_factor(self, user, backend=None, *, otp=True):
    _django_force_login(self, user, backend)
    if otp and user.needs_otp:
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = confirmed_totp_device(user).persistent_id
        session.save()


@pytest.fixture(autouse=True)
def _force_login_passes_two_factor(monkeypatch):
    monkeypatch.setattr(Client, "force_login", _force_login_with_second_factor)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield


@pytest.fixture
def team(db):
    return TeamFactory(name="North County PORT")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="South County PORT")


@pytest.fixture
def make_user(db, team):
    def make(role=Role.OUTREACH, teams=None, **kwargs):
        return UserFactory(role=role, teams=teams if teams is not None else [team], **kwargs)

    return make


@pytest.fixture
def users(make_user):
    return {role: make_user(role=role, username=str(role)) for role in Role}


@pytest.fixture
def login(client):
    """Log the test client in as a user (a session as after a full login, second factor included)."""

    def do_login(user, c=None):
        c = c or client
        c.force_login(user)
        return c

    return do_login


@pytest.fixture(name="totp_code")
def totp_code_fixture(db):
    """totp_code(user) -> the 6-digit code for the user's device (created, confirmed, if none)."""

    return totp_code
