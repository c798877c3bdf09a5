"""Training: the classes, registering and cancelling the organization's workers through the same
services as the pages (capacity, waiting list, notifications), enrollments with attendance."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from training import selectors, services
from training.models import Enrollment, TrainingClass

from .. import scope
from ..base import ApiDetail, ApiList, ApiView, idempotent
from ..models import Scope
from ..serializers import (
    ClassSerializer,
    EnrollmentDetailSerializer,
    EnrollmentSerializer,
    OutcomeSerializer,
    RegisterSerializer,
)


class ClassList(ApiList):
    scopes = Scope.ENROLLMENTS
    serializer_class = ClassSerializer

    def get_queryset(self):
        return TrainingClass.objects.public().select_related("course__trade", "provider")


class ClassDetail(ApiDetail):
    scopes = Scope.ENROLLMENTS
    serializer_class = ClassSerializer
    get_queryset = ClassList.get_queryset


class Register(ApiView):
    """Register workers of the organization: a seat while there are seats, then the waiting list."""

    scopes = Scope.ENROLLMENTS
    serializer_class = RegisterSerializer

    @extend_schema(request=RegisterSerializer, responses={200: OutcomeSerializer(many=True)})
    @idempotent
    def post(self, request, pk):
        cls = get_object_or_404(TrainingClass.objects.public(), pk=pk)
        asked = RegisterSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        ids = list(dict.fromkeys(asked.validated_data["workers"]))
        workers = {w.pk: w for w in scope.workers(request).filter(pk__in=ids)}
        if len(workers) != len(ids):
            raise exceptions.NotFound()  # someone not on the organization's roster: as the page, not found
        outcomes = services.enrollments_register(workers=[workers[i] for i in ids], training_class=cls,
                                                 user=request.user, channel=channel_of(request))
        rows = [{"worker": o.worker.pk, "enrollment": o.enrollment, "error": o.error} for o in outcomes]
        return Response(OutcomeSerializer(rows, many=True, context=self.get_serializer_context()).data)


def channel_of(request) -> str:
    return Enrollment.Channel.LIAISON if request.auth.organization_id else Enrollment.Channel.STAFF


def enrollments(request):
    return (Enrollment.objects.filter(worker__in=scope.workers(request)).select_related("worker", "training_class")
            .annotate_position())


class WithAttendance:
    """Enrollments with the hours held and attended (two queries for the whole page)."""

    def get_serializer(self, rows=None, *args, many=False, **kwargs):
        rows_now = rows if many else [rows] if rows is not None else []
        kwargs["context"] = {**self.get_serializer_context(), "attendance": selectors.attendance_summary(rows_now)}
        return self.get_serializer_class()(rows, *args, many=many, **kwargs)


class EnrollmentList(WithAttendance, ApiList):
    """The organization's enrollments (?training_class=<id> for one class), with attendance and completion."""

    scopes = Scope.ENROLLMENTS
    serializer_class = EnrollmentSerializer

    def get_queryset(self):
        rows = enrollments(self.request)
        training_class = self.request.query_params.get("training_class", "")
        if training_class:
            rows = rows.filter(training_class_id=int(training_class) if training_class.isdigit() else 0)
        return rows


class EnrollmentDetail(WithAttendance, ApiDetail):
    scopes = Scope.ENROLLMENTS
    serializer_class = EnrollmentDetailSerializer

    def get_queryset(self):
        return enrollments(self.request).prefetch_related("attendances__session")


class EnrollmentCancel(ApiView):
    """Cancel a registration; the first person waiting gets the seat and is told."""

    scopes = Scope.ENROLLMENTS
    serializer_class = EnrollmentSerializer

    @extend_schema(request=None, responses={200: EnrollmentSerializer})
    @idempotent
    def post(self, request, pk):
        enrollment = get_object_or_404(enrollments(request), pk=pk)
        enrollment = services.enrollment_cancel(enrollment=enrollment, user=request.user)
        return Response(EnrollmentSerializer(enrollment, context=self.get_serializer_context()).data)
