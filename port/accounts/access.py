"""View decorators for role capabilities (roles.py says who holds each): one mechanism for every app."""

from functools import wraps

from django.core.exceptions import PermissionDenied


def requires(test, refusal):
    """A decorator that answers 403 with `refusal` unless `test(request.user)` holds."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not test(request.user):
                raise PermissionDenied(refusal)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
