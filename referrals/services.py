"""Writes for referrals: making one, moving it through its statuses, recording treatment progress.

Views, the check-in sweep, the demo and tests all call these verbs; the rules live here once.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from port.audit.services import record_event
from survivors.models import Consent, Survivor

from .models import Referral, ReferralStatusChange

Status = Referral.Status

# Where a referral may go from each status. "Made" is set by make_referral only.
ALLOWED_TRANSITIONS = {
    Status.MADE: {Status.ACCEPTED, Status.CONNECTED, Status.DECLINED, Status.NO_SHOW, Status.CLOSED},
    Status.ACCEPTED: {Status.CONNECTED, Status.DECLINED, Status.NO_SHOW, Status.CLOSED},
    # A missed appointment can be rebooked.
    Status.NO_SHOW: {Status.ACCEPTED, Status.CLOSED},
    Status.CONNECTED: {Status.CLOSED},
    Status.DECLINED: {Status.CLOSED},
    Status.CLOSED: set(),
}


class TransitionRefused(ValidationError):
    """The requested status change is not allowed from the referral's current status."""


def allowed_next_statuses(referral):
    allowed = ALLOWED_TRANSITIONS[Status(referral.status)]
    return [(value, label) for value, label in Status.choices if value in allowed]


def transition_refusal(referral, to_status):
    """The sentence a worker reads when a status change is not allowed."""

    allowed = ", ".join(label for _, label in allowed_next_statuses(referral)) or "nothing (it is closed)"
    try:
        wanted = Status(to_status).label.lower()
    except ValueError:
        wanted = repr(to_status)
    return (
        f"A referral that is {Status(referral.status).label.lower()} cannot become {wanted}; "
        f"it can become: {allowed.lower()}."
    )


def has_share_consent(*, organization, survivor=None, family_member=None, when=None):
    """An active consent of kind "share" naming this organisation, given by this very person."""

    consents = Consent.objects.active_at(when).filter(kind=Consent.Kind.SHARE, organization=organization)
    if family_member is not None:
        consents = consents.filter(family_member=family_member)
    else:
        consents = consents.filter(survivor=survivor, family_member__isnull=True)
    return consents.exists()


@transaction.atomic
def make_referral(
    *,
    by,
    organization,
    service=None,
    survivor=None,
    family_member=None,
    category="",
    handoff=Referral.Handoff.INFORMATION_ONLY,
    shares_identity=None,
    appointment_at=None,
    contact_attempt=None,
    notes="",
    at=None,
    request=None,
):
    """Record a referral with its first status, "made".

    A warm hand-off shares who the person is. Sharing needs an active "share" consent for the
    organisation: without one the referral is recorded as information only and
    `identity_withheld` says why, so the page can tell the worker.
    """

    if (survivor is None) == (family_member is None):
        raise ValidationError("A referral is for a survivor or for one family member.")
    if service is not None:
        if service.organization_id != organization.pk:
            raise ValidationError({"service": "This service belongs to another organisation."})
        category = service.category
    if not category:
        raise ValidationError({"category": "Choose what the referral is for."})
    at = at or timezone.now()
    if shares_identity is None:
        shares_identity = handoff != Referral.Handoff.INFORMATION_ONLY
    shares_identity = shares_identity or handoff != Referral.Handoff.INFORMATION_ONLY

    identity_withheld = False
    if shares_identity and not has_share_consent(
        organization=organization, survivor=survivor, family_member=family_member, when=at
    ):
        shares_identity, handoff, identity_withheld = False, Referral.Handoff.INFORMATION_ONLY, True

    case = survivor or family_member.survivor
    referral = Referral.objects.create(
        team=case.team,
        survivor=survivor,
        family_member=family_member,
        organization=organization,
        service=service,
        category=category,
        contact_attempt=contact_attempt,
        made_by=by,
        made_at=at,
        handoff=handoff,
        shares_identity=shares_identity,
        identity_withheld=identity_withheld,
        appointment_at=appointment_at,
        status=Status.MADE,
        status_changed_at=at,
        notes=notes,
    )
    ReferralStatusChange.objects.create(
        referral=referral, from_status="", to_status=Status.MADE, changed_by=by, changed_at=at,
        note="Information only: no active consent to share" if identity_withheld else "",
    )
    withheld = " (identity withheld: no consent)" if identity_withheld else ""
    record_event(
        request, "create", referral, user=by, survivor_id=case.pk,
        detail=f"{referral.category} {referral.handoff}{withheld}",
    )
    return referral


