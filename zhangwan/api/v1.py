"""The API's URLs, /api/v1/ (docs/api.md)."""

from django.http import JsonResponse
from django.urls import path, re_path
from django.utils.translation import gettext as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from .schema import KeptSchemaGenerator
from .views import competitions, roster, subsidies, training

app_name = "api_v1"


class Schema(SpectacularAPIView):
    """The OpenAPI 3 schema: public, it holds no data."""

    generator_class = KeptSchemaGenerator
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []


class Docs(SpectacularSwaggerSplitView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    url_name = "api_v1:schema"


def not_found(request, rest=""):
    """Any other address under /api/v1/ (a negative id, a typo): the API's JSON 404, not the HTML page."""
    return JsonResponse({"code": "not_found", "message": _("Not found.")}, status=404)


urlpatterns = [
    path("schema/", Schema.as_view(), name="schema"),
    path("docs/", Docs.as_view(), name="docs"),
    path("workers/", roster.WorkerList.as_view(), name="workers"),
    path("workers/batch/", roster.RosterBatch.as_view(), name="workers_batch"),
    path("workers/<int:pk>/", roster.WorkerDetail.as_view(), name="worker"),
    path("classes/", training.ClassList.as_view(), name="classes"),
    path("classes/<int:pk>/", training.ClassDetail.as_view(), name="class"),
    path("classes/<int:pk>/register/", training.Register.as_view(), name="class_register"),
    path("enrollments/", training.EnrollmentList.as_view(), name="enrollments"),
    path("enrollments/<int:pk>/", training.EnrollmentDetail.as_view(), name="enrollment"),
    path("enrollments/<int:pk>/cancel/", training.EnrollmentCancel.as_view(), name="enrollment_cancel"),
    path("events/", competitions.EventList.as_view(), name="events"),
    path("events/<int:pk>/enter/", competitions.Enter.as_view(), name="event_enter"),
    path("entries/", competitions.EntryList.as_view(), name="entries"),
    path("entries/<int:pk>/withdraw/", competitions.EntryWithdraw.as_view(), name="entry_withdraw"),
    path("results/", competitions.ResultList.as_view(), name="results"),
    path("certificates/", competitions.CertificateList.as_view(), name="certificates"),
    path("certificates/verify/", competitions.CertificateVerify.as_view(), name="certificate_verify"),
    path("claims/", subsidies.ClaimList.as_view(), name="claims"),
    path("claims/<int:pk>/", subsidies.ClaimDetail.as_view(), name="claim"),
    re_path(r"^(?P<rest>.*)$", not_found, name="not_found"),
]
