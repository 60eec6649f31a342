"""The pages the benchmark times, each beside its floor (port.perf.floors), on the generated dataset."""

import html
import itertools
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import Count
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from followups.models import FollowUp
from followups.views import WORKLIST_PAGE_SIZE
from port.accounts.models import User
from survivors.models import Survivor
from survivors.selectors import LATEST_EVENTS
from survivors.text import normalize_name

from . import floors
from .dataset import BENCH_PASSWORD

HOST = "localhost"


class PageFailed(Exception):
    """A page answered something else than it should: the timing would be of an error page."""


@dataclass
class Case:
    name: str
    page: object  # callable(i) -> None, raises PageFailed
    floor: object = None  # callable(i) -> rows
    target_ms: float = 150
    list_page: bool = False
    note: str = ""


def _check(response, expected, what):
    if response.status_code not in expected:
        raise PageFailed(f"{what}: HTTP {response.status_code} (expected {expected}) at {response.get('Location', '')}")
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    return response


def url_or_none(name, *args, **query):
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    if query:
        from django.utils.http import urlencode

        url += "?" + urlencode(query)
    return url


def client_for(user, *, verified=False):
    client = Client(HTTP_HOST=HOST)
    client.force_login(user)
    if verified:
        # A session that passed the second factor, as after entering the authenticator's code.
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="Bench authenticator", confirmed=True
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


class Actors:
    """Who the benchmark acts as: the busiest outreach worker, their coordinator, a supervisor."""

    def __init__(self):
        bench = User.objects.filter(username__startswith="bench-", is_active=True)
        busiest = (
            FollowUp.objects.filter(status="open", assigned_to__in=bench.filter(role="outreach"))
            .values("assigned_to").annotate(n=Count("pk")).order_by("-n").first()
        )
        if busiest is None:
            raise PageFailed("No open follow-ups for bench-* workers: run `manage.py generate_dataset` first.")
        self.outreach = User.objects.get(pk=busiest["assigned_to"])
        team_id = self.outreach.team_ids()[0]
        self.team_ids = [team_id]
        self.coordinator = bench.filter(role="coordinator", teams=team_id).first()
        self.supervisor = bench.filter(role="supervisor").first()
        # The person with the most events, seen by their team's coordinator.
        heavy = (
            Survivor.objects.filter(deleted_at__isnull=True)
            .annotate(n=Count("events")).order_by("-n").values_list("pk", "n", "team_id").first()
        )
        self.heavy_survivor = heavy[:2]
        self.heavy_coordinator = bench.filter(role="coordinator", teams=heavy[2]).first()


def build_cases(actors, runs):
    """Every timed page and POST, in the order of the table."""

    a = actors
    tz = settings.TIME_ZONE
    outreach, coordinator = client_for(a.outreach), client_for(a.coordinator)
    supervisor = client_for(a.supervisor, verified=True)
    cases = []

    def get_case(name, client, url, floor, **kw):
        if url is None:
            cases.append(Case(name, None, **kw))
            return
        cases.append(Case(name, lambda i: _check(client.get(url, secure=True), (200,), name), floor, **kw))

    # A reference: the cheapest request there is (middleware, one SELECT 1), to read the others against.
    get_case("reference: /healthz (no data)", Client(HTTP_HOST=HOST), url_or_none("healthz"),
             lambda i: floors.reference(), note="not a target: how fast this machine answers at all")
    # Login landing: the password check and the page it lands on, in a fresh session each time.
    login_url = url_or_none("login")

    def login(i):
        fresh = Client(HTTP_HOST=HOST)
        response = fresh.post(login_url, {"username": a.outreach.username, "password": BENCH_PASSWORD},
                              secure=True, follow=True)
        if response.redirect_chain == [] or response.status_code != 200:
            raise PageFailed(f"login landing: HTTP {response.status_code}, did not land")

    cases.append(Case(
        "login landing (POST login, worklist)", login,
        lambda i: floors.login_landing(a.outreach.username, a.outreach.pk, a.team_ids, WORKLIST_PAGE_SIZE),
    ))
    get_case("worklist (outreach)", outreach, url_or_none("followups:worklist"),
             lambda i: floors.worklist(a.outreach.pk, a.team_ids, WORKLIST_PAGE_SIZE), list_page=True)
    get_case("team worklist (coordinator)", coordinator, url_or_none("followups:team_worklist"),
             lambda i: floors.team_worklist(a.team_ids, WORKLIST_PAGE_SIZE), list_page=True)

    people = list(
        Survivor.objects.filter(team_id__in=a.team_ids, deleted_at__isnull=True).exclude(phone="")
        .order_by("?").values_list("legal_first_name", "legal_last_name", "phone")[: runs + 5]
    )
    people_cycle = itertools.cycle(people)
    picks = [next(people_cycle) for _ in range(runs + 5)]
    list_url = url_or_none("survivors:list")

    def search(field, value_of):
        def run(i):
            response = coordinator.post(list_url, {field: value_of(picks[i])}, secure=True, follow=True)
            _check(response, (200,), f"search by {field}")
            if html.escape(picks[i][1]) not in response.content.decode():
                raise PageFailed(f"search by {field}: the person searched for is not on the result page")
        return run

    if list_url:
        cases.append(Case("survivor search by name", search("name", lambda p: f"{p[0]} {p[1]}"),
                          lambda i: floors.search_by_name(a.team_ids, normalize_name(f"{picks[i][0]} {picks[i][1]}")),
                          list_page=True))
        cases.append(Case("survivor search by phone", search("phone", lambda p: p[2].as_national),
                          lambda i: floors.search_by_phone(a.team_ids, picks[i][2].as_e164), list_page=True))
        get_case("survivor list (no search)", client_for(a.coordinator), list_url,
                 lambda i: floors.survivor_list(a.team_ids), list_page=True,
                 note="not asked for; the page a coordinator opens first")
    else:
        cases += [Case("survivor search by name", None), Case("survivor search by phone", None)]

    heavy_id, heavy_events = a.heavy_survivor
    get_case(f"survivor page ({heavy_events} events)", client_for(a.heavy_coordinator),
             url_or_none("survivors:detail", heavy_id),
             lambda i: floors.survivor_page(heavy_id, LATEST_EVENTS))

    cases += _post_cases(a, coordinator, outreach, runs)

    today = timezone.localdate()
    ninety = {"period": "90"}
    year = {"period": "custom", "date_from": (today - timedelta(days=364)).isoformat(), "date_to": today.isoformat()}
    midnight = timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))
    get_case("dashboard, 90 days (supervisor, all teams)", supervisor, url_or_none("dashboards:dashboard", **ninety),
             lambda i: floors.dashboard(None, midnight - timedelta(days=90), midnight, tz))
    get_case("dashboard, a year (supervisor, all teams)", supervisor, url_or_none("dashboards:dashboard", **year),
             lambda i: floors.dashboard(None, midnight - timedelta(days=365), midnight, tz), target_ms=500)
    get_case("de-identified export, a year (CSV)", supervisor,
             url_or_none("dashboards:export_deidentified", **year),
             lambda i: floors.deidentified_export(None, midnight - timedelta(days=365), midnight))
    export_url = url_or_none("dashboards:export_deidentified", **year)
    if export_url:
        cases.append(Case(
            "de-identified export, a year: first rows arrive",
            lambda i: _first_rows(supervisor.get(export_url, secure=True)),
            lambda i: floors.deidentified_export(None, midnight - timedelta(days=365), midnight, limit=2000),
            note="what the user waits for before the download runs: the header and the first row",
        ))
    return cases


