"""Scale data, part two: follow-ups in every state, their clock rows, contact attempts, naloxone."""

from datetime import timedelta

from followups.models import ContactAttempt, FollowUp, ScheduledEffect
from survivors.models import NaloxoneDistribution

from .loader import CopyLoader, next_id

FOLLOWUP_COLUMNS = [
    "id", "survivor_id", "event_id", "parent_id", "kind", "checkin_day", "team_id", "assigned_to_id", "target_at",
    "deadline_at", "status", "escalated_at", "closed_at", "created_at",
]
# Positions in a follow-up row.
F_ID, F_SURVIVOR, F_EVENT, F_KIND, F_TEAM, F_ASSIGNED, F_TARGET, F_DEADLINE, F_STATUS, F_CLOSED, F_CREATED = (
    0, 1, 2, 4, 6, 7, 8, 9, 10, 12, 13,
)
H = timedelta(hours=1)
DAY = timedelta(days=1)
CHECKIN_DAYS = (7, 30, 90)
VISIT_MISSES = ["not_home"] * 5 + ["bad_address", "unsafe", "moved", "hospitalised", "incarcerated"]
PHONE_MISSES = ["no_answer"] * 3 + ["voicemail"] * 2 + ["number_invalid"]


def _older_status(rng):
    r = rng.random()
    if r < 0.50:
        return "reached"
    if r < 0.58:
        return "declined"
    if r < 0.95:
        return "closed_unreached"
    if r < 0.99:
        return "cancelled"
    return "open"  # overdue, still being tried


def load_followups(ctx):
    """Initial (or family-support) follow-ups per event, check-ins after each reach; then the clock rows."""

    rng, now = ctx.rng, ctx.now
    fid = next_id(FollowUp)
    rows = ctx.followups
    for eid, s, team_id, at, fatal in ctx.events:
        if s is None and not fatal:
            continue  # an unmatched import row waits for the coordinator
        survivor_id = ctx.survivors[s][0] if s is not None else None
        kind = "family_support" if fatal else "initial"
        target, deadline = at + 24 * H, at + 72 * H
        assigned = rng.choice(ctx.workers[team_id])
        escalated = closed = None
        if deadline > now:
            r = rng.random()
            status = "open" if r < 0.7 else ("reached" if r < 0.95 else "declined")
        else:
            status = _older_status(rng)
        if status in ("reached", "declined"):
            hours = rng.uniform(2, 72) if rng.random() < 0.7 else rng.uniform(72, 240)
            closed = min(at + hours * H, now - timedelta(minutes=5))
        elif status == "closed_unreached":
            escalated, closed = deadline, min(deadline + rng.uniform(1, 14) * DAY, now)
        elif status == "cancelled":
            closed = at + rng.uniform(1, 48) * H
        elif deadline <= now:
            escalated = deadline
        parent = fid
        rows.append((fid, survivor_id, eid, None, kind, None, team_id, assigned, target, deadline, status,
                     escalated, closed, at + 0.5 * H))
        fid += 1
        if status not in ("reached", "declined") or survivor_id is None:
            continue
        for day in CHECKIN_DAYS:
            c_target = closed + day * DAY
            c_deadline = c_target + 3 * DAY
            c_escalated = c_closed = None
            if c_deadline <= now:
                r = rng.random()
                c_status = "reached" if r < 0.55 else ("closed_unreached" if r < 0.9 else "cancelled")
                if c_status == "reached":
                    c_closed = c_target + rng.uniform(-1, 3) * DAY
                elif c_status == "closed_unreached":
                    c_escalated, c_closed = c_deadline, c_deadline + H
                else:
                    c_closed = c_target - DAY
            else:
                c_status = "open"
                if c_deadline <= now:
                    c_escalated = c_deadline
            rows.append((fid, survivor_id, eid, parent, "checkin", day, team_id, assigned, c_target, c_deadline,
                         c_status, c_escalated, c_closed, closed))
            fid += 1
    ctx.step("follow-ups", CopyLoader(FollowUp, FOLLOWUP_COLUMNS), rows)
    ctx.step("clock rows (effects)", CopyLoader(ScheduledEffect, [
        "id", "followup_id", "stage", "due_at", "state", "claimed_at", "tries", "done_at"]),
        _effect_rows(ctx, next_id(ScheduledEffect)))


def _effect_rows(ctx, eff):
    """Past stages done (or skipped once closed); stages due in the last hour still pending: due now."""

    now = ctx.now
    recent = now - H
    for row in ctx.followups:
        stages = [("due", row[F_TARGET])]
        if row[F_KIND] == "initial":
            stages.append(("warning", row[F_DEADLINE] - 24 * H))
        stages.append(("escalate", row[F_DEADLINE]))
        closed = row[F_CLOSED]
        for stage, due in stages:
            if closed is not None:
                state = "done" if due < closed else "skipped"
            else:
                state = "done" if due <= recent else "pending"
            done = due + timedelta(minutes=1) if state == "done" else None
            yield (eff, row[F_ID], stage, due, state, done, 1 if done else 0, done)
            eff += 1


