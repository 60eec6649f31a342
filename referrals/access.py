"""Who may open the referral pages: clinical roles for referrals, coordinators for directory edits."""

from functools import wraps

from django.core.exceptions import PermissionDenied


def clinical_required(view):
    """Referrals are clinical detail: a partner (limited) user gets 403 on every referral page."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.sees_clinical:
            raise PermissionDenied("Referrals are not shown to partner accounts.")
        return view(request, *args, **kwargs)

    return wrapped


def coordination_required(view):
    """Creating, editing and importing the directory is for coordinators, supervisors and admins."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.coordinates:
            raise PermissionDenied("Only coordinators manage the resource directory.")
        return view(request, *args, **kwargs)

    return wrapped