def _first_rows(response):
    """Read a streamed download up to its first chunk of rows from the database, then stop."""

    if response.status_code != 200:
        raise PageFailed(f"export: HTTP {response.status_code}")
    chunks = iter(response.streaming_content)  # one CSV line a chunk; the database is read 2,000 rows at a time
    next(chunks), next(chunks)
    response.close()
    return response


def _post_cases(a, coordinator, outreach, runs):
    cases = []
    event_url = url_or_none("survivors:event_create")
    counter = itertools.count()
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")

    def local_now():
        return timezone.localtime(timezone.now() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")

    def event_fields(i):
        return {
            "event-occurred_at": local_now(), "event-outcome": "survived", "event-source": "ems",
            "event-source_incident_number": f"BENCH-{stamp}-{next(counter)}", "event-address": "12 Main St",
            "event-zip_code": "45011", "event-place_type": "residence", "event-substances": ["fentanyl"],
            "event-naloxone_administered": "on", "event-naloxone_by": "ems", "event-naloxone_doses": "2",
            "event-agreed_to_followup": "yes",
        }

    known = list(Survivor.objects.filter(team_id__in=a.team_ids, deleted_at__isnull=True, status="active")
                 .values_list("pk", flat=True)[: runs + 5])

    def create_known(i):
        data = {**event_fields(i), "survivor": str(known[i])}
        _check(coordinator.post(event_url, data, secure=True), (302,), "event create (known person)")

    def create_new(i):
        n = next(counter)
        data = {**event_fields(i), "person_choice": "new", "person-legal_first_name": f"Benchfirst{n}",
                "person-legal_last_name": f"Benchlast{stamp}", "person-date_of_birth": f"1990-04-0{1 + n % 9}",
                "person-phone": f"(937) 555-{n % 10000:04d}", "person-language": "en", "person-sex": "female"}
        _check(coordinator.post(event_url, data, secure=True), (302,), "event create (new person)")

    def floor_event(i, new=False):
        n = next(counter)
        person = {"first": f"Floorfirst{n}", "last": f"Floorlast{stamp}", "dob": "1990-04-01",
                  "phone": f"+1937556{n % 10000:04d}", "search": f"floorfirst{n} floorlast{stamp}"} if new else None
        return floors.event_create(team_id=a.team_ids[0], user_id=a.coordinator.pk, survivor_id=known[i],
                                   occurred_at=timezone.now() - timedelta(hours=3), incident=f"FLOOR-{stamp}-{n}",
                                   new_person=person)

    if event_url:
        cases.append(Case("event create (POST, known person)", create_known, floor_event))
        cases.append(Case("event create (POST, new person + matching)", create_new,
                          lambda i: floor_event(i, new=True)))
    else:
        cases.append(Case("event create (POST)", None))

    open_ids = list(
        FollowUp.objects.filter(assigned_to=a.outreach, status="open", event__isnull=False)
        .filter(closing_proposed_at__isnull=True)
        .order_by("deadline_at").values_list("pk", flat=True)[: 2 * (runs + 5)]
    )

    def log_attempt(i):
        pk = open_ids[i]
        data = {"method": "visit", "outcome": "not_home", "at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                "left_behind": "generic_card", "naloxone_kits": "0", "test_strips": "0", "send_fallback": "on"}
        response = outreach.post(reverse("followups:log_attempt", args=[pk]), data, secure=True)
        _check(response, (302,), "log contact attempt")

    if url_or_none("followups:log_attempt", 1) and len(open_ids) >= 2 * (runs + 1):
        cases.append(Case("log contact attempt (POST, visit not possible + fallback text)", log_attempt,
                          lambda i: floors.log_attempt(followup_id=open_ids[runs + 1 + i], user_id=a.outreach.pk)))
    else:
        cases.append(Case("log contact attempt (POST)", None))
    return cases
