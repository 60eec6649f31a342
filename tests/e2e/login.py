"""Logging in through the real login form and, for supervisors and admins, the real TOTP step."""

import base64

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD

OTP_SETUP = "/accounts/two-factor/"
OTP_VERIFY = "/accounts/two-factor/verify/"


def code_for_key(key: bytes, *, step=30, t0=0, digits=6, drift=0) -> str:
    """What an authenticator app shows now for this secret (RFC 6238, as django-otp checks it)."""

    return f"{TOTP(key, step, t0, digits, drift).token():0{digits}d}"


def log_in(journey, user, *, password=PASSWORD, check=True):
    """Fill the login form (checked like every other page) and land on the role's home page.

    A user who needs a second factor and has no device sets one up on the set-up page, with
    the key that page shows, as a person would type it into an app; one who has a device
    enters the code it shows now.
    """

    page = journey.page
    journey.goto("/accounts/login/")
    if check:
        journey.check("login")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("load")
    assert "/accounts/login/" not in page.url, f"login as {user.username} failed: still on {page.url}"
    if journey.path() == OTP_SETUP:
        if check:
            journey.check("two-factor set-up")
        shown = page.get_by_label("Set-up key").inner_text().replace(" ", "")
        key = base64.b32decode(shown + "=" * (-len(shown) % 8))
        page.get_by_label("Code").fill(code_for_key(key))
        page.get_by_role("button", name="Turn on").click()
        page.wait_for_load_state("load")
    elif journey.path() == OTP_VERIFY:
        if check:
            journey.check("two-factor code")
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        page.get_by_label("Code").fill(code_for_key(device.bin_key, step=device.step, t0=device.t0,
                                                    digits=device.digits, drift=device.drift))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state("load")
    assert not journey.path().startswith(OTP_SETUP), f"two-factor step failed for {user.username}: {page.url}"
    return page
