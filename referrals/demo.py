"""Demo directory and referrals in every status, made through the same services the pages use.

Organisations, phones (555-01xx fictional range) and addresses are made up.
"""

from datetime import timedelta

from django.utils import timezone

# name, [(category, service name, medications)], languages, medicaid/uninsured/private, walk-in, hand-off notes
ORGANIZATIONS = [
    ("Riverside Recovery Clinic", [("moud", "Buprenorphine same-day start", "buprenorphine,naltrexone"),
                                   ("outpatient", "Intensive outpatient", "")],
     "en,es", (True, True, False), True, "Ask for the bridge nurse at the front desk; same-day bupe until 3 pm."),
    ("Springfield Opioid Treatment Program", [("moud", "Methadone maintenance", "methadone,buprenorphine")],
     "en", (True, True, True), False, "Call the intake line first; bring ID if possible, not required."),
    ("Harbor House Detox", [("detox", "Medically managed withdrawal", "")],
     "en,es", (True, True, True), False, "Three-way call with the charge nurse; they hold a bed for 4 hours."),
    ("New Day Residential", [("inpatient", "28-day residential", ""), ("moud", "MOUD in residence", "buprenorphine")],
     "en", (True, False, True), False, "Transport available from the PORT office on weekdays."),
    ("Eastside Harm Reduction Collective", [("harm_reduction", "Syringe services and naloxone", ""),
                                            ("peer_support", "Drop-in peer support", "")],
     "en,es,ht", (True, True, True), True, "Walk the person in; ask for a peer on shift."),
    ("County Mobile Health Van", [("medical", "Wound care and primary care", ""),
                                  ("harm_reduction", "Test strips and naloxone", "")],
     "en,es", (True, True, True), True, "Schedule posted weekly; text the coordinator for today's stop."),
    ("Safe Harbor Shelter", [("housing", "Emergency shelter", "")],
     "en,es", (True, True, True), True, "Beds assigned at 5 pm; call ahead for a hold."),
    ("Springfield Food Pantry", [("food", "Weekly groceries", "")],
     "en,es,vi", (True, True, True), True, "No paperwork needed the first visit."),
    ("Lakeside Behavioral Health", [("mental_health", "Counselling and psychiatry", ""),
                                    ("outpatient", "Co-occurring disorders program", "")],
     "en,es", (True, False, True), False, "Warm line for referrals from outreach teams."),
    ("Ride to Recovery", [("transportation", "Rides to treatment appointments", "")],
     "en", (True, True, True), False, "Book 24 hours ahead; same-day rides for detox admissions."),
    ("Families Together", [("family", "Family support group", ""), ("family", "Naloxone training for families", "")],
     "en,es", (True, True, True), True, "Meets Tuesdays 6 pm; family members can come without the survivor."),
    ("Hope Family Therapy", [("family", "Family therapy", ""), ("mental_health", "Grief counselling", "")],
     "en", (True, False, True), False, "Ask for the family intake coordinator."),
    ("Recovery Allies Peer Network", [("peer_support", "Peer recovery coaching", "")],
     "en,es", (True, True, True), True, "A peer can meet the person at the hospital or at home."),
    ("St. Luke's Emergency Department Bridge", [("moud", "ED-initiated buprenorphine", "buprenorphine"),
                                                ("medical", "Emergency care", "")],
     "en,es,ar", (True, True, True), True, "Bridge clinic in the ED; ask for the addiction consult."),
    ("Northside Outpatient Services", [("outpatient", "Standard outpatient", ""),
                                       ("moud", "Extended-release naltrexone", "naltrexone")],
     "en", (True, True, True), False, "Appointments within 48 hours for PORT referrals."),
]


def _organizations(by):
    from .directory import save_organization
    from .models import Organization, Service

    created = []
    for i, (name, services, languages, (medicaid, uninsured, private), walk_in, notes) in enumerate(ORGANIZATIONS):
        org = Organization(
            name=name, description=f"{services[0][1]} and more.", address=f"{100 + i * 37} Main St",
            city="Springfield", state="OH", zip_code=f"{45000 + i % 7 * 11}", phone=f"(202) 555-01{50 + i:02d}",
            hours="Mon-Fri 8:00-17:00" if not walk_in else "Every day 9:00-19:00", languages=languages,
            accepts_medicaid=medicaid, accepts_uninsured=uninsured, accepts_private=private, walk_in=walk_in,
            handoff_notes=notes,
        )
        save_organization(
            org, by=by, services=[Service(category=c, name=n, medications=m) for c, n, m in services]
        )
        created.append(org)
    return created


