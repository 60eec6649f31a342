"""Login, two-factor, break-glass, password reset and the staff notification list."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from . import two_factor
from .break_glass import open_break_glass, survivor_page_url
from .forms import BreakGlassForm, LoginForm, TokenForm

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


def _next_url(request):
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    allowed = {request.get_host()}
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts=allowed, require_https=request.is_secure()):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """Set up (or move to a new phone) the authenticator app: scan the code, type a code back."""

    has_device = two_factor.has_confirmed_device(request.user)
    if has_device and not request.user.is_verified():
        # Replacing a device needs the current one first, or a stolen password would be enough.
        return redirect(_verify_url(request))
    device = two_factor.pending_device(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        problem = two_factor.confirm_device(request, device, form.cleaned_data["token"])
        if not problem:
            messages.success(request, "Two-factor authentication is on: you'll enter a code at each login.")
            return redirect(_next_url(request))
        form.add_error("token", problem)
    context = {
        "page_title": "Two-factor authentication",
        "form": form,
        "has_device": has_device,
        "required": request.user.needs_otp,
        "qr_data_uri": two_factor.qr_data_uri(device),
        "manual_key": two_factor.manual_key(device),
        "next": _next_url(request),
    }
    return render(request, "accounts/otp_setup.html", context)


def _verify_url(request):
    return f"{reverse('otp_verify')}?{request.GET.urlencode()}" if request.GET else reverse("otp_verify")


@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """The second step of logging in: a code from the authenticator app."""

    if not two_factor.has_confirmed_device(request.user):
        return redirect("otp_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        problem = two_factor.verify_second_factor(request, form.cleaned_data["token"])
        if not problem:
            return redirect(_next_url(request))
        form.add_error("token", problem)
    context = {"page_title": "Enter your code", "form": form, "next": _next_url(request)}
    return render(request, "accounts/otp_verify.html", context)


@require_http_methods(["GET", "POST"])
def break_glass(request, survivor_id=None):
    """Open a record outside one's teams in an emergency, with a reason; audited and time-limited."""

    from survivors.models import Survivor

    if not request.user.may_break_glass:
        raise PermissionDenied
    form = BreakGlassForm(request.POST or None, initial={"survivor_id": survivor_id})
    if request.method == "POST" and form.is_valid():
        wanted = form.cleaned_data["survivor_id"]
        survivor = Survivor.objects.filter(pk=wanted, deleted_at__isnull=True).first()
        if survivor is None:
            form.add_error("survivor_id", "There is no record with that number. Check the number and try again.")
        elif Survivor.objects.visible_to(request.user).filter(pk=survivor.pk).exists():
            messages.info(request, "This record is already in your teams: no emergency access needed.")
            return redirect(survivor_page_url(survivor.pk))
        else:
            grant = open_break_glass(request.user, survivor, form.cleaned_data["reason"], request=request)
            until = timezone.localtime(grant.expires_at)
            messages.warning(
                request,
                f"Emergency access until {until:%H:%M}. It is logged and your supervisor has been told.",
            )
            return redirect(survivor_page_url(survivor.pk))
    context = {"page_title": "Emergency access to a record", "form": form, "hours": settings.BREAK_GLASS_HOURS}
    return render(request, "accounts/break_glass.html", context)
