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
