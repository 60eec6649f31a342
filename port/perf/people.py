"""Scale data, part one: staff and teams, the resource directory, survivors and their events."""

import json
from collections import defaultdict
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from faker.providers.address.en_US import Provider as AddressProvider
from faker.providers.person.en_US import Provider as EnglishNames
from faker.providers.person.es_MX import Provider as SpanishNames

from port.accounts.models import Team, User
from port.accounts.roles import Role
from referrals.models import Category, Organization, Service
from survivors.models import Consent, FamilyMember, OverdoseEvent, Survivor
from survivors.text import search_fields

from .dataset import BENCH_PASSWORD
from .loader import CopyLoader, next_id

FIRST = list(EnglishNames.first_names) + list(SpanishNames.first_names)
LAST = list(EnglishNames.last_names) + list(SpanishNames.last_names)
STREETS = list(AddressProvider.street_suffixes)
AREA_CODES = ["513", "937", "614", "216", "330", "419", "740", "859"]
TEAM_NAMES = ["North County PORT", "South County PORT", "East County PORT", "West County PORT", "Metro PORT"]
SOURCES = ["ems"] * 6 + ["police"] * 2 + ["fire", "ed", "ed", "family", "self"]
PLACES = ["residence"] * 5 + ["street", "vehicle", "business", "park", "shelter"]
SUBSTANCE_SETS = [
    ["fentanyl"], ["fentanyl", "xylazine"], ["heroin"], ["fentanyl", "cocaine"], ["methamphetamine"],
    ["fentanyl", "methamphetamine"], ["unknown"], ["other_opioid", "benzodiazepine"], ["alcohol", "fentanyl"],
]
SURVIVOR_STATUSES = (
    ["active"] * 35 + ["engaged"] * 25 + ["in_treatment"] * 10 + ["unable_to_reach"] * 15
    + ["declined"] * 8 + ["moved"] * 3 + ["closed"] * 4
)
NOTES = [
    "Prefers afternoon visits; lives with mother.",
    "Interested in buprenorphine; has Medicaid.",
    "Works nights. Text first.",
    "Staying with a friend for now; ask at the shelter.",
]
ORG_WORDS = (["Riverside", "Hope", "New Day", "Harbor", "Summit", "Lakeside", "Bridge", "Crossroads", "Unity"],
             ["Recovery", "Health", "Community", "Family", "Wellness", "Treatment", "Outreach"],
             ["Center", "Services", "Clinic", "House", "Network", "Partners"])
YEARS = 3


def _staff_plan():
    plan = [("bench-admin", Role.ADMIN, None), ("bench-admin-2", Role.ADMIN, None)]
    plan += [(f"bench-supervisor-{i}", Role.SUPERVISOR, None) for i in (1, 2, 3)]
    for t in range(5):
        plan.append((f"bench-coordinator-{t + 1}", Role.COORDINATOR, t))
        plan += [(f"bench-outreach-{t + 1}-{w + 1}", Role.OUTREACH, t) for w in range(7)]
        plan.append((f"bench-partner-{t + 1}", Role.PARTNER, t))
    return plan  # 50 people


def load_staff(ctx):
    """Five teams and fifty staff, all with the password BENCH_PASSWORD (hashed once)."""

    rng = ctx.rng
    teams = [Team.objects.get_or_create(name=name)[0] for name in TEAM_NAMES]
    ctx.team_ids = [t.id for t in teams]
    password = make_password(BENCH_PASSWORD)
    existing = set(User.objects.filter(username__startswith="bench-").values_list("username", flat=True))
    users = []
    for username, role, _team in _staff_plan():
        if username in existing:
            continue
        users.append(User(
            username=username, password=password, role=role, first_name=rng.choice(FIRST),
            last_name=rng.choice(LAST), email=f"{username}@example.org", is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN, date_joined=ctx.now - timedelta(days=YEARS * 365),
        ))
    User.objects.bulk_create(users)
    by_name = {u.username: u for u in User.objects.filter(username__startswith="bench-")}
    links = []
    for username, role, team_index in _staff_plan():
        user = by_name[username]
        team_id = ctx.team_ids[team_index] if team_index is not None else None
        if team_id and not user.teams.exists():
            links.append(User.teams.through(user_id=user.id, team_id=team_id))
        if role == Role.OUTREACH:
            ctx.workers.setdefault(team_id, []).append(user.id)
        elif role == Role.COORDINATOR:
            ctx.coordinators[team_id] = user.id
    User.teams.through.objects.bulk_create(links)
    for team in teams:
        team.on_call_worker_id = ctx.workers[team.id][0]
        team.save(update_fields=["on_call_worker"])
    ctx.timings.append(("staff and teams", len(users), 0.0))


