"""Who may open the referral pages: clinical roles for referrals, coordinators for directory edits."""

from port.accounts.access import requires

# Referrals are clinical detail: a partner (limited) account gets 403 on every referral page.
clinical_required = requires(lambda user: user.sees_clinical, "Referrals are not shown to partner accounts.")
# Creating, editing and importing the directory is for coordinators, supervisors and admins.
coordination_required = requires(lambda user: user.coordinates, "Only coordinators manage the resource directory.")