def load_referrals_demo(*, survivors, users, rng):
    from survivors.models import Consent, FamilyMember, Survivor

    from .checks import open_referral_checks
    from .models import Category, Referral
    from .services import change_referral_status, make_referral, record_treatment_progress

    now = timezone.now()
    coordinator = users["coordinator"]
    workers = [users["outreach"], users["outreach2"]]
    organizations = _organizations(coordinator)
    by_category = {}
    for org in organizations:
        for service in org.services.all():
            by_category.setdefault(service.category, []).append(service)

    living = [s for s in survivors if s.status != Survivor.Status.DECEASED and s.team_id == survivors[0].team_id]
    S = Referral.Status
    # (category, hand-off, days ago, path of statuses)
    plans = [
        ("moud", "accompanied", 2, []),
        ("detox", "three_way_call", 10, []),  # stale: no news for over a week
        ("housing", "information_only", 5, [S.ACCEPTED]),
        ("moud", "transported", 45, [S.ACCEPTED, S.CONNECTED]),
        ("inpatient", "transported", 100, [S.ACCEPTED, S.CONNECTED]),
        ("outpatient", "three_way_call", 35, [S.CONNECTED]),
        ("mental_health", "information_only", 20, [S.DECLINED]),
        ("moud", "three_way_call", 25, [S.ACCEPTED, S.NO_SHOW]),
        ("food", "information_only", 60, [S.CONNECTED, S.CLOSED]),
        ("harm_reduction", "accompanied", 12, [S.CONNECTED]),
        ("peer_support", "three_way_call", 9, [S.ACCEPTED]),  # stale after acceptance
        ("moud", "information_only", 1, []),  # no consent on file: recorded as information only
        ("detox", "accompanied", 50, [S.ACCEPTED, S.CONNECTED, S.CLOSED]),
        ("transportation", "information_only", 3, [S.ACCEPTED]),
    ]
    notes = {S.ACCEPTED: "Intake confirmed by phone.", S.CONNECTED: "Attended the first appointment.",
             S.DECLINED: "Did not want counselling right now.", S.NO_SHOW: "Missed the intake; will rebook.",
             S.CLOSED: "Loop closed."}
    for i, (category, handoff, days_ago, path) in enumerate(plans):
        survivor = living[(i * 2 + 1) % len(living)]
        service = rng.choice(by_category[category])
        worker = workers[i % 2]
        made_at = now - timedelta(days=days_ago, hours=rng.randint(1, 6))
        if handoff != "information_only":
            Consent.objects.create(
                survivor=survivor, kind=Consent.Kind.SHARE, organization=service.organization,
                given_at=made_at - timedelta(minutes=30), created_by=worker, purpose="Referral hand-off",
            )
        referral = make_referral(
            by=worker, organization=service.organization, service=service, survivor=survivor, handoff=handoff,
            shares_identity=handoff != "information_only" or i == 11, at=made_at,
            appointment_at=made_at + timedelta(days=1) if path else None,
        )
        at = made_at
        for step in path:
            at = at + timedelta(days=rng.randint(1, 3) if step != S.CLOSED else 20)
            referral = change_referral_status(referral, step, by=worker, note=notes[step], at=min(at, now))
        if referral.is_treatment and referral.connected_at:
            admitted = timezone.localdate(referral.connected_at)
            progress = {"admitted_on": admitted, "moud_started": category == Category.MOUD}
            if category == Category.MOUD:
                progress["moud_medication"] = (service.medication_codes or ["buprenorphine"])[0]
            if now - referral.connected_at > timedelta(days=30):
                progress["engaged_30d"] = True
            record_treatment_progress(referral, by=worker, **progress)

    # Family members get their own referrals: support groups, therapy, naloxone training.
    family_plans = [("parent", "Families Together", []), ("spouse", "Hope Family Therapy", [S.ACCEPTED]),
                    ("sibling", "Families Together", [S.CONNECTED])]
    for i, (relationship, org_name, path) in enumerate(family_plans):
        survivor = living[(i * 3 + 2) % len(living)]
        member = FamilyMember.objects.filter(survivor=survivor).first() or FamilyMember.objects.create(
            survivor=survivor, name=f"{rng.choice(['Linda', 'Carmen', 'Frank', 'Rosa'])} {survivor.legal_last_name}",
            relationship=relationship, consent_to_contact=True, created_by=coordinator,
        )
        org = next(o for o in organizations if o.name == org_name)
        service = org.services.first()
        referral = make_referral(by=workers[i % 2], organization=org, service=service, family_member=member,
                                 at=now - timedelta(days=4 + i * 5))
        for step in path:
            referral = change_referral_status(referral, step, by=workers[i % 2], note=notes[step],
                                              at=now - timedelta(days=2 + i))
    open_referral_checks()
