"""Read queries for intake that several pages share: search, the survivor page, unmatched events."""

from datetime import date

from django.core.paginator import Paginator
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from .models import OverdoseEvent, Survivor
from .records import consent_summary
from .text import normalize_name

# A long history on the survivor page: its latest events, the rest on the history page, a page of
# which holds this many events with their follow-ups.
LATEST_EVENTS = 10
HISTORY_EVENTS_PER_PAGE = 20


def search_survivors(user, *, name="", phone="", date_of_birth=None, incident_number=""):
    """People the user may see, matching every key given; the name matches by parts, any accent or case."""

    qs = Survivor.objects.visible_to(user).active()
    for part in normalize_name(name).split():
        qs = qs.filter(search_name__contains=part)
    if phone:
        qs = qs.filter(Q(phone=phone) | Q(phone_alt=phone))
    if date_of_birth:
        if isinstance(date_of_birth, str):
            date_of_birth = date.fromisoformat(date_of_birth)
        qs = qs.filter(date_of_birth=date_of_birth)
    if incident_number:
        with_incident = OverdoseEvent.objects.filter(source_incident_number__iexact=incident_number.strip())
        qs = qs.filter(pk__in=with_incident.values("survivor_id"))
    return with_list_columns(qs)


def with_list_columns(qs):
    """What every list of people shows: the last event and the number of events, counted in SQL.

    Correlated subqueries rather than a join and GROUP BY: the page's LIMIT then applies before
    anything is counted (a join aggregated all 20,000 people of a team for a page of 25).
    """

    events = OverdoseEvent.objects.filter(survivor=OuterRef("pk")).order_by().values("survivor")
    return (
        qs.select_related("team")
        .annotate(
            last_event_at=Subquery(events.annotate(last=Max("occurred_at")).values("last")[:1]),
            event_count=Coalesce(Subquery(events.annotate(n=Count("pk")).values("n")[:1]), 0),
        )
        .order_by("legal_last_name", "legal_first_name", "pk")
    )


def _numbered(events, first):
    """Each event with its place in the person's whole history (1: their first overdose)."""

    for number, event in enumerate(events, start=first):
        event.number = number
    return events


def survivor_page(survivor, user):
    """Everything the survivor page shows, each in a fixed number of queries.

    A long history shows its latest LATEST_EVENTS events, and of the follow-ups the open ones and
    those due since the earliest event shown; the rest is on the history page (survivor_history).
    A partner (no clinical access) gets no referrals, messages, consents or notes: they are
    not even queried.
    """

    from followups.selectors import survivor_followups

    events_total = survivor.events.count()
    events = list(survivor.events.order_by("-occurred_at", "-pk")[:LATEST_EVENTS])[::-1]
    _numbered(events, events_total - len(events) + 1)
    since = events[0].occurred_at if len(events) < events_total else None
    followups = list(survivor_followups(survivor, since=since))
    followups_total = survivor.followups.count()
    family = list(survivor.family_members.all())
    naloxone = list(
        survivor.naloxone_distributions.select_related("given_by", "family_member").order_by("-given_at")
    )
    context = {
        "survivor": survivor,
        "events": events,
        "events_total": events_total,
        "family_members": family,
        "naloxone": naloxone,
        "naloxone_kits": sum(d.kits for d in naloxone),
        "followups": followups,
        "followups_total": followups_total,
        "followups_since": since if len(followups) < followups_total else None,
        "history_hidden": since is not None,
        "clinical": user.sees_clinical,
    }
    if user.sees_clinical:
        from followups.messaging.selectors import survivor_messages
        from referrals.selectors import survivor_referrals

        consents = list(survivor.consents.select_related("family_member", "organization", "revoked_by"))
        context.update(
            consents=consents,
            consent_state=consent_summary(consents),
            referrals=survivor_referrals(survivor),
            messages_list=survivor_messages(survivor),
        )
    return context


def survivor_history(survivor, user, page_number):
    """A page of the person's whole history: HISTORY_EVENTS_PER_PAGE events, oldest first, with the
    follow-ups and attempts of those events (the first page also those tied to no event)."""

    from followups.selectors import followups_of_events

    page = Paginator(survivor.events.order_by("occurred_at", "pk"), HISTORY_EVENTS_PER_PAGE).get_page(page_number)
    events = _numbered(list(page.object_list), page.start_index())
    followups = followups_of_events(survivor, [e.pk for e in events], with_unattached=page.number == 1)
    return {
        "survivor": survivor,
        "page": page,
        "events": events,
        "events_total": page.paginator.count,
        "followups": list(followups),
        "clinical": user.sees_clinical,
    }


def unmatched_events(user):
    """Imported events no person is attached to yet, oldest first: the coordinator resolves them."""

    return (
        OverdoseEvent.objects.visible_to(user)
        .filter(survivor__isnull=True)
        .select_related("team", "import_batch")
        .order_by("occurred_at", "pk")
    )
