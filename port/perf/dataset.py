"""The scale dataset: how many rows of each kind, and the shared state while generating them.

`generate(scale=1.0)` loads, into the configured PostgreSQL database, a program's
accumulated records: by default 100,000 survivors, 150,000 overdose events, 400,000
contact attempts, 100,000 referrals, 200,000 messages, 500 organisations and 50 staff in
5 teams, with follow-ups in every state and some due now. Rows are written with COPY
(port.perf.loader); encrypted fields hold real Fernet tokens, encrypted once and reused.
"""

import random
import time
from dataclasses import dataclass, fields

from django.db import connection
from django.utils import timezone

from port.crypto import encrypt_text

from .loader import analyze, reset_sequences

BENCH_PASSWORD = "port-bench-2026"  # every generated staff account (usernames start with "bench-")
DEFAULT_COUNTS = {
    "survivors": 100_000,
    "events": 150_000,
    "attempts": 400_000,
    "referrals": 100_000,
    "messages": 200_000,
    "organizations": 500,
    "family_members": 20_000,
    "consents": 40_000,
    "audit_events": 300_000,
}
# Tables a --flush empties (the benchmark database only).
FLUSH_TABLES = [
    "messaging_message",
    "referrals_referralstatuschange",
    "referrals_referral",
    "referrals_service",
    "referrals_organization",
    "followups_contactattempt",
    "followups_scheduledeffect",
    "followups_followup",
    "survivors_naloxonedistribution",
    "survivors_consent",
    "survivors_familymember",
    "survivors_overdoseevent",
    "survivors_survivor",
    "audit_auditevent",
    "accounts_notification",
    "django_session",
    "accounts_user",
    "accounts_team",
]


@dataclass
class Counts:
    survivors: int
    events: int
    attempts: int
    referrals: int
    messages: int
    organizations: int
    family_members: int
    consents: int
    audit_events: int

    @classmethod
    def at_scale(cls, scale):
        values = {f.name: max(5, round(DEFAULT_COUNTS[f.name] * scale)) for f in fields(cls)}
        values["events"] = max(values["events"], values["survivors"])
        return cls(**values)


class Context:
    """What one generation run shares between its steps."""

    def __init__(self, counts, *, seed=2026, stdout=None):
        self.counts = counts
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.stdout = stdout
        self.timings = []  # (what, rows, seconds)
        # Filled by the steps, read by later ones.
        self.team_ids = []
        self.workers = {}  # team id -> outreach worker ids
        self.coordinators = {}  # team id -> coordinator id
        self.survivors = []  # (id, team_id, phone, safe_to_text, first_name)
        self.events = []  # (id, survivor index or None, team_id, occurred_at, fatal)
        self.org_services = {}  # category -> [(organization id, service id)]
        self.followups = []  # rows as written (see work.FOLLOWUP_COLUMNS)
        self.reach_attempt = {}  # follow-up id -> the attempt that reached the person
        self.text_attempts = []  # (attempt id, follow-up index, at, outcome)
        self.tokens = {}

    def token(self, plain):
        """A Fernet token for a value, encrypted once per distinct value (encrypting is slow)."""

        if plain not in self.tokens:
            self.tokens[plain] = encrypt_text(plain)
        return self.tokens[plain]

    def step(self, what, loader, rows):
        started = time.perf_counter()
        n = loader.load(rows)
        seconds = time.perf_counter() - started
        self.timings.append((what, n, seconds))
        if self.stdout:
            self.stdout.write(f"  {what:<28} {n:>9,} rows  {seconds:6.1f} s")
        return n


def flush():
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE " + ", ".join(FLUSH_TABLES) + " RESTART IDENTITY CASCADE")


def is_empty():
    from survivors.models import Survivor

    return not Survivor.objects.exists()


def fill_event_facts(ctx):
    from port.dashboards.facts import fill_event_facts_in_bulk

    started = time.perf_counter()
    n = fill_event_facts_in_bulk()
    seconds = time.perf_counter() - started
    ctx.timings.append(("event facts (dashboards)", 0, seconds))  # rows updated, not added: not in the total
    if ctx.stdout:
        ctx.stdout.write(f"  {'event facts (dashboards)':<28} {n:>9,} events {seconds:5.1f} s (updated)")


def generate(scale=1.0, *, seed=2026, stdout=None):
    """Load the dataset; returns the Context (its `timings` say what took how long)."""

    from followups.messaging.models import Message
    from followups.models import ContactAttempt, FollowUp, ScheduledEffect
    from port.accounts.models import Team, User
    from port.audit.models import AuditEvent
    from referrals.models import Organization, Referral, ReferralStatusChange, Service
    from survivors.models import Consent, FamilyMember, NaloxoneDistribution, OverdoseEvent, Survivor

    from . import clock, outcomes, people

    ctx = Context(Counts.at_scale(scale), seed=seed, stdout=stdout)
    people.load_staff(ctx)
    people.load_organizations(ctx)
    people.load_survivors_and_events(ctx)
    people.load_family_and_consents(ctx)
    clock.load_followups(ctx)
    clock.load_attempts(ctx)
    outcomes.load_referrals(ctx)
    fill_event_facts(ctx)
    outcomes.load_messages(ctx)
    outcomes.load_audit(ctx)
    models = [
        Team, User, Organization, Service, Survivor, OverdoseEvent, FamilyMember, Consent, FollowUp,
        ScheduledEffect, ContactAttempt, NaloxoneDistribution, Referral, ReferralStatusChange, Message, AuditEvent,
    ]
    started = time.perf_counter()
    reset_sequences(models)
    analyze(models)
    ctx.timings.append(("sequences + VACUUM ANALYZE", 0, time.perf_counter() - started))
    return ctx
