"""Read queries for referrals that several pages share."""

from .models import Referral


def survivor_referrals(survivor):
    """Referrals for a survivor and their family members, newest first."""

    return (
        Referral.objects.filter(survivor=survivor)
        .select_related("organization", "service", "made_by", "family_member")
        .order_by("-made_at")
    )
