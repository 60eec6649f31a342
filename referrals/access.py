"""Who may open the referral pages: clinical roles for referrals, coordinators for directory edits."""

from functools import wraps

from django.core.exceptions import PermissionDenied


def _requires(allowed, refusal):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not allowed(request.user):
                raise PermissionDenied(refusal)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# Referrals are clinical detail: a partner (limited) account gets 403 on every referral page.
clinical_required = _requires(lambda user: user.sees_clinical, "Referrals are not shown to partner accounts.")
# Creating, editing and importing the directory is for coordinators, supervisors and admins.
coordination_required = _requires(lambda user: user.coordinates, "Only coordinators manage the resource directory.")
