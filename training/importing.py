"""Excel files of the training pages: the liaison's list of workers to register, and the
officer's attendance sheet (export and re-import). Both are all-or-nothing with row errors."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zhangwan import excel_in
from zhangwan.excel import PLAIN, TEXT
from zhangwan.excel_in import Column, RowError, choices_in_both_languages
from zhangwan.registry.forms import id_number_cell

from .models import Attendance, Enrollment
from .services import not_started_message

MAX_BYTES = 5 * 1024 * 1024



def read_id_list(upload, *, roster) -> tuple[list, list[RowError]]:
    """Workers named by identity number in the column headed 身份证号 / Identity number (others are ignored)."""
    table = excel_in.read_table(upload, [Column("id_number", gettext_noop("Identity number"), id_number_cell,
                                                required=True)], max_bytes=MAX_BYTES)
    first_rows = {}  # a number listed twice counts once, on its first row
    for row in table.rows:
        first_rows.setdefault(row["id_number"], row["row"])
    found = {w.id_number: w for w in roster.filter(id_number__in=first_rows)}
    for id_number, row in first_rows.items():
        if id_number not in found:
            table.refuse(row, "id_number", _("Not on your organization's roster."))
    listed, errors = table.result()
    return [found[number] for number in dict.fromkeys(row["id_number"] for row in listed)], errors


# The attendance sheet's number formats: the seat's number as it is, the identity numbers as text.
FORMATS = [PLAIN, None, TEXT]


def attendance_sheet(training_class, enrollments, sessions, existing, *, full_ids: bool):
    """Headers and rows of the attendance workbook: one row per seat, one column per session."""
    headers = [_("Enrollment no."), _("Name"), _("Identity number")]
    headers += [session_label(s) for s in sessions]
    headers += [_("Exam passed")] if training_class.has_exam else []
    rows = []
    for e in enrollments:
        row = [e.pk, e.worker.name, e.worker.id_number if full_ids else e.worker.masked_id_number]
        row += [existing[(e.pk, s.pk)].get_status_display() if (e.pk, s.pk) in existing else "" for s in sessions]
        if training_class.has_exam:
            row.append("" if e.exam_passed is None else (_("Yes") if e.exam_passed else _("No")))
        rows.append(row)
    return headers, rows


def attendance_columns(*, training_class, sessions) -> list[Column]:
    """The attendance workbook's columns: the seat, one per session (headed by its start), the exam."""
    seats = set(training_class.enrollments.exclude(
        status__in=[Enrollment.Status.CANCELLED, Enrollment.Status.WAITLISTED]).values_list("pk", flat=True))

    def seat(value):
        try:
            enrollment_id = int(excel_in.cell_text(value))
        except ValueError:
            raise ValidationError(_("Not an enrollment number.")) from None
        if enrollment_id not in seats:
            raise ValidationError(_("No seat with this number in this class."))
        return enrollment_id

    mark = excel_in.choice(choices_in_both_languages(Attendance.Status.choices), message=_(
        "Write one of: %(values)s.") % {"values": " / ".join(str(label) for _v, label in Attendance.Status.choices)})
    return [
        Column("enrollment", gettext_noop("Enrollment no."), seat, required=True),
        *(Column(session.pk, session_label(session), mark) for session in sessions),
        Column("exam", gettext_noop("Exam passed"), excel_in.yes_no()),
    ]


def session_label(session) -> str:
    return timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M")


def read_attendance(upload, *, training_class, sessions) -> tuple[dict, dict, list[RowError]]:
    """(marks, exams, errors) from a filled-in attendance workbook of this class."""
    wrong = _("Use the attendance workbook exported from this class's page.")
    table = excel_in.read_table(upload, attendance_columns(training_class=training_class, sessions=sessions),
                                max_bytes=MAX_BYTES, wrong_header=wrong, rows_required=False)
    if table.found and not any(session.pk in table.found for session in sessions):
        return {}, {}, [RowError(1, "", wrong)]
    now = timezone.now()
    for row in table.rows:  # marks only for sessions that have started
        for session in sessions:
            if row[session.pk] is not None and not session.has_started(now):
                table.refuse(row["row"], session.pk, not_started_message(session))
    rows, errors = table.result()
    marks = {(row["enrollment"], session.pk): row[session.pk] for row in rows for session in sessions
             if row[session.pk] is not None}
    exams = {row["enrollment"]: row["exam"] for row in rows if row["exam"] is not None}
    return marks, exams, errors
