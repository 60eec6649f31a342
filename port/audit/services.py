"""Writing audit rows: call `record_event` in the same transaction as the action itself."""

from .models import AuditEvent


def client_ip(request):
    if request is None:
        return None
    # Behind the compose proxy, the first X-Forwarded-For hop is the client.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def _survivor_id_of(obj):
    if obj is None:
        return None
    if obj.__class__.__name__ == "Survivor":
        return obj.pk
    return getattr(obj, "survivor_id", None)


def record_event(request, action, obj=None, *, user=None, detail="", survivor_id=None):
    """Append one audit row. `obj` is a model instance (stored by type and id only)."""

    event = build_event(request, action, obj, user=user, detail=detail, survivor_id=survivor_id)
    event.save(force_insert=True)
    return event


def build_event(request, action, obj=None, *, user=None, detail="", survivor_id=None):
    """The row `record_event` appends, unsaved: for writers that insert many in one statement."""

    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        user = candidate if candidate is not None and candidate.is_authenticated else None
    if user is not None and not getattr(user, "pk", None):
        user = None
    if obj is not None and obj.__class__.__name__ == "User" and action in ("login", "logout"):
        user = obj
    return AuditEvent(
        user=user,
        role=getattr(user, "role", "") if user else "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        survivor_id=survivor_id if survivor_id is not None else _survivor_id_of(obj),
        ip=client_ip(request),
        detail=detail[:300],
    )
