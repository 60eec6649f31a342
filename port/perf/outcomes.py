"""Scale data, part three: referrals and their status history, texts both ways, the audit trail."""

import uuid
from datetime import timedelta

from followups.messaging.models import Message, MessageTemplate
from port.audit.models import AuditEvent
from referrals.models import TREATMENT_CATEGORIES, Referral, ReferralStatusChange

from .clock import F_ASSIGNED, F_CLOSED, F_CREATED, F_DEADLINE, F_ID, F_KIND, F_STATUS, F_SURVIVOR, F_TEAM
from .loader import CopyLoader, next_id

H = timedelta(hours=1)
DAY = timedelta(days=1)
CATEGORY_WEIGHTS = [("moud", 25), ("outpatient", 15), ("detox", 10), ("inpatient", 8), ("harm_reduction", 12),
                    ("housing", 10), ("food", 5), ("medical", 5), ("mental_health", 5), ("transportation", 2),
                    ("family", 2), ("peer_support", 1)]
PATHS = {
    "made": ["made"], "accepted": ["made", "accepted"], "connected": ["made", "accepted", "connected"],
    "declined": ["made", "declined"], "no_show": ["made", "accepted", "no_show"],
    "closed": ["made", "accepted", "connected", "closed"],
}
PROGRAM_NUMBER = "+15135550100"
REPLIES = ["Ok thanks", "Who is this?", "Can you call me tomorrow", "Yes I'd like to talk", "STOP", "I'm ok"]
TEXT = "Hi {first}, this is your Community Outreach Program team checking in. Call or text us at (513) 555-0100."


def _referral_status(rng, age):
    if age < 7 * DAY:
        return rng.choice(["made", "made", "accepted"])
    r = rng.random()
    for status, upto in (("connected", 0.40), ("declined", 0.55), ("no_show", 0.70), ("closed", 0.95),
                         ("accepted", 0.97)):
        if r < upto:
            return status
    return "made"


def load_referrals(ctx):
    rng, now = ctx.rng, ctx.now
    candidates = [r for r in ctx.followups if r[F_KIND] == "initial" and r[F_STATUS] == "reached"]
    categories = [c for c, w in CATEGORY_WEIGHTS for _ in range(w)]
    ref0, chg0 = next_id(Referral), next_id(ReferralStatusChange)
    changes = []
    if not candidates:
        return

    def rows():
        for k in range(ctx.counts.referrals):
            f = rng.choice(candidates)
            rid = ref0 + k
            made = min(f[F_CLOSED] + rng.uniform(0, 48) * H, now - H)
            category = rng.choice(categories)
            org, service = rng.choice(ctx.org_services[category])
            status = _referral_status(rng, now - made)
            path = PATHS[status]
            step_at = made
            for i, to in enumerate(path):
                changes.append((rid, path[i - 1] if i else "", to, f[F_ASSIGNED], step_at))
                step_at = min(step_at + rng.uniform(0.5, 5) * DAY, now)
            connected = made + rng.uniform(1, 10) * DAY if "connected" in path else None
            connected = min(connected, now) if connected else None
            treatment = category in TREATMENT_CATEGORIES
            moud = category == "moud" and connected is not None and rng.random() < 0.7
            e30 = (rng.random() < 0.6) if connected and connected + 30 * DAY < now else None
            e90 = (rng.random() < 0.4) if connected and connected + 90 * DAY < now else None
            yield (rid, f[F_TEAM], f[F_SURVIVOR], org, service, category, ctx.reach_attempt.get(f[F_ID]),
                   f[F_ASSIGNED], made, rng.choice(["accompanied", "three_way_call", "transported",
                                                       "information_only", "information_only"]),
                   rng.random() < 0.5, made + rng.uniform(1, 7) * DAY if rng.random() < 0.5 else None, status,
                   changes[-1][4], connected, connected.date() if connected and treatment else None, moud,
                   "buprenorphine" if moud else "", e30, e90)

    ctx.step("referrals", CopyLoader(Referral, [
        "id", "team_id", "survivor_id", "organization_id", "service_id", "category", "contact_attempt_id",
        "made_by_id", "made_at", "handoff", "shares_identity", "appointment_at", "status", "status_changed_at",
        "connected_at", "admitted_on", "moud_started", "moud_medication", "engaged_30d", "engaged_90d"]), rows())
    ctx.step("referral status changes", CopyLoader(ReferralStatusChange, [
        "id", "referral_id", "from_status", "to_status", "changed_by_id", "changed_at"]), (
        (chg0 + k, *change) for k, change in enumerate(changes)))



