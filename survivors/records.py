"""Writes for what surrounds a person: family members, consents, naloxone distributions.

Each verb sets who created or changed the row and writes its audit row in the same transaction.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from port.audit.services import record_event

from .models import Consent, FamilyMember, NaloxoneDistribution, Survivor


@transaction.atomic
def add_family_member(survivor, *, by, request=None, **fields):
    member = FamilyMember(survivor=survivor, created_by=by, updated_by=by, **fields)
    member.full_clean()
    member.save()
    record_event(request, "create", member, user=by)
    return member


@transaction.atomic
def update_family_member(member, *, by, request=None, **fields):
    changed = sorted(name for name, value in fields.items() if getattr(member, name) != value)
    for name, value in fields.items():
        setattr(member, name, value)
    member.updated_by = by
    member.full_clean()
    member.save()
    if changed:
        record_event(request, "change", member, user=by, detail="changed " + ", ".join(changed))
    return member


@transaction.atomic
def record_consent(survivor, *, by, request=None, **fields):
    """What the person (or a family member) agreed to; sharing needs a named organisation and purpose."""

    consent = Consent(survivor=survivor, created_by=by, updated_by=by, **fields)
    if consent.family_member_id and consent.family_member.survivor_id != survivor.pk:
        raise ValidationError("That family member belongs to someone else's record.")
    if consent.kind == Consent.Kind.SHARE and not (consent.organization_id and consent.purpose):
        raise ValidationError("Sharing needs the organisation it is shared with and the purpose.")
    if consent.expires_at and consent.expires_at <= consent.given_at:
        raise ValidationError("The consent must expire after it was given.")
    consent.full_clean()
    consent.save()
    record_event(request, "create", consent, user=by, detail=f"consent {consent.kind}")
    return consent


# Revoking these consents (the survivor's own) also turns off what they allowed.
_FLAG_FOR_KIND = {Consent.Kind.TEXT: "safe_to_text", Consent.Kind.VOICEMAIL: "safe_voicemail"}


@transaction.atomic
def revoke_consent(consent, *, by, request=None):
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.revoked_at:
        return consent
    consent.revoked_at = timezone.now()
    consent.revoked_by = by
    consent.updated_by = by
    consent.save(update_fields=["revoked_at", "revoked_by", "updated_by", "updated_at"])
    record_event(request, "change", consent, user=by, detail=f"consent {consent.kind} revoked")
    flag = _FLAG_FOR_KIND.get(consent.kind)
    if flag and consent.family_member_id is None:
        Survivor.objects.filter(pk=consent.survivor_id).update(**{flag: False, "updated_by": by})
    return consent


def consent_summary(consents, when=None):
    """Per kind, the consent in force (or None): the at-a-glance state on the survivor page."""

    when = when or timezone.now()
    summary = {kind: None for kind in Consent.Kind.values}
    for consent in consents:
        if consent.family_member_id is None and consent.is_active(when) and summary.get(consent.kind) is None:
            summary[consent.kind] = consent
    return [(Consent.Kind(kind).label, consent) for kind, consent in summary.items()]


@transaction.atomic
def record_naloxone(*, by, team, survivor=None, family_member=None, request=None, **fields):
    """Kits and test strips to a survivor, one of their family members, or someone anonymous."""

    if family_member is not None:
        survivor = family_member.survivor
    distribution = NaloxoneDistribution(
        team=team, survivor=survivor, family_member=family_member, given_by=fields.pop("given_by", by),
        created_by=by, updated_by=by, **fields,
    )
    if not (distribution.kits or distribution.test_strips):
        raise ValidationError("Give at least one kit or one test strip.")
    distribution.full_clean()
    distribution.save()
    record_event(request, "create", distribution, user=by, survivor_id=survivor.pk if survivor else None)
    return distribution
