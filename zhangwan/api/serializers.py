"""What the API answers: the fields of each object, masked as the pages mask them for the token's maker."""

from rest_framework import serializers

from certification.models import Certificate
from competitions.models import Entry, Event, Result
from training.models import Attendance, Enrollment, TrainingClass
from training.subsidies.models import Claim, InsuredPeriod
from zhangwan.registry.models import Worker
from zhangwan.registry.validators import mask_bank_account

from .models import Scope

BANK_ACCOUNT = "registry.view_bank_account"


def _user(serializer):
    return serializer.context["request"].user


class InsuredPeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = InsuredPeriod
        fields = ["start", "end"]


class WorkerSerializer(serializers.ModelSerializer):
    id_number = serializers.SerializerMethodField(help_text="Masked (region and last four) without the permission.")
    birth_year = serializers.SerializerMethodField()
    trades = serializers.SerializerMethodField()
    bank = serializers.SerializerMethodField(help_text="Only with the subsidies scope; the account masked "
                                                       "unless the token's maker may see bank accounts.")
    insured_periods = serializers.SerializerMethodField(help_text="Only with the subsidies scope.")

    class Meta:
        model = Worker
        fields = ["id", "name", "id_number", "birth_year", "gender", "mobile", "employer", "education", "insured_since",
                  "poverty_registered", "team_leader", "trades", "bank", "insured_periods", "updated_at"]

    def get_id_number(self, worker) -> str:
        return worker.id_number_for(_user(self))

    def get_birth_year(self, worker) -> int:
        return worker.birth_date.year

    def get_trades(self, worker) -> list[dict]:
        return [{"code": t.trade.code, "since": t.started_year} for t in worker.trades.all()]

    def _subsidies(self) -> bool:
        return self.context["request"].auth.allows(Scope.SUBSIDIES)

    def get_bank(self, worker) -> dict | None:
        if not self._subsidies():
            return None
        account = worker.bank_account if _user(self).has_perm(BANK_ACCOUNT) else mask_bank_account(worker.bank_account)
        return {"name": worker.bank_name, "account": account}

    def get_insured_periods(self, worker) -> list[dict] | None:
        if not self._subsidies():
            return None
        return InsuredPeriodSerializer(worker.insured_periods.all(), many=True).data


class RosterRowSerializer(serializers.Serializer):
    """One row as in the roster workbook (column keys); each value is checked as the workbook's cell is."""

    name = serializers.CharField()
    id_number = serializers.CharField()
    mobile = serializers.CharField()
    education = serializers.CharField(required=False, allow_blank=True)
    insured_since = serializers.CharField(required=False, allow_blank=True, help_text="YYYY-MM-DD")
    poverty_registered = serializers.BooleanField(required=False)
    trade_code = serializers.CharField(required=False, allow_blank=True)
    trade_since = serializers.IntegerField(required=False, allow_null=True)
    employed_since = serializers.CharField(required=False, allow_blank=True, help_text="YYYY-MM-DD")
    team_leader = serializers.BooleanField(required=False)


class RosterBatchSerializer(serializers.Serializer):
    workers = serializers.ListField(child=serializers.DictField(), min_length=1, max_length=1000,
                                    help_text="Rows with the keys of RosterRow.")


class RosterResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    held = serializers.ListField(child=serializers.IntegerField(),
                                 help_text="Rows of people on another roster: the union was asked to transfer them.")


class ClassSerializer(serializers.ModelSerializer):
    trade = serializers.CharField(source="course.trade.code")
    provider = serializers.CharField(source="provider.name")
    seats_left = serializers.IntegerField()

    class Meta:
        model = TrainingClass
        fields = ["id", "title", "trade", "provider", "venue", "capacity", "confirmed_count", "seats_left",
                  "registration_opens", "registration_closes", "starts_on", "ends_on", "audience", "has_exam",
                  "status"]


class AttendanceSerializer(serializers.ModelSerializer):
    session = serializers.IntegerField(source="session_id")
    starts_at = serializers.DateTimeField(source="session.starts_at")

    class Meta:
        model = Attendance
        fields = ["session", "starts_at", "status", "remark"]


