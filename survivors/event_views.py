"""Recording an overdose event (picking or creating the person), and resolving unmatched events."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from port.accounts.scoping import get_visible_or_404
from port.audit.services import record_event

from . import selectors, services, validation
from .access import coordinator_required, default_team
from .forms import PERSON_FIELDS, EventForm, PersonForm
from .matching import Identity, find_matches
from .models import OverdoseEvent, Survivor

NEW_PERSON = "new"


def _people(user):
    return Survivor.objects.visible_to(user).active()


def _identity_from_post(data):
    """What has been typed about the person so far (lenient: for live proposals while typing)."""

    def lenient(parse, value):
        try:
            return parse(value)
        except ValidationError:
            return None

    dob = lenient(validation.parse_date, data.get("person-date_of_birth", ""))
    phone = lenient(validation.parse_phone, data.get("person-phone", ""))
    return Identity.of(
        first_name=data.get("person-legal_first_name", ""), last_name=data.get("person-legal_last_name", ""),
        preferred_name=data.get("person-preferred_name", ""), date_of_birth=dob, phones=[phone] if phone else [],
    )


def _chosen_person(user, choice):
    if choice.isdigit():
        return get_visible_or_404(_people(user), user, pk=int(choice))
    return None


@coordinator_required
@require_http_methods(["GET", "POST"])
def event_create(request):
    """One form: who (a proposed match, or a new person) and what happened. Never merges silently."""

    user = request.user
    fixed_id = request.GET.get("survivor") or request.POST.get("survivor")
    fixed = get_visible_or_404(_people(user), user, pk=fixed_id) if fixed_id and fixed_id.isdigit() else None
    event_form = EventForm(request.POST or None, user=user, prefix="event")
    if fixed is not None:
        event_form.fields.pop("team", None)  # the event goes to the person's own team
    person_form = None if fixed else PersonForm(request.POST or None, prefix="person")
    matches, choice = [], request.POST.get("person_choice", "")
    team = default_team(user)
    if "team" not in event_form.fields and team is None and fixed is None:
        raise PermissionDenied("You are not a member of a team: ask an admin to add you to one.")

    if request.method == "POST":
        valid = event_form.is_valid()
        valid = (person_form is None or person_form.is_valid()) and valid
        survivor = fixed
        if valid and fixed is None:
            identity = Identity.of(
                first_name=person_form.cleaned_data["legal_first_name"],
                last_name=person_form.cleaned_data["legal_last_name"],
                preferred_name=person_form.cleaned_data["preferred_name"],
                date_of_birth=person_form.cleaned_data["date_of_birth"],
                phones=[person_form.cleaned_data["phone"]],
            )
            matches = find_matches(identity, _people(user))
            survivor = _chosen_person(user, choice)
            if survivor is None and choice != NEW_PERSON and matches:
                valid = False
                messages.warning(
                    request,
                    "This may be someone already known. Choose the person below, or “None of these” "
                    "to create a new record. Nothing has been saved yet.",
                )
        if valid:
            event_fields = {k: v for k, v in event_form.cleaned_data.items() if k != "team"}
            team = event_form.cleaned_data.get("team") or team
            with transaction.atomic():
                if survivor is None:
                    person = {k: person_form.cleaned_data[k] for k in PERSON_FIELDS}
                    person["phone"] = person["phone"] or ""
                    survivor = services.create_survivor(by=user, team=team, request=request, **person)
                event = services.record_overdose_event(
                    by=user, team=survivor.team, survivor=survivor, request=request, **event_fields
                )
            messages.success(request, _saved_message(event, survivor))
            return redirect("survivors:detail", survivor.pk)

    return render(
        request, "survivors/event_form.html",
        {"page_title": "Record an overdose event", "event_form": event_form, "person_form": person_form,
         "fixed": fixed, "matches": matches, "choice": choice},
    )


def _saved_message(event, survivor):
    survivor.refresh_from_db(fields=["high_risk"])
    text = "Event saved. " + (
        "Family support follow-up opened." if event.is_fatal else "The initial follow-up is open (72-hour clock)."
    )
    if survivor.high_risk:
        text += " Flagged high risk: repeat overdose."
    return text


@coordinator_required
@require_POST
def match_candidates(request):
    """Live proposals while the coordinator types the person's details (htmx)."""

    identity = _identity_from_post(request.POST)
    matches = find_matches(identity, _people(request.user)) if (identity.last or identity.phones) else []
    return render(
        request, "survivors/includes/match_candidates.html",
        {"matches": matches, "choice": request.POST.get("person_choice", ""), "live": True},
    )


@coordinator_required
def unmatched_list(request):
    page = Paginator(selectors.unmatched_events(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "survivors/unmatched.html", {"page_title": "Unmatched events", "page": page})


def event_detail(request, pk):
    """One event; for an unmatched one, the proposed people and the choice to attach or create."""

    event = get_visible_or_404(OverdoseEvent.objects.select_related("survivor", "team", "import_batch"), request.user,
                               pk=pk)
    if event.survivor_id and event.survivor.is_active_record:
        record_event(request, "view", event)
    context = {"page_title": f"Overdose event on {event.occurred_at:%Y-%m-%d}", "event": event}
    if event.is_unmatched:
        if not request.user.coordinates:
            raise PermissionDenied("Only coordinators resolve unmatched events.")
        record_event(request, "view", event)
        reported = event.reported_person or {}
        identity = Identity.of(
            first_name=reported.get("first_name", ""), last_name=reported.get("last_name", ""),
            date_of_birth=validation.parse_date(reported.get("date_of_birth", "")),
            phones=[reported["phone"]] if reported.get("phone") else [],
        )
        context.update(reported=reported, matches=find_matches(identity, _people(request.user)))
    return render(request, "survivors/event_detail.html", context)


@coordinator_required
@require_POST
def event_attach(request, pk):
    """Attach an unmatched event to a chosen person, or to a new person made from the report."""

    event = get_visible_or_404(OverdoseEvent.objects.filter(survivor__isnull=True), request.user, pk=pk)
    choice = request.POST.get("person_choice", "")
    try:
        with transaction.atomic():
            if choice == NEW_PERSON:
                survivor = _survivor_from_report(event, request)
            else:
                survivor = _chosen_person(request.user, choice)
                if survivor is None:
                    messages.error(request, "Choose a person, or create a new one from the report.")
                    return redirect("survivors:event_detail", event.pk)
            services.attach_event(event, survivor, by=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("survivors:event_detail", event.pk)
    messages.success(request, "Event attached; the follow-up is open.")
    return redirect("survivors:detail", survivor.pk)


def _survivor_from_report(event, request):
    reported = event.reported_person or {}
    if not (reported.get("first_name") and reported.get("last_name")):
        raise ValidationError(
            "The report has no full name: record the person with “Record event” instead, or attach an existing one."
        )
    return services.create_survivor(
        by=request.user, team=event.team, request=request,
        legal_first_name=reported["first_name"], legal_last_name=reported["last_name"],
        date_of_birth=validation.parse_date(reported.get("date_of_birth", "")),
        phone=reported.get("phone", ""), sex=reported.get("sex", ""), age_estimate=reported.get("age_estimate"),
    )
