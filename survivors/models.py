"""People and what happened to them: survivors, family members, overdose events, consent, naloxone."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField

from port.accounts.scoping import ScopedQuerySet
from port.crypto import EncryptedJSONField, EncryptedTextField

from .text import search_fields


class Tracked(models.Model):
    """Who created and last changed a row, and when."""

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        abstract = True


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish"
    OTHER = "other", "Other"


class SurvivorQuerySet(ScopedQuerySet):
    team_path = "team"

    def active(self):
        return self.filter(deleted_at__isnull=True, merged_into__isnull=True)


class Survivor(Tracked):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ENGAGED = "engaged", "Engaged"
        IN_TREATMENT = "in_treatment", "In treatment"
        UNABLE_TO_REACH = "unable_to_reach", "Unable to reach"
        DECLINED = "declined", "Declined"
        MOVED = "moved", "Moved"
        DECEASED = "deceased", "Deceased"
        CLOSED = "closed", "Closed"

    class PhoneStatus(models.TextChoices):
        OK = "ok", "OK"
        OPTED_OUT = "opted_out", "Opted out of texts (STOP)"
        INVALID = "invalid", "Invalid number"

    class ContactMethod(models.TextChoices):
        VISIT = "visit", "In-person visit"
        PHONE = "phone", "Phone call"
        TEXT = "text", "Text message"

    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="survivors")
    legal_first_name = models.CharField(max_length=100)
    legal_last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    age_estimate = models.PositiveSmallIntegerField(null=True, blank=True)
    sex = models.CharField(max_length=20, blank=True)
    gender = models.CharField(max_length=50, blank=True)
    race = models.CharField(max_length=50, blank=True)
    ethnicity = models.CharField(max_length=50, blank=True)
    language = models.CharField(max_length=10, choices=Language.choices, default=Language.ENGLISH)
    phone = PhoneNumberField(blank=True)
    phone_alt = PhoneNumberField(blank=True)
    phone_status = models.CharField(max_length=20, choices=PhoneStatus.choices, default=PhoneStatus.OK)
    address = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    zip_code = models.CharField(max_length=10, blank=True)
    housing_status = models.CharField(max_length=50, blank=True)
    insurance = models.CharField(max_length=50, blank=True)
    preferred_contact_method = models.CharField(max_length=10, choices=ContactMethod.choices, blank=True)
    safe_contact_times = models.CharField(max_length=200, blank=True)
    safe_to_text = models.BooleanField(default=False)
    safe_voicemail = models.BooleanField(default=False)
    ok_to_disclose_household = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    high_risk = models.BooleanField(default=False, help_text="Repeat overdose or other risk.")
    high_risk_reason = models.CharField(max_length=200, blank=True)
    notes = EncryptedTextField(blank=True, help_text="Clinical notes: encrypted at rest.")
    # Normalised (lowercase, no accents) names for fast, accent-insensitive search, and the
    # sound key (text.name_key) that duplicate matching looks candidates up by.
    search_name = models.CharField(max_length=320, blank=True, editable=False, db_index=True)
    search_first = models.CharField(max_length=100, blank=True, editable=False)
    search_last = models.CharField(max_length=100, blank=True, editable=False)
    name_key = models.CharField(max_length=8, blank=True, editable=False, db_index=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = SurvivorQuerySet.as_manager()

    class Meta:
        ordering = ["legal_last_name", "legal_first_name"]
        indexes = [
            models.Index(fields=["team", "legal_last_name"]),
            models.Index(fields=["phone"]),
            models.Index(fields=["phone_alt"]),
            models.Index(fields=["date_of_birth"]),
            # The few erased records, which the dashboards leave out without reading every person.
            models.Index(fields=["id"], condition=models.Q(deleted_at__isnull=False), name="survivor_deleted"),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        first = self.preferred_name or self.legal_first_name
        return f"{first} {self.legal_last_name}".strip()

    @property
    def first_name_for_messages(self):
        return self.preferred_name or self.legal_first_name

    @property
    def can_receive_texts(self):
        return bool(self.phone) and self.safe_to_text and self.phone_status == self.PhoneStatus.OK

    @property
    def is_active_record(self):
        return self.deleted_at is None and self.merged_into_id is None

    def refresh_search_fields(self):
        for name, value in search_fields(self.legal_first_name, self.legal_last_name, self.preferred_name).items():
            setattr(self, name, value)

    def save(self, *args, **kwargs):
        self.refresh_search_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"legal_first_name", "legal_last_name", "preferred_name"} & set(update_fields):
            kwargs["update_fields"] = set(update_fields) | {"search_name", "search_first", "search_last", "name_key"}
        super().save(*args, **kwargs)


class FamilyMemberQuerySet(ScopedQuerySet):
    team_path = "survivor__team"


class FamilyMember(Tracked):
    survivor = models.ForeignKey(Survivor, on_delete=models.CASCADE, related_name="family_members")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=50)
    phone = PhoneNumberField(blank=True)
    language = models.CharField(max_length=10, choices=Language.choices, default=Language.ENGLISH)
    consent_to_contact = models.BooleanField(default=False)
    notes = EncryptedTextField(blank=True)

    objects = FamilyMemberQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.relationship})"


class OverdoseEventQuerySet(ScopedQuerySet):
    team_path = "team"


class OverdoseEvent(Tracked):
    class Source(models.TextChoices):
        EMS = "ems", "EMS"
        POLICE = "police", "Police"
        FIRE = "fire", "Fire"
        ED = "ed", "Emergency department"
        SELF = "self", "Self"
        FAMILY = "family", "Family"
        OTHER = "other", "Other"

    class Outcome(models.TextChoices):
        SURVIVED = "survived", "Survived"
        FATAL = "fatal", "Fatal"

    class NaloxoneBy(models.TextChoices):
        NONE = "", "Not given"
        BYSTANDER = "bystander", "Bystander"
        EMS = "ems", "EMS"
        POLICE = "police", "Police"
        FIRE = "fire", "Fire"
        HOSPITAL = "hospital", "Hospital"
        SELF = "self", "Self"

    class Agreed(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        UNKNOWN = "unknown", "Unknown"

    SUBSTANCES = [
        ("fentanyl", "Fentanyl"),
        ("heroin", "Heroin"),
        ("other_opioid", "Other opioid"),
        ("xylazine", "Xylazine"),
        ("cocaine", "Cocaine"),
        ("methamphetamine", "Methamphetamine"),
        ("other_stimulant", "Other stimulant"),
        ("benzodiazepine", "Benzodiazepine"),
        ("alcohol", "Alcohol"),
        ("unknown", "Unknown"),
    ]

    survivor = models.ForeignKey(
        Survivor, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="events")
    occurred_at = models.DateTimeField(db_index=True)
    reported_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=10, choices=Source.choices)
    source_incident_number = models.CharField(max_length=64, blank=True)
    address = models.CharField(max_length=200, blank=True)
    zip_code = models.CharField(max_length=10, blank=True)
    place_type = models.CharField(max_length=50, blank=True)
    substances = EncryptedJSONField(default=list, blank=True, help_text="Suspected substances: encrypted at rest.")
    naloxone_administered = models.BooleanField(default=False)
    naloxone_by = models.CharField(max_length=20, choices=NaloxoneBy.choices, blank=True)
    naloxone_doses = models.PositiveSmallIntegerField(null=True, blank=True)
    transported_to = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.SURVIVED)
    agreed_to_followup = models.CharField(max_length=10, choices=Agreed.choices, default=Agreed.UNKNOWN)
    notes = EncryptedTextField(blank=True)
    import_batch = models.ForeignKey(
        "survivors.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    # Who the source said it was (names, date of birth, phone), kept for an unmatched import
    # row until the coordinator attaches it to a person.
    reported_person = EncryptedJSONField(default=dict, blank=True)
    # What the event's contact attempts and referrals add up to, kept in step by port/dashboards/facts.py
    # so the dashboards and exports read one row per event instead of joining every attempt.
    contact_first_attempt_at = models.DateTimeField(null=True, blank=True, editable=False)
    contact_first_reach_at = models.DateTimeField(null=True, blank=True, editable=False)
    contact_attempts = models.PositiveIntegerField(default=0, editable=False)
    contact_declined = models.BooleanField(default=False, editable=False)
    treatment_linked = models.BooleanField(
        default=False, editable=False, help_text="A treatment referral connected within 30 days of the event."
    )

    objects = OverdoseEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_incident_number"],
                condition=~models.Q(source_incident_number=""),
                name="unique_incident_per_source",
            )
        ]
        indexes = [
            models.Index(fields=["team", "occurred_at"]),
            models.Index(fields=["survivor", "occurred_at"]),
            models.Index(fields=["source_incident_number"]),
            # The dashboards read a period's events from this index alone (PostgreSQL index-only scan).
            models.Index(
                fields=["occurred_at"],
                include=[
                    "id", "team", "survivor", "outcome", "contact_first_attempt_at", "contact_first_reach_at",
                    "contact_attempts", "contact_declined", "treatment_linked",
                ],
                name="event_dashboard_facts",
            ),
        ]

    def __str__(self):
        return f"Event {self.pk} on {self.occurred_at:%Y-%m-%d}"

    @property
    def is_unmatched(self):
        return self.survivor_id is None

    @property
    def is_fatal(self):
        return self.outcome == self.Outcome.FATAL


class ConsentQuerySet(ScopedQuerySet):
    team_path = "survivor__team"

    def active_at(self, when=None):
        when = when or timezone.now()
        return self.filter(given_at__lte=when, revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=when)
        )


class Consent(Tracked):
    """What a person agreed to. A consent for a family member still hangs on the survivor's case."""

    class Kind(models.TextChoices):
        CONTACT = "contact", "Contact"
        TEXT = "text", "Text messages"
        VOICEMAIL = "voicemail", "Voicemail"
        SHARE = "share", "Share with an organisation"
        NETWORK = "network", "Involve family or friends"

    class Method(models.TextChoices):
        VERBAL = "verbal", "Verbal"
        WRITTEN = "written", "Written"
        ELECTRONIC = "electronic", "Electronic"

    survivor = models.ForeignKey(Survivor, on_delete=models.CASCADE, related_name="consents")
    family_member = models.ForeignKey(
        FamilyMember, null=True, blank=True, on_delete=models.CASCADE, related_name="consents"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    organization = models.ForeignKey(
        "referrals.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="consents"
    )
    purpose = models.CharField(max_length=200, blank=True)
    given_at = models.DateTimeField(default=timezone.now)
    method = models.CharField(max_length=12, choices=Method.choices, default=Method.VERBAL)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-given_at"]

    def __str__(self):
        return f"{self.get_kind_display()} consent"

    def is_active(self, when=None):
        when = when or timezone.now()
        if self.revoked_at or self.given_at > when:
            return False
        return self.expires_at is None or self.expires_at > when


class NaloxoneDistributionQuerySet(ScopedQuerySet):
    team_path = "team"


class NaloxoneDistribution(Tracked):
    """Kits and fentanyl test strips handed to a survivor, a family member or anonymously."""

    class PreviousKitUsed(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        UNKNOWN = "unknown", "Unknown"

    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    survivor = models.ForeignKey(
        Survivor, null=True, blank=True, on_delete=models.PROTECT, related_name="naloxone_distributions"
    )
    family_member = models.ForeignKey(
        FamilyMember, null=True, blank=True, on_delete=models.PROTECT, related_name="naloxone_distributions"
    )
    given_at = models.DateTimeField(default=timezone.now, db_index=True)
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kits = models.PositiveSmallIntegerField(default=1)
    test_strips = models.PositiveSmallIntegerField(default=0)
    is_refill = models.BooleanField(default=False)
    previous_kit_used = models.CharField(
        max_length=10, choices=PreviousKitUsed.choices, default=PreviousKitUsed.UNKNOWN
    )
    training_given = models.BooleanField(default=False)

    objects = NaloxoneDistributionQuerySet.as_manager()

    class Meta:
        ordering = ["-given_at"]

    def __str__(self):
        return f"{self.kits} kit(s) on {self.given_at:%Y-%m-%d}"

    @property
    def recipient_kind(self):
        if self.family_member_id:
            return "family"
        return "survivor" if self.survivor_id else "anonymous"


from .import_models import ImportBatch, ImportMapping  # noqa: E402,F401  (models of the CSV import)
