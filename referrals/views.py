"""Referral pages: the list, making one for a survivor or a family member, and one referral with its history."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from followups.models import ContactAttempt, FollowUp
from port.accounts.scoping import get_visible_or_404
from port.audit.services import record_event
from survivors.models import FamilyMember, Survivor

from . import selectors, services
from .access import clinical_required
from .checks import check_question
from .forms import ReferralFilterForm, ReferralForm, StatusChangeForm, TreatmentProgressForm
from .models import Category, Referral

DETAIL_RELATED = ("organization", "service", "made_by", "survivor", "family_member__survivor", "contact_attempt")


@clinical_required
def referral_list(request):
    form = ReferralFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    referrals = selectors.referrals_for(
        request.user, status=filters.get("status", ""), category=filters.get("category", "")
    )
    page = Paginator(referrals, 50).get_page(request.GET.get("page"))
    return render(request, "referrals/list.html", {"page_title": "Referrals", "form": form, "page": page})


@clinical_required
@require_http_methods(["GET", "POST"])
def create_for_survivor(request, pk):
    survivor = get_visible_or_404(Survivor.objects.active(), request.user, pk=pk)
    attempt = None
    attempt_id = request.GET.get("attempt", "")
    if attempt_id:
        # From the contact-attempt form: the attempt must be one of this survivor's, visible to the user.
        attempt = get_visible_or_404(
            ContactAttempt.objects.filter(followup__survivor=survivor),
            request.user,
            pk=attempt_id if attempt_id.isdigit() else 0,
        )
    return _make(request, survivor=survivor, attempt=attempt)


@clinical_required
@require_http_methods(["GET", "POST"])
def create_for_family(request, pk):
    family_member = get_visible_or_404(FamilyMember.objects.select_related("survivor"), request.user, pk=pk)
    return _make(request, family_member=family_member)


def _make(request, *, survivor=None, family_member=None, attempt=None):
    consents = selectors.share_consents(survivor=survivor, family_member=family_member)
    form = ReferralForm(request.POST or None, consented_org_ids={org_id for org_id, _ in consents})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        service = data["service"]
        try:
            referral = services.make_referral(
                by=request.user, organization=service.organization, service=service,
                survivor=survivor, family_member=family_member, handoff=data["handoff"],
                shares_identity=data["shares_identity"], appointment_at=data["appointment_at"],
                contact_attempt=attempt, notes=data["notes"], request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            if referral.identity_withheld:
                messages.warning(
                    request,
                    f"There is no active consent to share this person's details with {service.organization.name}, "
                    "so the referral was recorded as information only and nothing identifying was shared. "
                    "Record the person's consent to share, then make the warm hand-off.",
                )
            else:
                messages.success(request, f"Referral to {service.organization.name} recorded.")
            return redirect("referrals:detail", referral.pk)
    person = survivor or family_member
    return render(request, "referrals/referral_form.html", {
        "page_title": "Make a referral", "form": form, "survivor": survivor, "family_member": family_member,
        "case_survivor": survivor or family_member.survivor, "person": person, "attempt": attempt,
        "consents": consents, "categories": Category.choices,
    })


def _visible_referral(request, pk):
    return get_visible_or_404(Referral.objects.select_related(*DETAIL_RELATED), request.user, pk=pk)


@clinical_required
def referral_detail(request, pk):
    referral = _visible_referral(request, pk)
    record_event(request, "view", referral, survivor_id=referral.case_survivor_id)
    return _detail(request, referral)


def _detail(request, referral, *, status_form=None, treatment_form=None):
    if status_form is None and referral.status != Referral.Status.CLOSED:
        status_form = StatusChangeForm(referral=referral)
    if treatment_form is None and referral.is_treatment:
        treatment_form = TreatmentProgressForm(referral=referral)
    open_checks = [
        (check, check_question(check.key))
        for check in referral.checks.filter(followup__status=FollowUp.Status.OPEN).select_related("followup")
    ]
    return render(request, "referrals/detail.html", {
        "page_title": f"Referral to {referral.organization.name}",
        "referral": referral,
        "history": referral.status_changes.select_related("changed_by"),
        "status_form": status_form,
        "treatment_form": treatment_form,
        "open_checks": open_checks,
    })


@clinical_required
@require_POST
def change_status(request, pk):
    referral = _visible_referral(request, pk)
    form = StatusChangeForm(request.POST, referral=referral)
    if form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.change_referral_status(
                referral, data["to_status"], by=request.user, note=data["note"],
                appointment_at=data["appointment_at"], request=request,
            )
        except services.TransitionRefused as exc:
            form.add_error("to_status", exc.messages)
        else:
            messages.success(request, f"The referral is now {referral.get_status_display().lower()}.")
            return redirect("referrals:detail", referral.pk)
    return _detail(request, referral, status_form=form)


@clinical_required
@require_POST
def treatment_progress(request, pk):
    referral = _visible_referral(request, pk)
    form = TreatmentProgressForm(request.POST, referral=referral)
    if form.is_valid():
        try:
            services.record_treatment_progress(referral, by=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Treatment progress saved.")
            return redirect("referrals:detail", referral.pk)
    return _detail(request, referral, treatment_form=form)
