"""One mechanism scopes every query by the user's role and teams.

Each scoped model's queryset inherits `ScopedQuerySet` and names, in `team_path`, the
lookup from the model to its owning team. Views, exports, search and tasks acting for a
user all call `Model.objects.visible_to(user)`; object pages use `get_visible_or_404`.
"""

from django.db import models
from django.http import Http404


class ScopedQuerySet(models.QuerySet):
    team_path = "team"

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_all_teams:
            return self
        return self.filter(**{f"{self.team_path}__in": user.team_ids()})


def get_visible_or_404(queryset_or_model, user, **lookup):
    """The object if the user may see it; 404 (not 403) otherwise, so nothing leaks."""

    qs = queryset_or_model
    if isinstance(qs, type) and issubclass(qs, models.Model):
        qs = qs.objects.all()
    try:
        return qs.visible_to(user).get(**lookup)
    except qs.model.DoesNotExist as exc:
        raise Http404("Not found") from exc
