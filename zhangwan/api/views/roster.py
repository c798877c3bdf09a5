"""Roster sync: the workers changed since a time, page by page; a batch upserted as the Excel import does."""

from django.db import IntegrityError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from zhangwan.registry import roster

from .. import scope
from ..base import ApiDetail, ApiList, ApiView, idempotent
from ..errors import Conflict, RowsRefused
from ..models import Scope
from ..pagination import Cursor
from ..serializers import RosterBatchSerializer, RosterResultSerializer, WorkerSerializer


class ByChange(Cursor):
    ordering = ("updated_at", "id")
    page_size = 500


SINCE = OpenApiParameter("changed_since", OpenApiTypes.DATETIME, description="Only workers changed at or after it.")


class WorkerList(ApiList):
    scopes = Scope.READ_ROSTER
    serializer_class = WorkerSerializer
    pagination_class = ByChange

    def get_queryset(self):
        rows = scope.workers(self.request).prefetch_related("trades__trade")
        if self.request.auth.allows(Scope.SUBSIDIES):
            rows = rows.prefetch_related("insured_periods")
        since = self.request.query_params.get("changed_since")
        if since:
            moment = _moment(since)
            rows = rows.filter(updated_at__gte=moment)
        return rows

    @extend_schema(parameters=[SINCE])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _moment(text: str):
    try:
        moment = parse_datetime(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise exceptions.ValidationError({"changed_since": [_("Give a date and time with its offset, such as "
                                                              "2024-05-01T08:00:00+08:00.")]})
    return moment


class WorkerDetail(ApiDetail):
    scopes = Scope.READ_ROSTER
    serializer_class = WorkerSerializer

    def get_queryset(self):
        return scope.workers(self.request).prefetch_related("trades__trade", "insured_periods")


class RosterBatch(ApiView):
    """Upsert workers as the roster import does: every row checked, all or nothing, matched by identity
    number; a person on another roster is not changed but sent to the union as a transfer request."""

    scopes = Scope.WRITE_ROSTER
    serializer_class = RosterBatchSerializer

    @extend_schema(request=RosterBatchSerializer, responses={200: RosterResultSerializer})
    @idempotent
    def post(self, request):
        organization = scope.organizations(request).filter(pk=request.auth.organization_id).first()
        if organization is None:
            raise exceptions.PermissionDenied(_("A district-wide token keeps no roster; use an organization's token."))
        batch = RosterBatchSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        rows, errors = roster.read_records(batch.validated_data["workers"])
        if errors:
            raise RowsRefused([{"row": e.row, "column": e.column, "message": e.message}
                               for e in errors[:roster.MAX_LISTED_ERRORS]])
        try:
            result = roster.save_roster(organization=organization, rows=rows, user=request.user)
        except IntegrityError as error:
            raise Conflict() from error
        return Response(RosterResultSerializer(result).data)
