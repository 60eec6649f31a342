"""Navigation and the unread-notification badge for every page."""

from functools import cache

from .navigation import nav_for
from .two_factor import second_factor_pending


def navigation(request):
    """Both are worked out only if the template shows them (base.html does; an htmx fragment does not).

    A template calls a callable it is given; `cache` makes the second use (the badge shows the
    count twice) free.
    """

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if second_factor_pending(request):
        # Until the code is entered, every other page redirects: don't offer links to them.
        return {"nav_items": [], "unread_notifications": 0}
    return {
        "nav_items": cache(lambda: nav_for(user, request.path)),
        "unread_notifications": cache(lambda: user.notifications.filter(read_at__isnull=True).count()),
    }
