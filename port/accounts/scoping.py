"""One mechanism scopes every query by the user's role and teams.

Each scoped model's queryset inherits `ScopedQuerySet` and names, in `team_path`, the
lookup from the model to its owning team. Views, exports, search and tasks acting for a
user all call `Model.objects.visible_to(user)`; object pages use `get_visible_or_404`.

The same call applies the two other rules of who may see what:
- a role without clinical access (the partner) sees no row of a clinical model
  (roles.CLINICAL_MODELS: referrals, consents, naloxone, messages);
- a staff member with an active break-glass grant for a survivor also sees that survivor's
  rows outside their teams. The lookup from a model to its survivor is `survivor_path`,
  derived from the model when left as None ("pk" for Survivor itself, "survivor" for a
  model with a survivor foreign key, or through the relation `team_path` goes through);
  declare `survivor_path = NO_SURVIVOR` on a model that never concerns one survivor.
"""

from django.db import models
from django.http import Http404

from .roles import CLINICAL_MODELS

NO_SURVIVOR = ""
SURVIVOR_MODEL = "survivors.survivor"


def derive_survivor_path(model):
    """The lookup from `model` to the survivor's id, or NO_SURVIVOR."""

    if model._meta.label_lower == SURVIVOR_MODEL:
        return "pk"
    queryset_class = getattr(model._default_manager, "_queryset_class", None)
    declared = getattr(queryset_class, "survivor_path", None)
    if declared is not None:
        return declared
    for field in model._meta.get_fields():
        if field.name == "survivor" and field.many_to_one and field.related_model._meta.label_lower == SURVIVOR_MODEL:
            return "survivor"
    team_path = getattr(queryset_class, "team_path", "")
    if "__" in team_path:
        first = team_path.split("__", 1)[0]
        related = model._meta.get_field(first).related_model
        inner = derive_survivor_path(related)
        if inner:
            return f"{first}__{'id' if inner == 'pk' else inner}"
    return NO_SURVIVOR


class ScopedQuerySet(models.QuerySet):
    team_path = "team"
    survivor_path = None  # derived; see the module docstring

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if not user.sees_clinical and self.model._meta.label_lower in CLINICAL_MODELS:
            return self.none()
        if user.sees_all_teams:
            return self
        scope = models.Q(**{f"{self.team_path}__in": user.team_ids()})
        survivor_path = derive_survivor_path(self.model)
        if survivor_path and user.may_break_glass:
            # Read with the teams in one query; literal ids keep both sides of the OR on an index.
            granted = user.break_glass_survivor_ids()
            if granted:
                scope |= models.Q(**{f"{survivor_path}__in": granted})
        return self.filter(scope)


def get_visible_or_404(queryset_or_model, user, **lookup):
    """The object if the user may see it; 404 (not 403) otherwise, so nothing leaks."""

    qs = queryset_or_model
    if isinstance(qs, type) and issubclass(qs, models.Model):
        qs = qs.objects.all()
    try:
        return qs.visible_to(user).get(**lookup)
    except qs.model.DoesNotExist as exc:
        raise Http404("Not found") from exc
