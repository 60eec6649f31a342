"""Demo intake data: family members, consents, naloxone to family and anonymously, and one import.

Everything goes through the intake services (and the real importer), so the demo shows real
behaviour: the import attaches a known person, leaves a probable match unmatched for the
coordinator, creates a new person, skips a repeated incident and lists a bad row to fix.
"""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone


def load_intake_demo(*, survivors, users, rng):
    from . import records
    from .models import Consent, Survivor

    now = timezone.now()
    coordinator, worker = users["coordinator"], users["outreach"]
    north = survivors[0].team
    living = [s for s in survivors if s.team_id == north.pk and s.status != Survivor.Status.DECEASED]

    relatives = [("parent", "Carmen"), ("spouse", "Dale"), ("sibling", "Rosa"), ("friend", "Jordan")]
    members = []
    for survivor, (relationship, first) in zip(living[:4], relatives, strict=True):
        members.append(records.add_family_member(
            survivor, by=worker, name=f"{first} {survivor.legal_last_name}", relationship=relationship,
            phone=f"+1202555{190 + len(members):04d}", consent_to_contact=relationship != "friend",
        ))

    for i, survivor in enumerate(living[:12]):
        given = now - timedelta(days=rng.randint(2, 60))
        records.record_consent(survivor, by=worker, kind=Consent.Kind.CONTACT, given_at=given)
        if survivor.safe_to_text:
            records.record_consent(survivor, by=worker, kind=Consent.Kind.TEXT, given_at=given)
        if i % 4 == 0:
            records.record_consent(survivor, by=worker, kind=Consent.Kind.NETWORK, given_at=given,
                                   expires_at=given + timedelta(days=365))
    revoked = records.record_consent(living[1], by=worker, kind=Consent.Kind.VOICEMAIL,
                                     given_at=now - timedelta(days=40))
    records.revoke_consent(revoked, by=coordinator)
    records.record_consent(living[2], by=worker, kind=Consent.Kind.CONTACT, given_at=now - timedelta(days=400),
                           expires_at=now - timedelta(days=35))

    records.record_naloxone(by=worker, team=north, family_member=members[0], kits=2, test_strips=10,
                            training_given=True, given_at=now - timedelta(days=3))
    records.record_naloxone(by=worker, team=north, kits=3, test_strips=20, training_given=True,
                            given_at=now - timedelta(days=1))

    _demo_import(coordinator, north, living, now)


def _demo_import(coordinator, team, living, now):
    from . import importer

    known, nicknamed = living[6], next(s for s in living if s.legal_first_name == "Michael")
    stamp = lambda hours: timezone.localtime(now - timedelta(hours=hours)).strftime("%m/%d/%Y %H:%M")  # noqa: E731
    rows = [
        "Incident No,Date/Time,First Name,Last Name,DOB,Phone,Disposition",
        f"PD-26-0101,{stamp(30)},{known.legal_first_name},{known.legal_last_name},"
        f"{known.date_of_birth:%m/%d/%Y},,Transported",
        f"PD-26-0102,{stamp(20)},Mike,{nicknamed.legal_last_name},,,Refused",
        f"PD-26-0103,{stamp(12)},Jamie,Okafor,1994-08-19,(202) 555-0188,Transported",
        f"PD-26-0103,{stamp(12)},Jamie,Okafor,1994-08-19,(202) 555-0188,Transported",
        f"PD-26-0104,{(now + timedelta(days=3)):%Y-%m-%d} 09:00,Lee,Unger,,,Transported",
    ]
    upload = SimpleUploadedFile("police-export.csv", ("\r\n".join(rows) + "\r\n").encode("utf-8"))
    batch = importer.start_import(by=coordinator, team=team, source="police", uploaded_file=upload)
    importer.save_mapping(batch, batch.mapping, by=coordinator)
    importer.run_import(batch.pk)
