"""Competitions and certification: enter workers and teams, read published results, the organization's
certificates, and verify a certificate by number and name as the public page does."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from certification import verification
from certification.models import Certificate
from competitions import services
from competitions.models import Entry, Event, Result

from .. import scope
from ..base import ApiList, ApiView, idempotent
from ..models import Scope
from ..serializers import (
    CertificateSerializer,
    EnterSerializer,
    EntrySerializer,
    EventSerializer,
    ResultSerializer,
    VerificationSerializer,
)


class EventList(ApiList):
    scopes = Scope.ENTRIES
    serializer_class = EventSerializer

    def get_queryset(self):
        return Event.objects.filter(competition__external=False).select_related("competition", "trade")


def entries(request):
    return Entry.objects.filter(organization__in=scope.organizations(request)).prefetch_related("members")


class EntryList(ApiList):
    scopes = Scope.ENTRIES
    serializer_class = EntrySerializer

    def get_queryset(self):
        return entries(self.request)


class Enter(ApiView):
    """Enter a worker (individual event) or a team of the organization's workers."""

    scopes = Scope.ENTRIES
    serializer_class = EnterSerializer

    @extend_schema(request=EnterSerializer, responses={201: EntrySerializer})
    @idempotent
    def post(self, request, pk):
        event = get_object_or_404(Event.objects.filter(competition__external=False), pk=pk)
        asked = EnterSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        data = asked.validated_data
        ids = list(dict.fromkeys(data.get("members", []) if event.team else [data.get("worker")]))
        if None in ids:
            raise exceptions.ValidationError({"worker": [_("Choose the worker to enter.")]})
        workers = {w.pk: w for w in scope.workers(request).filter(pk__in=ids)}
        if len(workers) != len(ids):
            raise exceptions.NotFound()
        chosen = [workers[i] for i in ids]
        organization = request.auth.organization or (chosen[0].employer if chosen else None)
        entry = services.entry_create(event=event, organization=organization, user=request.user,
                                      worker=None if event.team else chosen[0],
                                      team_name=data.get("team_name", ""), members=chosen if event.team else ())
        return Response(EntrySerializer(entry).data, status=201)


class EntryWithdraw(ApiView):
    scopes = Scope.ENTRIES
    serializer_class = EntrySerializer

    @extend_schema(request=None, responses={200: EntrySerializer})
    @idempotent
    def post(self, request, pk):
        entry = services.entry_withdraw(entry=get_object_or_404(entries(request), pk=pk), user=request.user)
        return Response(EntrySerializer(entry).data)


class ResultList(ApiList):
    """The organization's results in competitions whose results are published."""

    scopes = Scope.RESULTS
    serializer_class = ResultSerializer

    def get_queryset(self):
        return (Result.objects.filter(entry__organization__in=scope.organizations(self.request),
                                      entry__event__competition__results_published=True)
                .select_related("entry"))


class CertificateList(ApiList):
    scopes = Scope.CERTIFICATES
    serializer_class = CertificateSerializer

    def get_queryset(self):
        return Certificate.objects.filter(holder__in=scope.workers(self.request)).select_related("holder", "trade")


class CertificateVerify(ApiView):
    """As the public page: valid, revoked or not found, revealing nothing else; counted like the page's checks."""

    scopes = Scope.CERTIFICATES
    serializer_class = VerificationSerializer

    @extend_schema(parameters=[OpenApiParameter("number", OpenApiTypes.STR, required=True),
                               OpenApiParameter("name", OpenApiTypes.STR, required=True)])
    def get(self, request):
        number, name = (request.query_params.get(k, "")[:100] for k in ("number", "name"))
        if not number.strip() or not name.strip():
            raise exceptions.ValidationError({"number": [_("Give the certificate number and the holder's name.")]})
        if not verification.CHECKS.hit(f"api-token:{request.auth.pk}"):
            raise exceptions.Throttled(wait=verification.CHECKS.retry_after())
        certificate = verification.lookup(number, name)
        if certificate is None:
            return Response({"state": "not_found"})
        return Response({"state": certificate.status, "number": certificate.number, "trade": certificate.trade.code,
                         "level": certificate.level, "issued_on": certificate.issued_on})