def _plan_attempts(ctx):
    """How many unsuccessful tries each follow-up had (and whether one reached the person)."""

    rng, now = ctx.rng, ctx.now
    plan = []
    for row in ctx.followups:
        status, checkin = row[F_STATUS], row[F_KIND] == "checkin"
        if status in ("reached", "declined"):
            misses = 0 if checkin else rng.choice([0, 0, 0, 0, 0, 1, 1, 1, 2, 3])
        elif status == "closed_unreached":
            misses = rng.randint(1, 2) if checkin else rng.randint(2, 5)
        elif status == "cancelled":
            misses = rng.randint(0, 1) if not checkin else 0
        elif row[F_TARGET] > now:
            misses = 0
        else:
            misses = rng.randint(0, 2) if row[F_DEADLINE] > now else rng.randint(1, 4)
        plan.append(misses)
    # Meet the asked-for total: add tries to unreached and open work, or take some away.
    total = len(plan) + sum(plan) - sum(1 for r in ctx.followups if r[F_STATUS] not in ("reached", "declined"))
    gap = ctx.counts.attempts - total
    candidates = [i for i, r in enumerate(ctx.followups) if r[F_STATUS] in ("closed_unreached", "reached")]
    while gap > 0 and candidates:
        plan[rng.choice(candidates)] += 1
        gap -= 1
    while gap < 0:
        tried = [i for i, misses in enumerate(plan) if misses]
        if not tried:
            break
        rng.shuffle(tried)
        for i in tried[:-gap]:
            plan[i] -= 1
            gap += 1
    return plan


def _miss(rng):
    r = rng.random()
    if r < 0.55:
        return "visit", rng.choice(VISIT_MISSES)
    if r < 0.85:
        return "phone", rng.choice(PHONE_MISSES)
    return "text", "sent"


def load_attempts(ctx):
    rng, now = ctx.rng, ctx.now
    plan = _plan_attempts(ctx)
    note_tokens = [ctx.token(t) for t in ("Left card with neighbour.", "Spoke briefly; call back Friday.",
                                          "Mother answered; will pass on the number.")]
    naloxone = []
    first_id = next_id(ContactAttempt)  # not inside the generator: the connection is busy with COPY then

    def rows():
        aid = first_id
        for index, (row, misses) in enumerate(zip(ctx.followups, plan, strict=True)):
            status, closed = row[F_STATUS], row[F_CLOSED]
            start = row[F_CREATED] if row[F_KIND] != "checkin" else row[F_TARGET] - DAY
            end = closed or min(now, row[F_DEADLINE] + 7 * DAY)
            reached = status in ("reached", "declined")
            if end <= start:
                end = start + H
            span = (end - start).total_seconds()
            times = sorted(start + timedelta(seconds=rng.random() * span) for _ in range(misses))
            worker = row[F_ASSIGNED]
            for at in times:
                method, outcome = _miss(rng)
                if method == "text" and row[F_SURVIVOR]:
                    ctx.text_attempts.append((aid, index, at))
                yield (aid, row[F_ID], method, worker, at, "", outcome, method == "visit" and rng.random() < 0.1,
                       "generic_card" if method == "visit" and rng.random() < 0.5 else "nothing", 0, 0,
                       at + DAY if rng.random() < 0.5 else None,
                       rng.choice(note_tokens) if rng.random() < 0.15 else "", at)
                aid += 1
            if reached:
                method = "visit" if rng.random() < 0.7 else "phone"
                kits = rng.randint(1, 2) if method == "visit" and rng.random() < 0.5 else 0
                strips = rng.randint(0, 5) if kits else 0
                outcome = "reached_engaged" if status == "reached" else "reached_declined"
                ctx.reach_attempt[row[F_ID]] = aid
                if kits and row[F_SURVIVOR]:
                    naloxone.append((row[F_TEAM], row[F_SURVIVOR], closed, worker, kits, strips))
                yield (aid, row[F_ID], method, worker, closed, "", outcome, method == "visit" and rng.random() < 0.1,
                       "materials" if method == "visit" else "nothing", kits, strips, None,
                       rng.choice(note_tokens) if rng.random() < 0.3 else "", closed)
                aid += 1

    ctx.step("contact attempts", CopyLoader(ContactAttempt, [
        "id", "followup_id", "method", "performed_by_id", "at", "location", "outcome", "police_present",
        "left_behind", "naloxone_kits", "test_strips", "next_attempt_at", "notes", "created_at"]), rows())
    nal0 = next_id(NaloxoneDistribution)
    ctx.step("naloxone distributions", CopyLoader(NaloxoneDistribution, [
        "id", "created_at", "created_by_id", "updated_at", "updated_by_id", "team_id", "survivor_id", "given_at",
        "given_by_id", "kits", "test_strips", "is_refill", "training_given"]), (
        (nal0 + k, at, by, at, by, team, survivor, at, by, kits, strips, k % 3 == 0, True)
        for k, (team, survivor, at, by, kits, strips) in enumerate(naloxone)))
