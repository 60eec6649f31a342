"""Break-glass: emergency access to one survivor outside the user's teams, for a few hours.

The grant is what `ScopedQuerySet.visible_to` reads, so every page, export and search shows
the survivor's rows to the user while it lasts and none after; nothing else changes.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from port.audit.services import record_event

from .models import BreakGlassGrant, User
from .notify import notify_user
from .roles import Role


def supervisors_to_notify(team_id):
    """The supervisors of the survivor's team; every supervisor when the team has none."""

    supervisors = User.objects.filter(role=Role.SUPERVISOR, is_active=True)
    of_team = list(supervisors.filter(teams=team_id))
    return of_team or list(supervisors) or list(User.objects.filter(role=Role.ADMIN, is_active=True))


def open_break_glass(user, survivor, reason, *, request=None):
    """Grant `user` access to `survivor` for BREAK_GLASS_HOURS; audited, supervisors notified."""

    if not user.may_break_glass:
        raise PermissionDenied("This role cannot use emergency access.")
    now = timezone.now()
    hours = settings.BREAK_GLASS_HOURS
    with transaction.atomic():
        grant = BreakGlassGrant.objects.create(
            user=user, survivor_id=survivor.pk, reason=reason, granted_at=now, expires_at=now + timedelta(hours=hours)
        )
        record_event(request, "break_glass", survivor, user=user, detail=f"emergency access for {hours} h")
        review_url = f"{reverse('audit:log')}?survivor={survivor.pk}"
        for supervisor in supervisors_to_notify(survivor.team_id):
            notify_user(
                supervisor,
                key=f"break-glass:{grant.pk}:{supervisor.pk}",
                text=f"{user} used emergency access to record #{survivor.pk}, outside their teams.",
                url=review_url,
            )
    user.forget_scope()
    return grant


def survivor_page_url(survivor_id):
    """The survivor's page (intake owns it), or the survivor list if it has no such page yet."""

    for name, kwargs in (("survivors:detail", {"pk": survivor_id}), ("survivors:detail", {"survivor_id": survivor_id})):
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return reverse("survivors:list")