@transaction.atomic
def change_referral_status(referral, to_status, *, by, note="", appointment_at=None, at=None, request=None):
    """Move a referral to `to_status` if allowed, recording who, when and why. Returns the fresh row."""

    referral = Referral.objects.select_for_update(of=("self",)).select_related("family_member").get(pk=referral.pk)
    from_status = Status(referral.status)
    if to_status not in ALLOWED_TRANSITIONS[from_status]:
        raise TransitionRefused(transition_refusal(referral, to_status))
    at = at or timezone.now()
    ReferralStatusChange.objects.create(
        referral=referral, from_status=from_status, to_status=to_status, changed_by=by, changed_at=at,
        note=note[:300],
    )
    referral.status = to_status
    referral.status_changed_at = at
    fields = ["status", "status_changed_at"]
    if to_status == Status.CONNECTED:
        referral.connected_at = at
        fields.append("connected_at")
    if appointment_at is not None:
        referral.appointment_at = appointment_at
        fields.append("appointment_at")
    referral.save(update_fields=fields)
    record_event(
        request, "change", referral, user=by, survivor_id=referral.case_survivor_id,
        detail=f"status {from_status} -> {to_status}",
    )
    # The referral moved: a check-in asking whether it had moved is answered.
    close_referral_checks(referral, prefix="stale:")
    if to_status == Status.CONNECTED and referral.is_treatment and referral.survivor_id:
        Survivor.objects.filter(
            pk=referral.survivor_id, status__in=[Survivor.Status.ACTIVE, Survivor.Status.ENGAGED]
        ).update(status=Survivor.Status.IN_TREATMENT)
    return referral


TREATMENT_FIELDS = ("admitted_on", "moud_started", "moud_medication", "engaged_30d", "engaged_90d")


@transaction.atomic
def record_treatment_progress(referral, *, by, request=None, **progress):
    """Admission, MOUD and retention for a treatment referral; only the fields given change."""

    unknown = set(progress) - set(TREATMENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown treatment fields: {', '.join(sorted(unknown))}")
    referral = Referral.objects.select_for_update(of=("self",)).select_related("family_member").get(pk=referral.pk)
    if not referral.is_treatment:
        raise ValidationError("Admission, MOUD and retention are recorded for treatment referrals only.")
    for field, value in progress.items():
        setattr(referral, field, value)
    errors = {}
    if referral.admitted_on and referral.admitted_on < timezone.localdate(referral.made_at):
        errors["admitted_on"] = "The admission date is before the referral was made."
    if referral.admitted_on and referral.admitted_on > timezone.localdate():
        errors["admitted_on"] = "The admission date is in the future."
    if referral.moud_started and not referral.moud_medication:
        errors["moud_medication"] = "Say which medication was started."
    if not referral.moud_started:
        referral.moud_medication = ""
    asked_engagement = referral.engaged_30d is not None or referral.engaged_90d is not None
    if asked_engagement and referral.connected_at is None:
        errors["engaged_30d"] = "Retention is asked after the person connected with the service."
    if errors:
        raise ValidationError(errors)
    referral.save(update_fields=list(TREATMENT_FIELDS))
    record_event(
        request, "change", referral, user=by, survivor_id=referral.case_survivor_id,
        detail="treatment progress: " + ", ".join(sorted(progress)),
    )
    if referral.engaged_30d is not None:
        close_referral_checks(referral, prefix="engaged:30")
    if referral.engaged_90d is not None:
        close_referral_checks(referral, prefix="engaged:90")
    return referral


def close_referral_checks(referral, *, prefix):
    """Close the open check-in follow-ups for this referral whose key starts with `prefix`."""

    from followups.models import FollowUp
    from followups.services import close_followup

    open_checks = FollowUp.objects.filter(
        referral=referral,
        kind=FollowUp.Kind.REFERRAL_CHECK,
        status=FollowUp.Status.OPEN,
        pk__in=referral.checks.filter(key__startswith=prefix).values("followup_id"),
    )
    for followup in open_checks:
        close_followup(followup, FollowUp.Status.REACHED)
