"""Read queries for follow-ups that several pages share."""

from .models import FollowUp


def open_followups_for(user):
    """The user's own open follow-ups, soonest deadline first."""

    return (
        FollowUp.objects.visible_to(user)
        .open()
        .filter(assigned_to=user)
        .select_related("survivor", "event", "assigned_to", "team")
        .order_by("deadline_at")
    )


def team_open_followups(user):
    return (
        FollowUp.objects.visible_to(user)
        .open()
        .select_related("survivor", "event", "assigned_to", "team")
        .order_by("deadline_at")
    )


def survivor_followups(survivor):
    """The follow-ups on a survivor's page, newest first, with their attempts (no per-row queries)."""

    return (
        FollowUp.objects.filter(survivor=survivor)
        .select_related("assigned_to")
        .prefetch_related("attempts__performed_by")
        .order_by("-target_at")
    )