def load_organizations(ctx):
    rng = ctx.rng
    n = ctx.counts.organizations
    org0, svc0 = next_id(Organization), next_id(Service)
    categories = [c.value for c in Category]
    orgs, services = [], []
    for i in range(n):
        oid = org0 + i
        name = f"{rng.choice(ORG_WORDS[0])} {rng.choice(ORG_WORDS[1])} {rng.choice(ORG_WORDS[2])} {i + 1}"
        orgs.append((oid, name, f"{rng.randint(10, 9999)} Main St", "Springfield", f"45{rng.randint(0, 999):03d}",
                     f"(513) 555-{i % 10000:04d}", rng.random() < 0.7, rng.random() < 0.4, rng.random() < 0.6,
                     rng.random() < 0.3, True))
        for category in rng.sample(categories, rng.randint(1, 3)):
            sid = svc0 + len(services)
            meds = "buprenorphine, methadone" if category == "moud" else ""
            services.append((sid, oid, category, meds))
            ctx.org_services.setdefault(category, []).append((oid, sid))
    # Every category has somewhere to refer to.
    for category in categories:
        if category not in ctx.org_services:
            sid = svc0 + len(services)
            services.append((sid, org0, category, ""))
            ctx.org_services[category] = [(org0, sid)]
    ctx.step("organizations", CopyLoader(Organization, [
        "id", "name", "address", "city", "zip_code", "phone", "accepts_medicaid", "accepts_uninsured",
        "accepts_private", "walk_in", "active"]), orgs)
    ctx.step("services", CopyLoader(Service, ["id", "organization_id", "category", "medications"]), services)