def _message_status(rng):
    r = rng.random()
    if r < 0.86:
        return "delivered", ""
    if r < 0.91:
        return "sent", ""
    if r < 0.94:
        return "undelivered", "30003"
    if r < 0.97:
        return "failed", "30006"
    return "unknown", ""


def load_messages(ctx):
    """Texts for the text attempts, scheduler fallbacks to reach the rest, and replies."""

    rng, now = ctx.rng, ctx.now
    template, _ = MessageTemplate.objects.get_or_create(
        name="Bench check-in", channel="sms", language="en", defaults={"body": TEXT.replace("{first}", "{first_name}")}
    )
    sur0 = ctx.survivors[0][0]
    textable = {s[0] for s in ctx.survivors if s[2] and s[3]}  # a phone, and safe to text
    with_phone = [i for i, r in enumerate(ctx.followups) if r[F_SURVIVOR] in textable]
    total = ctx.counts.messages
    inbound = total // 4
    # Staff texts are the text contact attempts; the scheduler's fallbacks fill up the rest.
    outbound = [(index, at, ctx.followups[index][F_ASSIGNED], aid) for aid, index, at in ctx.text_attempts]
    outbound = outbound[: total - inbound]

    def when(row):
        start = row[F_CREATED]
        end = min(row[F_CLOSED] or row[F_DEADLINE], now)
        return start + (end - start) * rng.random() if end > start else start

    while len(outbound) < total - inbound and with_phone:
        index = rng.choice(with_phone)
        outbound.append((index, when(ctx.followups[index]), None, None))
    reply_tokens = [ctx.token(r) for r in REPLIES]

    def rows():
        for k in range(total):
            mid = uuid.UUID(int=rng.getrandbits(128), version=4)
            if k < len(outbound):
                index, at, worker, attempt = outbound[k]
                row = ctx.followups[index]
                survivor = ctx.survivors[row[F_SURVIVOR] - sur0]
                status, error = _message_status(rng)
                sent = at + timedelta(seconds=2) if status != "unknown" else None
                yield (mid, "out", "sms", survivor[2] or PROGRAM_NUMBER, PROGRAM_NUMBER, template.id,
                       "one_off" if worker else "fallback", ctx.token(TEXT.format(first=survivor[4])),
                       f"SM{mid.hex}", status, error, f"bench:{mid.hex}", survivor[0], row[F_ID], worker, attempt,
                       1, at, sent, at, at + timedelta(seconds=30))
            elif with_phone:
                row = ctx.followups[rng.choice(with_phone)]
                survivor = ctx.survivors[row[F_SURVIVOR] - sur0]
                at = when(row)
                yield (mid, "in", "sms", PROGRAM_NUMBER, survivor[2], None, "inbound", rng.choice(reply_tokens),
                       f"SM{mid.hex}", "received", "", None, survivor[0], row[F_ID], None, None, 0, at, None, at, at)

    ctx.step("messages", CopyLoader(Message, [
        "id", "direction", "channel", "to_number", "from_number", "template_id", "purpose", "body", "twilio_sid",
        "status", "error_code", "idempotency_key", "survivor_id", "followup_id", "sent_by_id", "contact_attempt_id",
        "tries", "enqueued_at", "sent_at", "created_at", "updated_at"]), rows())


def load_audit(ctx):
    """An audit trail: who created each event, and views of survivor pages by the team."""

    rng, now = ctx.rng, ctx.now
    from port.accounts.models import User

    roles = dict(User.objects.filter(username__startswith="bench-").values_list("id", "role"))
    staff = list(roles)
    aud0 = next_id(AuditEvent)
    span = (now - ctx.events[0][3]) if ctx.events else DAY

    def rows():
        k = 0
        for eid, s, team_id, at, _fatal in ctx.events:
            if k >= ctx.counts.audit_events:
                return
            user = ctx.coordinators[team_id]
            survivor = ctx.survivors[s][0] if s is not None else None
            yield (aud0 + k, user, roles[user], at + H, "create", "survivors.overdoseevent", str(eid), survivor,
                   "10.0.0.5", "")
            k += 1
        while k < ctx.counts.audit_events:
            user = rng.choice(staff)
            survivor = ctx.survivors[rng.randrange(len(ctx.survivors))][0]
            yield (aud0 + k, user, roles[user], now - span * rng.random(), "view", "survivors.survivor",
                   str(survivor), survivor, "10.0.0.7", "")
            k += 1

    ctx.step("audit events", CopyLoader(AuditEvent, [
        "id", "user_id", "role", "at", "action", "object_type", "object_id", "survivor_id", "ip", "detail"]), rows())
