"""Pages for family members, consents and naloxone distributions (forms that return to the survivor)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from port.accounts.scoping import get_visible_or_404

from . import records
from .access import clinical_required, default_team
from .models import Consent, FamilyMember, Survivor
from .record_forms import ConsentForm, FamilyMemberForm, NaloxoneForm


def _survivor(request, pk):
    return get_visible_or_404(Survivor.objects.active(), request.user, pk=pk)


def _form_page(request, form, survivor, title):
    return render(request, "survivors/record_form.html", {"page_title": title, "form": form, "survivor": survivor})


@clinical_required
@require_http_methods(["GET", "POST"])
def family_create(request, pk):
    survivor = _survivor(request, pk)
    form = FamilyMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        records.add_family_member(survivor, by=request.user, request=request, **form.cleaned_data)
        messages.success(request, "Family member added.")
        return redirect("survivors:detail", survivor.pk)
    return _form_page(request, form, survivor, f"Add a family member of {survivor.display_name}")


@clinical_required
@require_http_methods(["GET", "POST"])
def family_edit(request, pk):
    member = get_visible_or_404(FamilyMember.objects.select_related("survivor"), request.user, pk=pk)
    form = FamilyMemberForm(request.POST or None, instance=FamilyMember.objects.get(pk=member.pk))
    if request.method == "POST" and form.is_valid():
        records.update_family_member(member, by=request.user, request=request, **form.cleaned_data)
        messages.success(request, "Saved.")
        return redirect("survivors:detail", member.survivor_id)
    return _form_page(request, form, member.survivor, f"Edit {member.name}")


@clinical_required
@require_http_methods(["GET", "POST"])
def consent_create(request, pk):
    survivor = _survivor(request, pk)
    form = ConsentForm(request.POST or None, survivor=survivor)
    if request.method == "POST" and form.is_valid():
        try:
            records.record_consent(survivor, by=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Consent recorded.")
            return redirect("survivors:detail", survivor.pk)
    return _form_page(request, form, survivor, f"Record consent for {survivor.display_name}")


@clinical_required
@require_POST
def consent_revoke(request, pk):
    consent = get_visible_or_404(Consent.objects.all(), request.user, pk=pk)
    records.revoke_consent(consent, by=request.user, request=request)
    messages.success(request, f"{consent.get_kind_display()} consent revoked.")
    return redirect("survivors:detail", consent.survivor_id)


@clinical_required
@require_http_methods(["GET", "POST"])
def naloxone_create(request, pk):
    survivor = _survivor(request, pk)
    form = NaloxoneForm(request.POST or None, survivor=survivor)
    if request.method == "POST" and form.is_valid():
        to_survivor, family_member = form.recipient(survivor)
        fields = {k: v for k, v in form.cleaned_data.items() if k != "recipient"}
        records.record_naloxone(
            by=request.user, team=survivor.team, survivor=to_survivor, family_member=family_member,
            request=request, **fields,
        )
        messages.success(request, "Naloxone recorded.")
        return redirect("survivors:detail", survivor.pk)
    return _form_page(request, form, survivor, f"Naloxone for {survivor.display_name} or family")


@require_http_methods(["GET", "POST"])
def naloxone_anonymous(request):
    """Kits handed to someone who gave no name (an outreach event, a walk-in)."""

    form = NaloxoneForm(request.POST or None, user=request.user)
    if "team" in form.fields and not request.user.sees_all_teams and len(request.user.team_ids()) < 2:
        del form.fields["team"]
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        team = fields.pop("team", None) or default_team(request.user)
        if team is None:
            form.add_error(None, "You are not a member of a team: ask an admin to add you to one.")
        else:
            records.record_naloxone(by=request.user, team=team, request=request, **fields)
            messages.success(request, "Naloxone recorded (anonymous).")
            return redirect("survivors:naloxone_anonymous")
    return _form_page(request, form, None, "Naloxone to someone anonymous")
