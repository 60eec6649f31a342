"""The resource directory and referrals followed until they close (closed loop)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from port.accounts.scoping import ScopedQuerySet


class Category(models.TextChoices):
    MOUD = "moud", "MOUD (medication for opioid use disorder)"
    DETOX = "detox", "Detox / withdrawal management"
    INPATIENT = "inpatient", "Inpatient / residential"
    OUTPATIENT = "outpatient", "Outpatient"
    HARM_REDUCTION = "harm_reduction", "Harm reduction / syringe services"
    HOUSING = "housing", "Housing"
    FOOD = "food", "Food"
    MEDICAL = "medical", "Medical"
    MENTAL_HEALTH = "mental_health", "Mental health"
    TRANSPORTATION = "transportation", "Transportation"
    FAMILY = "family", "Family therapy / education"
    PEER_SUPPORT = "peer_support", "Peer support"


TREATMENT_CATEGORIES = (Category.MOUD, Category.DETOX, Category.INPATIENT, Category.OUTPATIENT)
# What family members are usually referred to (therapy, education, support groups, naloxone training).
FAMILY_CATEGORIES = (Category.FAMILY, Category.PEER_SUPPORT, Category.MENTAL_HEALTH, Category.HARM_REDUCTION)


class Medication(models.TextChoices):
    BUPRENORPHINE = "buprenorphine", "Buprenorphine"
    METHADONE = "methadone", "Methadone"
    NALTREXONE = "naltrexone", "Naltrexone (extended-release)"


class Insurance(models.TextChoices):
    MEDICAID = "medicaid", "Medicaid"
    UNINSURED = "uninsured", "Uninsured / sliding scale"
    PRIVATE = "private", "Private insurance"


# Languages a directory entry can list (ISO 639-1 codes; "ase" is American Sign Language).
DIRECTORY_LANGUAGES = [
    ("en", "English"),
    ("es", "Spanish"),
    ("zh", "Chinese"),
    ("vi", "Vietnamese"),
    ("ar", "Arabic"),
    ("fr", "French"),
    ("ht", "Haitian Creole"),
    ("pt", "Portuguese"),
    ("ru", "Russian"),
    ("ko", "Korean"),
    ("ase", "American Sign Language"),
]
LANGUAGE_NAMES = dict(DIRECTORY_LANGUAGES)


class OrganizationQuerySet(models.QuerySet):
    def speaking(self, code):
        """Organisations listing a language code in their comma-separated `languages`."""

        return self.filter(
            models.Q(languages=code)
            | models.Q(languages__startswith=f"{code},")
            | models.Q(languages__endswith=f",{code}")
            | models.Q(languages__contains=f",{code},")
        )

    def accepting(self, insurance):
        return self.filter(**{f"accepts_{insurance}": True})


class Organization(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    address = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=50, blank=True)
    zip_code = models.CharField(max_length=10, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    hours = models.CharField(max_length=200, blank=True)
    languages = models.CharField(max_length=200, blank=True, help_text="Comma-separated language codes, e.g. en,es")
    accepts_medicaid = models.BooleanField(default=False)
    accepts_uninsured = models.BooleanField(default=False)
    accepts_private = models.BooleanField(default=False)
    walk_in = models.BooleanField(default=False)
    handoff_notes = models.TextField(blank=True, help_text="How to make a warm hand-off here.")
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def language_codes(self):
        return [c for c in self.languages.split(",") if c]

    @property
    def language_names(self):
        return [LANGUAGE_NAMES.get(c, c) for c in self.language_codes]

    @property
    def insurance_accepted(self):
        return [label for value, label in Insurance.choices if getattr(self, f"accepts_{value}")]


class Service(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="services")
    category = models.CharField(max_length=20, choices=Category.choices, db_index=True)
    name = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    medications = models.CharField(
        max_length=200, blank=True, help_text="For MOUD: buprenorphine, methadone, naltrexone."
    )

    class Meta:
        ordering = ["organization__name", "category"]

    def __str__(self):
        return self.name or self.get_category_display()

    @property
    def medication_codes(self):
        return [c for c in self.medications.split(",") if c]

    @property
    def medication_names(self):
        labels = dict(Medication.choices)
        return [labels.get(c, c) for c in self.medication_codes]


class ReferralQuerySet(ScopedQuerySet):
    team_path = "team"

    def open(self):
        return self.filter(status__in=Referral.OPEN_STATUSES)


class Referral(models.Model):
    class Status(models.TextChoices):
        MADE = "made", "Made"
        ACCEPTED = "accepted", "Accepted"
        CONNECTED = "connected", "Connected"
        DECLINED = "declined", "Declined"
        NO_SHOW = "no_show", "No-show"
        CLOSED = "closed", "Closed"

    OPEN_STATUSES = (Status.MADE, Status.ACCEPTED)

    class Handoff(models.TextChoices):
        ACCOMPANIED = "accompanied", "Warm hand-off: accompanied"
        THREE_WAY_CALL = "three_way_call", "Warm hand-off: three-way call"
        TRANSPORTED = "transported", "Warm hand-off: transported"
        INFORMATION_ONLY = "information_only", "Information only"

    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="referrals")
    survivor = models.ForeignKey(
        "survivors.Survivor", null=True, blank=True, on_delete=models.CASCADE, related_name="referrals"
    )
    family_member = models.ForeignKey(
        "survivors.FamilyMember", null=True, blank=True, on_delete=models.CASCADE, related_name="referrals"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="referrals")
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals")
    category = models.CharField(max_length=20, choices=Category.choices, db_index=True)
    contact_attempt = models.ForeignKey(
        "followups.ContactAttempt", null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    made_at = models.DateTimeField(default=timezone.now, db_index=True)
    handoff = models.CharField(max_length=20, choices=Handoff.choices, default=Handoff.INFORMATION_ONLY)
    shares_identity = models.BooleanField(default=False, help_text="Identifying data was shared (needs consent).")
    # Sharing was asked for but no active consent covered the organisation: recorded as information only.
    identity_withheld = models.BooleanField(default=False)
    appointment_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.MADE)
    status_changed_at = models.DateTimeField(default=timezone.now)
    connected_at = models.DateTimeField(null=True, blank=True)
    admitted_on = models.DateField(null=True, blank=True)
    moud_started = models.BooleanField(default=False)
    moud_medication = models.CharField(max_length=50, choices=Medication.choices, blank=True)
    engaged_30d = models.BooleanField(null=True, blank=True)
    engaged_90d = models.BooleanField(null=True, blank=True)
    notes = models.TextField(blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-made_at"]
        indexes = [
            models.Index(fields=["team", "status", "status_changed_at"]),
            # The dashboard's referral figures for a period, read from this index alone.
            models.Index(
                fields=["made_at"],
                include=[
                    "id", "team", "category", "status", "survivor", "family_member", "admitted_on", "engaged_30d",
                    "engaged_90d",
                ],
                name="referral_dashboard",
            ),
        ]
        constraints = [
            # A referral is for exactly one person: a survivor or one of their family members.
            models.CheckConstraint(
                condition=models.Q(survivor__isnull=False, family_member__isnull=True)
                | models.Q(survivor__isnull=True, family_member__isnull=False),
                name="referral_for_one_person",
            )
        ]

    def __str__(self):
        return f"Referral to {self.organization}"

    @property
    def is_treatment(self):
        return self.category in TREATMENT_CATEGORIES

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    @property
    def is_warm(self):
        return self.handoff != self.Handoff.INFORMATION_ONLY

    @property
    def case_survivor_id(self):
        """The survivor whose case this referral belongs to (a family member's hangs on theirs)."""

        return self.survivor_id if self.survivor_id else self.family_member.survivor_id

    @property
    def days_to_admission(self):
        if self.admitted_on is None:
            return None
        return (self.admitted_on - timezone.localdate(self.made_at)).days


class ReferralStatusChange(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, choices=Referral.Status.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self):
        return f"{self.from_status or 'new'} -> {self.to_status}"


class ReferralCheck(models.Model):
    """A check-in follow-up opened for a referral; the unique (referral, key) makes it once only.

    Keys: "stale:<last status change>:<period>" for an open referral left unchanged, and
    "engaged:30" / "engaged:90" for a connected treatment referral.
    """

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="checks")
    key = models.CharField(max_length=80)
    followup = models.ForeignKey(
        "followups.FollowUp", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["referral", "key"], name="one_check_per_referral_key")]

    def __str__(self):
        return f"{self.key} for referral {self.referral_id}"
