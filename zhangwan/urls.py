from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from . import views
from .accounts.passwords import guessing_limited

handler500 = "zhangwan.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    # Choosing a language is harmless to forge, and anonymous pages (cached) carry no CSRF token.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("accounts/", include("zhangwan.accounts.urls")),
    path("roster/", include("zhangwan.registry.urls")),
    path("training/", include("training.urls")),
    path("competitions/", include("competitions.urls")),
    path("certification/", include("certification.urls")),
    path("subsidies/", include("training.subsidies.urls")),
    path("masters/", include("masters.urls")),
    path("reports/", include("zhangwan.reports.urls")),
    path("jobs/", include("zhangwan.jobs.urls")),
    path("audit/", include("zhangwan.audit.urls")),
    path("api/v1/", include("zhangwan.api.v1")),
    path("api/", include("zhangwan.api.urls")),
    # The admin's own password change, with the same limit on guessing the current password.
    path("admin/password_change/", guessing_limited(admin.site.admin_view(admin.site.password_change, cacheable=True))),
    path("admin/", admin.site.urls),
]
