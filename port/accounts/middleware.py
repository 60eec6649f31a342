"""Session timeouts and no-store caching for pages with personal data."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

from port.audit.services import record_event


class SessionTimeoutMiddleware:
    """Logs a user out after idle minutes, and after absolute hours whatever they do."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            started = request.session.setdefault("started_at", now)
            last_seen = request.session.get("last_seen_at", now)
            idle_limit = settings.SESSION_IDLE_TIMEOUT_MINUTES * 60
            absolute_limit = settings.SESSION_ABSOLUTE_TIMEOUT_HOURS * 3600
            if now - last_seen > idle_limit or now - started > absolute_limit:
                reason = "idle" if now - last_seen > idle_limit else "absolute"
                record_event(request, "logout", user, detail=f"session timeout ({reason})")
                logout(request)
                return redirect_to_login(request.get_full_path())
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
