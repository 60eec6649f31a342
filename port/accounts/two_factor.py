"""Two-factor authentication (TOTP): who needs it, setting up a device, and checking a code."""

import base64
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from port.audit.services import record_event

# Set at login when the user already has a device: then the code is asked for even where the
# program does not require two-factor for the user's role.
ENROLLED_SESSION_KEY = "otp_enrolled"
DEVICE_NAME = "Authenticator app"


def has_confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def second_factor_pending(request):
    """True when this session must still pass the second factor before seeing anything else."""

    user = getattr(request, "user", None)
    if not settings.OTP_ENFORCED or user is None or not user.is_authenticated:
        return False
    if not (user.needs_otp or request.session.get(ENROLLED_SESSION_KEY)):
        return False
    is_verified = getattr(user, "is_verified", None)  # installed by django_otp's OTPMiddleware
    return not (is_verified and is_verified())


def pending_device(user):
    """The device being set up (not yet confirmed): reused, so reloading shows the same code."""

    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def qr_data_uri(device):
    """The device's otpauth:// URL as an SVG QR code in a data URI (the CSP allows data: images)."""

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def manual_key(device):
    """The secret in base32, in groups of four, for typing into an app without the camera."""

    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


MISMATCH = "That code did not match. Check the phone's clock is right, then enter the code the app shows now."
THROTTLED = "Too many wrong codes. Wait a minute, then enter the code your app shows now."


def _throttled(device):
    allowed, _ = device.verify_is_allowed()
    return not allowed


def confirm_device(request, device, token):
    """Confirm a new device with a code from it (it replaces the user's previous devices).

    Returns "" on success, otherwise the message to show next to the code field.
    """

    if _throttled(device):
        return THROTTLED
    if not device.verify_token(token):
        return MISMATCH
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        record_event(request, "change", device.user, detail="two-factor device set up")
    otp_login(request, device)
    request.session[ENROLLED_SESSION_KEY] = True
    return ""


def verify_second_factor(request, token):
    """Check a code against the user's devices; on success the session is verified.

    Returns "" on success, otherwise the message to show next to the code field.
    """

    devices = list(TOTPDevice.objects.filter(user=request.user, confirmed=True))
    if devices and all(_throttled(device) for device in devices):
        return THROTTLED
    for device in devices:
        if device.verify_token(token):
            otp_login(request, device)
            record_event(request, "login", request.user, detail="second factor")
            return ""
    record_event(request, "login_failed", request.user, detail="wrong second-factor code")
    return MISMATCH
