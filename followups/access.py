"""Who may open the follow-up pages: staff for a follow-up's page, coordinators to assign and close."""

from port.accounts.access import requires

# A follow-up's page holds notes and referrals: partner accounts use the visits list instead.
staff_required = requires(lambda user: user.sees_clinical, "Partner accounts see the visits list only.")
coordinator_required = requires(
    lambda user: user.coordinates, "Only coordinators assign follow-ups and confirm closings."
)
clock_failures_required = requires(
    lambda user: user.coordinates, "Only coordinators, supervisors and admins review failed clock actions."
)
