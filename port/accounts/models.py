"""Users, their roles and teams, break-glass grants and the staff notifications shown in the app."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField

from port.crypto import EncryptedTextField

from .roles import (
    ALL_TEAMS_ROLES,
    AUDIT_ROLES,
    BREAK_GLASS_ROLES,
    CLINICAL_ROLES,
    COORDINATION_ROLES,
    IDENTIFIED_EXPORT_ROLES,
    OTP_REQUIRED_ROLES,
    REPORT_ROLES,
    Role,
)


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    on_call_worker = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Round-robin pointer for automatic assignment.
    last_assigned_worker = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.OUTREACH)
    teams = models.ManyToManyField(Team, blank=True, related_name="members")
    phone = PhoneNumberField(blank=True, help_text="Used for click-to-call and, if chosen, texts.")
    notify_by_sms = models.BooleanField(default=False, help_text="Also send me notifications by text.")
    notify_by_email = models.BooleanField(default=True)

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        # The admin role is what opens Django's admin; a superuser is an admin.
        if self.is_superuser:
            self.role = Role.ADMIN
        self.is_staff = self.role == Role.ADMIN
        self.is_superuser = self.role == Role.ADMIN
        super().save(*args, **kwargs)

    @property
    def sees_all_teams(self):
        return self.role in ALL_TEAMS_ROLES

    @property
    def sees_clinical(self):
        return self.role in CLINICAL_ROLES

    @property
    def is_partner(self):
        return self.role == Role.PARTNER

    @property
    def coordinates(self):
        return self.role in COORDINATION_ROLES

    @property
    def reads_reports(self):
        return self.role in REPORT_ROLES

    @property
    def exports_identified(self):
        return self.role in IDENTIFIED_EXPORT_ROLES

    @property
    def reads_audit_log(self):
        return self.role in AUDIT_ROLES

    @property
    def may_break_glass(self):
        return self.role in BREAK_GLASS_ROLES

    @property
    def needs_otp(self):
        from django.conf import settings

        return self.role in OTP_REQUIRED_ROLES or settings.OTP_REQUIRED_FOR_ALL

    def team_ids(self):
        return self._scope()[0]

    def break_glass_survivor_ids(self):
        """Survivors this user may see outside their teams right now (active break-glass grants)."""

        now = timezone.now()
        return [survivor_id for survivor_id, expires_at in self._scope()[1] if expires_at > now]

    def _scope(self):
        """Teams and break-glass grants in one query, once per user object (that is, per request).

        Grants keep their expiry, so one that ends during the request stops counting at once;
        open_break_glass forgets this cache for the user it grants to.
        """

        if not hasattr(self, "_scope_cache"):
            teams = User.teams.through.objects.filter(user_id=self.pk).values_list(
                models.Value("team"), "team_id", models.Value(None, output_field=models.DateTimeField())
            )
            grants = BreakGlassGrant.objects.filter(user_id=self.pk, expires_at__gt=timezone.now()).values_list(
                models.Value("grant"), "survivor_id", "expires_at"
            )
            # No ORDER BY inside the union: SQLite refuses it in compound statements.
            rows = list(teams.order_by().union(grants.order_by(), all=True))
            self._scope_cache = (
                [pk for kind, pk, _ in rows if kind == "team"],
                [(pk, expires_at) for kind, pk, expires_at in rows if kind == "grant"],
            )
        return self._scope_cache

    def forget_scope(self):
        self.__dict__.pop("_scope_cache", None)


class Notification(models.Model):
    """An in-app notification for a staff member; `key` makes each one idempotent."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=200, unique=True)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return self.text


class BreakGlassGrantQuerySet(models.QuerySet):
    def active(self, at=None):
        return self.filter(expires_at__gt=at or timezone.now())


class BreakGlassGrant(models.Model):
    """Emergency access to one survivor outside the user's teams, with the reason given.

    Lasts settings.BREAK_GLASS_HOURS; opening one is audited and notifies supervisors
    (port.accounts.break_glass). `survivor_id` is a plain id, like the audit log's, so a
    grant outlives nothing it should not and ties this app to no survivors migration.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="break_glass_grants")
    survivor_id = models.BigIntegerField(db_index=True)
    reason = EncryptedTextField(help_text="Why the record was needed: encrypted at rest.")
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    objects = BreakGlassGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["user", "expires_at"])]

    def __str__(self):
        return f"Break-glass by {self.user} for survivor {self.survivor_id} until {self.expires_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self):
        return self.expires_at > timezone.now()
