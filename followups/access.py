"""Who may open the follow-up pages: staff for a follow-up's page, coordinators to assign and close."""

from functools import wraps

from django.core.exceptions import PermissionDenied


def staff_required(view):
    """A follow-up's page holds notes and referrals: partner accounts use the visits list instead."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.sees_clinical:
            raise PermissionDenied("Partner accounts see the visits list only.")
        return view(request, *args, **kwargs)

    return wrapped


def coordinator_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.coordinates:
            raise PermissionDenied("Only coordinators assign follow-ups and confirm closings.")
        return view(request, *args, **kwargs)

    return wrapped
