"""Follow-ups, their scheduled side effects (the 24-72 hour clock) and contact attempts."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from port.accounts.scoping import ScopedQuerySet
from port.crypto import EncryptedTextField


class FollowUpQuerySet(ScopedQuerySet):
    team_path = "team"

    def open(self):
        return self.filter(status=FollowUp.Status.OPEN)


class FollowUp(models.Model):
    class Kind(models.TextChoices):
        INITIAL = "initial", "Initial follow-up"
        CHECKIN = "checkin", "Check-in"
        FAMILY_SUPPORT = "family_support", "Family support"
        REFERRAL_CHECK = "referral_check", "Referral check"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        REACHED = "reached", "Reached"
        CLOSED_UNREACHED = "closed_unreached", "Closed, unable to reach"
        DECLINED = "declined", "Declined"
        CANCELLED = "cancelled", "Cancelled"

    survivor = models.ForeignKey(
        "survivors.Survivor", null=True, blank=True, on_delete=models.CASCADE, related_name="followups"
    )
    event = models.ForeignKey(
        "survivors.OverdoseEvent", null=True, blank=True, on_delete=models.CASCADE, related_name="followups"
    )
    referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.CASCADE, related_name="followups"
    )
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="checkins")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.INITIAL)
    checkin_day = models.PositiveSmallIntegerField(null=True, blank=True)
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="followups")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="followups"
    )
    target_at = models.DateTimeField()
    deadline_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # Set when the unreached attempts reach FOLLOWUP_MAX_ATTEMPTS: a coordinator confirms the closing.
    closing_proposed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["deadline_at"]
        indexes = [
            models.Index(fields=["assigned_to", "status", "deadline_at"]),
            models.Index(fields=["team", "status", "deadline_at"]),
            # The open follow-ups alone (a few percent of all): the dashboard's workload by worker
            # reads them from this index without the table.
            models.Index(
                fields=["assigned_to", "deadline_at"],
                include=["id", "team"],
                condition=models.Q(status="open"),
                name="followup_open_by_worker",
            ),
        ]
        constraints = [
            # One initial (or family-support) follow-up per event; one check-in per day number.
            models.UniqueConstraint(
                fields=["event", "kind"],
                condition=models.Q(kind__in=["initial", "family_support"]),
                name="one_initial_followup_per_event",
            ),
            models.UniqueConstraint(fields=["parent", "checkin_day"], name="one_checkin_per_day"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_open(self):
        return self.status == self.Status.OPEN


class ScheduledEffectQuerySet(ScopedQuerySet):
    team_path = "followup__team"


class ScheduledEffect(models.Model):
    """One side effect of the clock (notify, warn, escalate, fallback) for one follow-up.

    The unique (followup, stage) pair is the idempotency key: the sweep claims a row,
    the task re-reads it and acts only while it still holds the claim.
    """

    class Stage(models.TextChoices):
        DUE = "due", "Due: notify the assignee"
        WARNING = "warning", "No contact at the warning point"
        ESCALATE = "escalate", "Deadline passed: escalate"
        FALLBACK = "fallback", "Fallback contact"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        CLAIMED = "claimed", "Claimed"
        DONE = "done", "Done"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed (gave up after retries)"

    followup = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="effects")
    stage = models.CharField(max_length=10, choices=Stage.choices)
    due_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    tries = models.PositiveSmallIntegerField(default=0)
    # The exception class of the last failed run (never its message: it may hold personal data).
    last_error = models.CharField(max_length=100, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    objects = ScheduledEffectQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["followup", "stage"], name="one_effect_per_stage")]
        indexes = [models.Index(fields=["state", "due_at"]), models.Index(fields=["state", "claimed_at"])]

    def __str__(self):
        return f"{self.stage} for follow-up {self.followup_id}"


class ContactAttemptQuerySet(ScopedQuerySet):
    team_path = "followup__team"


class ContactAttempt(models.Model):
    class Method(models.TextChoices):
        VISIT = "visit", "In-person visit"
        PHONE = "phone", "Phone call"
        TEXT = "text", "Text message"
        VOICE = "voice", "Voice message"

    class Outcome(models.TextChoices):
        REACHED_ENGAGED = "reached_engaged", "Reached, engaged"
        REACHED_DECLINED = "reached_declined", "Reached, declined"
        NOT_HOME = "not_home", "Not home"
        NO_ANSWER = "no_answer", "No answer"
        VOICEMAIL = "voicemail", "Voicemail left"
        BAD_ADDRESS = "bad_address", "Wrong or no address"
        UNSAFE = "unsafe", "Unsafe to visit"
        NUMBER_INVALID = "number_invalid", "Number invalid"
        HOSPITALISED = "hospitalised", "Hospitalised"
        INCARCERATED = "incarcerated", "Incarcerated"
        MOVED = "moved", "Moved"
        DECEASED = "deceased", "Deceased"
        SENT = "sent", "Message sent"

    REACHED = (Outcome.REACHED_ENGAGED, Outcome.REACHED_DECLINED)
    # A visit with one of these outcomes was not possible: the fallback contact is offered.
    VISIT_NOT_POSSIBLE = (Outcome.NOT_HOME, Outcome.BAD_ADDRESS, Outcome.UNSAFE)

    class LeftBehind(models.TextChoices):
        NOTHING = "nothing", "Nothing"
        GENERIC_CARD = "generic_card", "Generic card"
        MATERIALS = "materials", "Information materials (person reached)"

    followup = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="attempts")
    method = models.CharField(max_length=10, choices=Method.choices)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="contact_attempts"
    )
    team_members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    location = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    police_present = models.BooleanField(default=False)
    left_behind = models.CharField(max_length=20, choices=LeftBehind.choices, default=LeftBehind.NOTHING)
    naloxone_kits = models.PositiveSmallIntegerField(default=0)
    test_strips = models.PositiveSmallIntegerField(default=0)
    family_members_met = models.ManyToManyField("survivors.FamilyMember", blank=True, related_name="+")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    notes = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ContactAttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["followup", "at"])]

    def __str__(self):
        return f"{self.get_method_display()}: {self.get_outcome_display()}"

    @property
    def reached(self):
        return self.outcome in self.REACHED
