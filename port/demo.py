"""Demo data for the run command: survivors, events, follow-ups and referrals in every state.

Everything goes through the same services the pages use, so the demo shows real behaviour.
Names, phones (555-01xx fictional range) and addresses are made up.
"""

import random
from datetime import timedelta

from django.utils import timezone

FIRST = ["Maria", "James", "Ashley", "Robert", "Jessica", "Michael", "Brittany", "David", "Amanda", "Jose",
         "Sarah", "Kevin", "Tiffany", "Luis", "Crystal", "Brandon", "Nicole", "Justin", "Heather", "Carlos",
         "Megan", "Tyler", "Rachel", "Cody", "Samantha", "Dustin", "Andrea", "Travis", "Lauren", "Miguel",
         "Kayla", "Derek", "Amber", "Shawn", "Danielle", "Ramón"]
LAST = ["Garcia", "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Rodriguez", "Martinez",
        "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee",
        "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker",
        "Young", "Allen", "King", "Wright", "Scott", "Peña"]
STREETS = ["Maple Ave", "Oak St", "Main St", "Pine Rd", "Cedar Ln", "Elm St", "Walnut St", "River Rd"]


def load_domain_demo(*, teams, users, stdout=None):
    from followups.models import ContactAttempt, FollowUp
    from followups.services import log_contact_attempt
    from survivors.models import OverdoseEvent, Survivor
    from survivors.services import create_survivor, record_overdose_event

    rng = random.Random(2026)
    now = timezone.now()
    north = teams[0]
    coordinator = users["coordinator"]
    workers = [users["outreach"], users["outreach2"]]
    survivors = []
    for i in range(36):
        team = teams[1] if i % 9 == 8 else north
        survivors.append(
            create_survivor(
                by=coordinator,
                team=team,
                legal_first_name=FIRST[i],
                legal_last_name=LAST[i],
                preferred_name="Mo" if FIRST[i] == "Michael" else "",
                date_of_birth=(now - timedelta(days=365 * rng.randint(19, 62) + rng.randint(0, 364))).date(),
                phone=f"+1202555{100 + i:04d}",
                language="es" if i % 5 == 0 else "en",
                address=f"{rng.randint(10, 999)} {STREETS[i % len(STREETS)]}",
                city="Springfield",
                zip_code=f"{45000 + i % 7 * 11}",
                safe_to_text=i % 3 != 0,
                safe_voicemail=i % 4 == 0,
                ok_to_disclose_household=i % 6 == 0,
                housing_status=rng.choice(["housed", "unstably housed", "unsheltered"]),
                insurance=rng.choice(["Medicaid", "uninsured", "private"]),
            )
        )

    # Events spread over the last 120 days; the first few are recent so the clock is running.
    hours_ago = [2, 10, 20, 30, 40, 50, 60, 70, 80, 100] + [rng.randint(96, 24 * 120) for _ in range(26)]
    events = []
    for i, survivor in enumerate(survivors):
        fatal = i in (12, 27)
        events.append(
            record_overdose_event(
                by=coordinator,
                team=survivor.team,
                survivor=survivor,
                occurred_at=now - timedelta(hours=hours_ago[i]),
                source=rng.choice(["ems", "ems", "police", "ed", "fire", "family"]),
                source_incident_number=f"DEMO-{1000 + i}",
                address=survivor.address,
                zip_code=survivor.zip_code,
                place_type=rng.choice(["residence", "street", "vehicle", "business"]),
                substances=rng.sample(["fentanyl", "heroin", "xylazine", "cocaine", "methamphetamine"], 2),
                naloxone_administered=True,
                naloxone_by=rng.choice(["ems", "bystander", "police"]),
                naloxone_doses=rng.randint(1, 3),
                transported_to=rng.choice(["", "Springfield General"]),
                outcome=OverdoseEvent.Outcome.FATAL if fatal else OverdoseEvent.Outcome.SURVIVED,
                agreed_to_followup=rng.choice(["yes", "unknown"]),
            )
        )
    # Repeat overdoses: three people come back within 90 days.
    for i in (15, 20, 25):
        record_overdose_event(
            by=coordinator, team=survivors[i].team, survivor=survivors[i],
            occurred_at=now - timedelta(hours=rng.randint(72, 400)),
            source="ems", source_incident_number=f"DEMO-R{i}", outcome="survived",
        )

    # Older follow-ups: most reached, some declined, some never reached.
    Outcome = ContactAttempt.Outcome
    for i, event in enumerate(events):
        if hours_ago[i] < 96 or event.is_fatal:
            if i in (3, 6):  # a tried-but-not-reached follow-up still open
                followup = FollowUp.objects.get(event=event, kind="initial")
                log_contact_attempt(followup, by=followup.assigned_to or workers[0], method="visit",
                                    outcome=Outcome.NOT_HOME, left_behind="generic_card",
                                    at=event.occurred_at + timedelta(hours=20))
            if i == 6:  # five tries without reaching anyone: closing proposed to the coordinator
                for hours, method, outcome in ((28, "phone", Outcome.NO_ANSWER), (36, "phone", Outcome.VOICEMAIL),
                                               (44, "text", Outcome.SENT), (52, "visit", Outcome.NOT_HOME)):
                    log_contact_attempt(followup, by=followup.assigned_to or workers[0], method=method,
                                        outcome=outcome, at=event.occurred_at + timedelta(hours=hours))
            continue
        followup = FollowUp.objects.get(event=event)
        worker = followup.assigned_to or workers[i % 2]
        first = event.occurred_at + timedelta(hours=rng.randint(6, 90))
        if i % 7 == 0:
            log_contact_attempt(followup, by=worker, method="visit", outcome=Outcome.NOT_HOME, at=first,
                                left_behind="generic_card")
            log_contact_attempt(followup, by=worker, method="phone", outcome=Outcome.NO_ANSWER,
                                at=first + timedelta(hours=20))
            FollowUp.objects.filter(pk=followup.pk).update(status="closed_unreached", closed_at=first)
            Survivor.objects.filter(pk=event.survivor_id).update(status="unable_to_reach")
        elif i % 5 == 0:
            log_contact_attempt(followup, by=worker, method="phone", outcome=Outcome.REACHED_DECLINED, at=first)
        else:
            log_contact_attempt(followup, by=worker, method="visit", outcome=Outcome.REACHED_ENGAGED, at=first,
                                naloxone_kits=rng.randint(1, 2), test_strips=rng.choice([0, 5]),
                                left_behind="materials")

    # Past the deadline with nobody reached: escalated, as the sweep does once it runs.
    from followups.effects import escalate

    for followup in FollowUp.objects.filter(status="open", kind="initial", deadline_at__lt=now, escalated_at=None):
        escalate(followup)

    from followups.messaging.demo import load_messaging_demo
    from referrals.demo import load_referrals_demo
    from survivors.demo import load_intake_demo

    load_intake_demo(survivors=survivors, users=users, rng=rng)
    load_referrals_demo(survivors=survivors, users=users, rng=rng)
    load_messaging_demo()
    if stdout:
        stdout.write(f"Loaded {len(survivors)} survivors and {len(events) + 3} events.")
