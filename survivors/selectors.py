"""Read queries for intake that several pages share: search, the survivor page, unmatched events."""

from datetime import date

from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from .models import OverdoseEvent, Survivor
from .records import consent_summary
from .text import normalize_name


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


def survivor_page(survivor, user):
    """Everything the survivor page shows, each in a fixed number of queries.

    A partner (no clinical access) gets no referrals, messages, consents or notes: they are
    not even queried.
    """

    events = list(survivor.events.select_related("team").order_by("occurred_at", "pk"))
    family = list(survivor.family_members.all())
    naloxone = list(
        survivor.naloxone_distributions.select_related("given_by", "family_member").order_by("-given_at")
    )
    from followups.selectors import survivor_followups

    context = {
        "survivor": survivor,
        "events": events,
        "family_members": family,
        "naloxone": naloxone,
        "naloxone_kits": sum(d.kits for d in naloxone),
        "followups": survivor_followups(survivor),
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


def unmatched_events(user):
    """Imported events no person is attached to yet, oldest first: the coordinator resolves them."""

    return (
        OverdoseEvent.objects.visible_to(user)
        .filter(survivor__isnull=True)
        .select_related("team", "import_batch")
        .order_by("occurred_at", "pk")
    )
