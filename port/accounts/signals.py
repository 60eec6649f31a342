"""Login, logout and failed logins go to the audit log."""

import time

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from port.audit.services import record_event

from .two_factor import ENROLLED_SESSION_KEY, has_confirmed_device


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    # A login starts the session clocks afresh (SessionTimeoutMiddleware reads them), written with
    # the login's own session save, so the next request has nothing to write.
    request.session["started_at"] = request.session["last_seen_at"] = time.time()
    # Someone who set up a device uses it, even where the program does not require it.
    request.session[ENROLLED_SESSION_KEY] = has_confirmed_device(user)
    record_event(request, "login", user)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        record_event(request, "logout", user, detail=getattr(request, "logout_reason", ""))


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # The username tried is not stored: it can be a mistyped password.
    record_event(request, "login_failed", None)
