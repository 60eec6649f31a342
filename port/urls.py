"""Top-level URL map: each app owns its own urls module."""

from django.contrib import admin
from django.urls import include, path

from port import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("port.accounts.urls")),
    path("audit/", include("port.audit.urls")),
    path("dashboard/", include("port.dashboards.urls")),
    path("survivors/", include("survivors.urls")),
    path("followups/", include("followups.urls")),
    path("messages/", include("followups.messaging.urls")),
    path("referrals/", include("referrals.urls")),
    path("admin/", admin.site.urls),
]

# Not found and outside the user's teams look the same (port.views.page_not_found).
handler404 = "port.views.page_not_found"
