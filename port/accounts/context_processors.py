"""Navigation and the unread-notification badge for every page."""

from .navigation import nav_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_items": nav_for(user, request.path),
        "unread_notifications": user.notifications.filter(read_at__isnull=True).count(),
    }
