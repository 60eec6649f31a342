"""Login, password reset and the staff notification list."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_http_methods

from .forms import LoginForm

public = method_decorator(login_not_required, name="dispatch")


@public
class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


@public
class PasswordResetView(auth_views.PasswordResetView):
    pass


@public
class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    pass


@public
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    pass


@public
class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    pass


@require_http_methods(["GET", "POST"])
def notifications(request):
    items = list(request.user.notifications.all()[:100])
    if request.method == "POST":
        request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    return render(request, "accounts/notifications.html", {"page_title": "Notifications", "items": items})