class EnrollmentSerializer(serializers.ModelSerializer):
    worker = serializers.IntegerField(source="worker_id")
    training_class = serializers.IntegerField(source="training_class_id")
    waiting_position = serializers.SerializerMethodField()
    hours_held = serializers.SerializerMethodField()
    hours_attended = serializers.SerializerMethodField()
    attendance_rate = serializers.SerializerMethodField(help_text="Percent of the hours held; null before any.")

    class Meta:
        model = Enrollment
        fields = ["id", "worker", "training_class", "status", "waiting_position", "channel", "created_at",
                  "confirmed_at", "cancelled_at", "exam_passed", "hours_held", "hours_attended", "attendance_rate",
                  "attended_hours", "required_hours"]

    def _summary(self, enrollment):
        return self.context.get("attendance", {}).get(enrollment.pk, {})

    def get_waiting_position(self, enrollment) -> int | None:
        return getattr(enrollment, "position", None)

    def get_hours_held(self, enrollment) -> str | None:
        held = self._summary(enrollment).get("held")
        return None if held is None else f"{held:.1f}"

    def get_hours_attended(self, enrollment) -> str | None:
        attended = self._summary(enrollment).get("attended")
        return None if attended is None else f"{attended:.1f}"

    def get_attendance_rate(self, enrollment) -> int | None:
        return self._summary(enrollment).get("rate")


class EnrollmentDetailSerializer(EnrollmentSerializer):
    attendance = AttendanceSerializer(source="attendances", many=True)

    class Meta(EnrollmentSerializer.Meta):
        fields = [*EnrollmentSerializer.Meta.fields, "attendance"]


class RegisterSerializer(serializers.Serializer):
    workers = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**62), min_length=1,
                                    max_length=500, help_text="Ids of workers of the token's organization.")


class OutcomeSerializer(serializers.Serializer):
    worker = serializers.IntegerField()
    enrollment = EnrollmentSerializer(allow_null=True)
    error = serializers.CharField(allow_blank=True)


class EventSerializer(serializers.ModelSerializer):
    competition = serializers.CharField(source="competition.name")
    trade = serializers.CharField(source="trade.code")
    registration_open = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = ["id", "name", "competition", "trade", "team", "max_team_size", "registration_open"]

    def get_registration_open(self, event) -> bool:
        return event.competition.registration_is_open()


class EntrySerializer(serializers.ModelSerializer):
    members = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Entry
        fields = ["id", "event", "worker", "team_name", "members", "organization", "bib", "status", "created_at"]


class EnterSerializer(serializers.Serializer):
    worker = serializers.IntegerField(required=False, min_value=1, max_value=2**62, help_text="An individual event.")
    team_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    members = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**62), required=False,
                                    max_length=50, help_text="A team event: the members' worker ids.")


class ResultSerializer(serializers.ModelSerializer):
    event = serializers.IntegerField(source="entry.event_id")
    worker = serializers.IntegerField(source="entry.worker_id", allow_null=True)
    team_name = serializers.CharField(source="entry.team_name")

    class Meta:
        model = Result
        fields = ["entry", "event", "worker", "team_name", "final_score", "rank", "tier", "title", "upgrade"]


class CertificateSerializer(serializers.ModelSerializer):
    holder_name = serializers.CharField(source="holder.name")
    trade = serializers.CharField(source="trade.code")

    class Meta:
        model = Certificate
        fields = ["id", "number", "holder", "holder_name", "trade", "level", "issued_on", "source", "status",
                  "revoked_at"]


class VerificationSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["valid", "revoked", "not_found"])
    number = serializers.CharField(required=False)
    trade = serializers.CharField(required=False)
    level = serializers.IntegerField(required=False)
    issued_on = serializers.DateField(required=False)


class ClaimSerializer(serializers.ModelSerializer):
    policy = serializers.CharField(source="policy.name")
    id_number = serializers.SerializerMethodField(help_text="Whole for finance only, as on the money pages.")
    paid_on = serializers.SerializerMethodField()
    payee_bank_account = serializers.SerializerMethodField()

    class Meta:
        model = Claim
        fields = ["id", "worker", "id_number", "policy", "trade", "level", "quantity", "amount", "status", "claimed_on",
                  "batch", "paid_on", "payee_bank_account", "reverses"]

    def get_id_number(self, claim) -> str:
        worker = claim.worker
        return worker.id_number if _user(self).has_perm(BANK_ACCOUNT) else worker.masked_id_number

    def get_paid_on(self, claim) -> str | None:
        payment = getattr(claim.batch, "payment", None) if claim.batch_id else None
        return payment.paid_on.isoformat() if payment else None

    def get_payee_bank_account(self, claim) -> str:
        account = claim.payee_bank_account
        return account if _user(self).has_perm(BANK_ACCOUNT) else mask_bank_account(account)