def _event_times(ctx):
    """Per survivor, the sorted times of their events; survivor 0 has 60 (the survivor page case)."""

    rng, now = ctx.rng, ctx.now
    n, e = ctx.counts.survivors, ctx.counts.events
    span = YEARS * 365 * 86400
    times = [[now - timedelta(seconds=rng.random() * span)] for _ in range(n)]
    # This week's events, whatever the scale: follow-ups on the 24-72 hour clock, some due now.
    recent = max(20, n // 300)
    for i in range(1, n, max(1, n // recent)):
        times[i][0] = now - timedelta(hours=rng.uniform(1, 96))
    extra = e - n
    heavy = min(60, extra)
    unmatched = []
    for k in range(extra):
        if k < heavy:
            s = 0
        elif rng.random() < 0.005:
            unmatched.append(now - timedelta(seconds=rng.random() * span))
            continue
        else:
            s = rng.randrange(max(1, n // 4))  # a quarter of the people overdose again, a few many times
        first = times[s][0]
        times[s].append(first + (now - first) * rng.random())
    for t in times:
        t.sort()
    return times, unmatched


def load_survivors_and_events(ctx):
    rng, now = ctx.rng, ctx.now
    n = ctx.counts.survivors
    times, unmatched = _event_times(ctx)
    sur0, ev0 = next_id(Survivor), next_id(OverdoseEvent)
    repeat_window = timedelta(days=90)
    note_tokens = [ctx.token(t) for t in NOTES]

    events = []  # (occurred_at, survivor index or None, fatal)
    survivor_rows = []
    for i in range(n):
        team_id = ctx.team_ids[i % len(ctx.team_ids)]
        first, last = rng.choice(FIRST), rng.choice(LAST)
        preferred = rng.choice(FIRST) if rng.random() < 0.08 else ""
        spanish = rng.random() < 0.15
        phone = f"+1{AREA_CODES[i % len(AREA_CODES)]}{200 + (i // 10000) % 800:03d}{i % 10000:04d}"
        safe_to_text = rng.random() < 0.6
        ts = times[i]
        fatal_last = rng.random() < 0.03
        repeat = any(b - a <= repeat_window for a, b in zip(ts, ts[1:], strict=False))
        status = "deceased" if fatal_last else rng.choice(SURVIVOR_STATUSES)
        dob = (now - timedelta(days=rng.randint(18 * 365, 70 * 365))).date() if rng.random() < 0.85 else None
        coordinator = ctx.coordinators[team_id]
        survivor_rows.append((
            sur0 + i, ts[0], coordinator, ts[-1], coordinator, team_id, first, last, preferred, dob,
            None if dob else rng.randint(20, 60), rng.choice(["male", "male", "female"]),
            "es" if spanish else "en", phone if rng.random() < 0.92 else "",
            f"{rng.randint(10, 9999)} {rng.choice(LAST)} {rng.choice(STREETS)}", "Springfield",
            f"45{rng.randint(0, 999):03d}", safe_to_text, rng.random() < 0.3, rng.random() < 0.15,
            status, repeat, "Repeat overdose within 90 days" if repeat else "",
            rng.choice(note_tokens) if rng.random() < 0.1 else "",
            *search_fields(first, last, preferred).values(),  # as Survivor.save() fills them
        ))
        ctx.survivors.append((sur0 + i, team_id, phone, safe_to_text, preferred or first))
        for k, t in enumerate(ts):
            events.append((t, i, fatal_last and k == len(ts) - 1))
    events += [(t, None, rng.random() < 0.2) for t in unmatched]
    events.sort(key=lambda ev: ev[0])

    ctx.step("survivors", CopyLoader(Survivor, [
        "id", "created_at", "created_by_id", "updated_at", "updated_by_id", "team_id", "legal_first_name",
        "legal_last_name", "preferred_name", "date_of_birth", "age_estimate", "sex", "language", "phone",
        "address", "city", "zip_code", "safe_to_text", "safe_voicemail", "ok_to_disclose_household", "status",
        "high_risk", "high_risk_reason", "notes", *search_fields("a", "b").keys()]), survivor_rows)
    del survivor_rows

    substance_tokens = [ctx.token(json.dumps(s)) for s in SUBSTANCE_SETS]
    empty_list = ctx.token("[]")
    per_source = defaultdict(int)

    def event_rows():
        for k, (at, s, fatal) in enumerate(events):
            eid = ev0 + k
            team_id = ctx.survivors[s][1] if s is not None else ctx.team_ids[k % len(ctx.team_ids)]
            ctx.events.append((eid, s, team_id, at, fatal))
            source = rng.choice(SOURCES)
            per_source[source] += 1
            given = rng.random() < 0.8
            coordinator = ctx.coordinators[team_id]
            reported = at + timedelta(minutes=rng.randint(20, 600))
            yield (
                eid, min(reported, now), coordinator, min(reported, now), coordinator,
                ctx.survivors[s][0] if s is not None else None, team_id, at, min(reported, now), source,
                f"{source.upper()}-{eid:08d}", f"{rng.randint(10, 9999)} {rng.choice(LAST)} {rng.choice(STREETS)}",
                f"45{rng.randint(0, 999):03d}", rng.choice(PLACES),
                rng.choice(substance_tokens) if rng.random() < 0.9 else empty_list, given,
                rng.choice(["ems", "bystander", "police", "fire"]) if given else "",
                rng.randint(1, 4) if given else None, "Springfield General" if rng.random() < 0.5 else "",
                "fatal" if fatal else "survived", rng.choice(["yes", "yes", "no", "unknown"]),
            )

    ctx.step("overdose events", CopyLoader(OverdoseEvent, [
        "id", "created_at", "created_by_id", "updated_at", "updated_by_id", "survivor_id", "team_id",
        "occurred_at", "reported_at", "source", "source_incident_number", "address", "zip_code", "place_type",
        "substances", "naloxone_administered", "naloxone_by", "naloxone_doses", "transported_to", "outcome",
        "agreed_to_followup"]), event_rows())


def load_family_and_consents(ctx):
    rng, now = ctx.rng, ctx.now
    fam0, con0 = next_id(FamilyMember), next_id(Consent)
    n = len(ctx.survivors)
    family = []
    for k in range(ctx.counts.family_members):
        sid, team_id = ctx.survivors[rng.randrange(n)][:2]
        coordinator = ctx.coordinators[team_id]
        family.append((fam0 + k, now - timedelta(days=rng.randint(0, 900)), coordinator, now, coordinator, sid,
                       f"{rng.choice(FIRST)} {rng.choice(LAST)}", rng.choice(["parent", "spouse", "sibling",
                                                                             "partner", "friend", "child"]),
                       f"+1513{6000000 + k % 1000000:07d}", rng.random() < 0.5))
    ctx.step("family members", CopyLoader(FamilyMember, [
        "id", "created_at", "created_by_id", "updated_at", "updated_by_id", "survivor_id", "name",
        "relationship", "phone", "consent_to_contact"]), family)

    def consent_rows():
        for k in range(ctx.counts.consents):
            sid, team_id, _phone, safe_to_text, _first = ctx.survivors[rng.randrange(n)]
            given = now - timedelta(days=rng.randint(0, 900))
            coordinator = ctx.coordinators[team_id]
            kind = "text" if safe_to_text and rng.random() < 0.6 else rng.choice(["contact", "voicemail", "network"])
            revoked = given + timedelta(days=rng.randint(1, 60)) if rng.random() < 0.05 else None
            yield (con0 + k, given, coordinator, given, coordinator, sid, kind, given,
                   rng.choice(["verbal", "written"]), min(revoked, now) if revoked else None)

    ctx.step("consents", CopyLoader(Consent, [
        "id", "created_at", "created_by_id", "updated_at", "updated_by_id", "survivor_id", "kind", "given_at",
        "method", "revoked_at"]), consent_rows())
