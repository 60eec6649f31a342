"""The roles of design.md and what each may do: the one place that says who may see what."""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    SUPERVISOR = "supervisor", "Supervisor"
    COORDINATOR = "coordinator", "Coordinator"
    OUTREACH = "outreach", "Outreach worker"
    PARTNER = "partner", "Partner (limited)"


# Roles that see every team's records; the others see only their own teams'.
ALL_TEAMS_ROLES = {Role.ADMIN, Role.SUPERVISOR}
# Roles that may see clinical detail: substances, referrals, clinical notes, consents, messages.
CLINICAL_ROLES = {Role.ADMIN, Role.SUPERVISOR, Role.COORDINATOR, Role.OUTREACH}
# Roles that may export identified (not de-identified) data.
IDENTIFIED_EXPORT_ROLES = {Role.ADMIN, Role.SUPERVISOR}
# Roles that may read reports and de-identified exports.
REPORT_ROLES = {Role.ADMIN, Role.SUPERVISOR, Role.COORDINATOR}
# Roles that manage intake, assignment and the resource directory.
COORDINATION_ROLES = {Role.ADMIN, Role.SUPERVISOR, Role.COORDINATOR}
# Roles that must use two-factor authentication.
OTP_REQUIRED_ROLES = {Role.ADMIN, Role.SUPERVISOR}
# Roles that read the audit log (who saw and changed what).
AUDIT_ROLES = {Role.ADMIN, Role.SUPERVISOR}
# Roles that may open a record outside their teams by giving a reason (break-glass).
# Never partners; admins and supervisors see every team already.
BREAK_GLASS_ROLES = {Role.COORDINATOR, Role.OUTREACH}

# Models that are clinical by nature: a role without clinical access never sees a row of them,
# whatever the page, export or search (`visible_to` returns nothing). Field-level detail on the
# rows a partner does see (notes, substances) is redacted by port.crypto for the whole request.
CLINICAL_MODELS = {
    "referrals.referral",
    "survivors.consent",
    "survivors.naloxonedistribution",
    "messaging.message",
}
