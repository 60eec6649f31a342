"""Session timeouts, the second factor, clinical redaction and no-store caching for personal data."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from port.crypto import clinical_fields_redacted

from .two_factor import has_confirmed_device, second_factor_pending


class SessionTimeoutMiddleware:
    """Logs a user out after idle minutes, and after absolute hours whatever they do.

    The last activity is written to the session at most every SESSION_LAST_SEEN_RESOLUTION_SECONDS,
    so most requests do not write the session at all (an UPDATE and a commit each). The time kept is
    then up to that much older than the real last request: the idle timeout can come that much
    early, never late.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            started = request.session.setdefault("started_at", now)
            last_seen = request.session.get("last_seen_at")
            if last_seen is None:
                request.session["last_seen_at"] = last_seen = now
            idle_limit = settings.SESSION_IDLE_TIMEOUT_MINUTES * 60
            absolute_limit = settings.SESSION_ABSOLUTE_TIMEOUT_HOURS * 3600
            if now - last_seen > idle_limit or now - started > absolute_limit:
                reason = "idle" if now - last_seen > idle_limit else "absolute"
                request.logout_reason = f"session timeout ({reason})"  # the logout signal audits it
                logout(request)
                response = redirect_to_login(request.get_full_path())
                if request.headers.get("HX-Request") == "true":
                    # htmx would swap the login page into a fragment: send the whole page there.
                    return HttpResponseClientRedirect(response["Location"])
                return response
            if now - last_seen >= settings.SESSION_LAST_SEEN_RESOLUTION_SECONDS:
                request.session["last_seen_at"] = now
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages for signed-in users hold personal data: browsers and proxies must not keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "no-store, private"
            response["Pragma"] = "no-cache"
        return response


# Pages a user waiting for the second factor may still open.
OTP_EXEMPT_URL_NAMES = {"otp_setup", "otp_verify", "logout", "healthz"}


class OTPRequiredMiddleware:
    """Until the session passed the second factor, a user who needs it sees only the OTP pages.

    Needed for supervisors and admins always, for everyone under OTP_REQUIRED_FOR_ALL, and for
    anyone who has set up a device; off only where OTP_ENFORCED is false (the demo).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is not None and match.url_name in OTP_EXEMPT_URL_NAMES and not match.namespace:
            return None
        if not second_factor_pending(request):
            return None
        target = "otp_verify" if has_confirmed_device(request.user) else "otp_setup"
        url = f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return redirect(url)


class ClinicalAccessMiddleware:
    """For a role without clinical access, encrypted clinical fields read as empty all request long."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.sees_clinical:
            return self.get_response(request)
        with clinical_fields_redacted():
            response = self.get_response(request)
        if response.streaming:
            # A streamed export is produced after this returns: keep redacting while it is.
            response.streaming_content = _redacted_chunks(response.streaming_content)
        return response


def _redacted_chunks(chunks):
    iterator = iter(chunks)
    while True:
        with clinical_fields_redacted():
            try:
                chunk = next(iterator)
            except StopIteration:
                return
        yield chunk
