"""Excel files of the training pages: the liaison's list of workers to register, and the
officer's attendance sheet (export and re-import). Both are all-or-nothing with row errors."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from zhangwan.excel import cell_text, choices_in_both_languages, in_both_languages, open_upload
from zhangwan.registry.roster import RowError
from zhangwan.registry.validators import check_id_number

from .models import Attendance, Enrollment

MAX_BYTES = 5 * 1024 * 1024



def read_id_list(upload, *, roster) -> tuple[list, list[RowError]]:
    """Workers named by identity number in the first column headed 身份证号 / Identity number."""
    try:
        sheet = open_upload(upload, max_bytes=MAX_BYTES)
    except ValidationError as error:
        return [], [RowError(0, "", error.messages[0])]
    rows = sheet.iter_rows(values_only=True)
    header = [cell_text(c).lower() for c in (next(rows, None) or [])]
    wanted = in_both_languages("Identity number")
    column = next((i for i, h in enumerate(header) if h in wanted), None)
    if column is None:
        return [], [RowError(1, "", _("No column headed “%(label)s”.") % {"label": _("Identity number")})]
    numbers, errors = {}, []
    for number, values in enumerate(rows, start=2):
        raw = values[column] if column < len(values) else None
        text = cell_text(raw)
        if not text:
            continue
        if isinstance(raw, (int, float)):
            errors.append(RowError(number, _("Identity number"), _(
                "Identity numbers must be stored as text in Excel; as a number the last digits are lost.")))
            continue
        try:
            numbers.setdefault(check_id_number(text), number)
        except ValidationError as error:
            errors.append(RowError(number, _("Identity number"), error.messages[0]))
    found = {w.id_number: w for w in roster.filter(id_number__in=numbers)}
    for id_number, row in numbers.items():
        if id_number not in found:
            errors.append(RowError(row, _("Identity number"), _("Not on your organization's roster.")))
    if not numbers and not errors:
        errors.append(RowError(2, "", _("The list has no identity numbers.")))
    return [found[n] for n in numbers if n in found], sorted(errors, key=lambda e: e.row)




def attendance_sheet(training_class, enrollments, sessions, existing, *, full_ids: bool):
    """Headers and rows of the attendance workbook: one row per seat, one column per session."""
    headers = [_("Enrollment no."), _("Name"), _("Identity number")]
    headers += [timezone.localtime(s.starts_at).strftime("%Y-%m-%d %H:%M") for s in sessions]
    headers += [_("Exam passed")] if training_class.has_exam else []
    rows = []
    for e in enrollments:
        row = [e.pk, e.worker.name, e.worker.id_number if full_ids else e.worker.masked_id_number]
        row += [existing[(e.pk, s.pk)].get_status_display() if (e.pk, s.pk) in existing else "" for s in sessions]
        if training_class.has_exam:
            row.append("" if e.exam_passed is None else (_("Yes") if e.exam_passed else _("No")))
        rows.append(row)
    return headers, rows


def read_attendance(upload, *, training_class, sessions) -> tuple[dict, dict, list[RowError]]:
    """(marks, exams, errors) from a filled-in attendance workbook of this class."""
    try:
        sheet = open_upload(upload, max_bytes=MAX_BYTES)
    except ValidationError as error:
        return {}, {}, [RowError(0, "", error.messages[0])]
    rows = sheet.iter_rows(values_only=True)
    header = [cell_text(c) for c in (next(rows, None) or [])]
    by_label = {timezone.localtime(s.starts_at).strftime("%Y-%m-%d %H:%M"): s for s in sessions}
    session_columns = {i: by_label[h] for i, h in enumerate(header) if h in by_label}
    exam_labels = in_both_languages("Exam passed")
    exam_column = next((i for i, h in enumerate(header) if h.lower() in exam_labels), None)
    if not header or header[0].lower() not in in_both_languages("Enrollment no.") or not session_columns:
        return {}, {}, [RowError(1, "", _("Use the attendance workbook exported from this class's page."))]
    seats = set(training_class.enrollments.exclude(
        status__in=[Enrollment.Status.CANCELLED, Enrollment.Status.WAITLISTED]).values_list("pk", flat=True))
    statuses = choices_in_both_languages(Attendance.Status.choices)
    yes, no = in_both_languages("Yes") | {"是", "1", "y"}, in_both_languages("No") | {"否", "0", "n"}
    marks, exams, errors = {}, {}, []
    for number, values in enumerate(rows, start=2):
        if not any(cell_text(v) for v in values):
            continue
        try:
            enrollment_id = int(cell_text(values[0]))
        except ValueError:
            errors.append(RowError(number, header[0], _("Not an enrollment number.")))
            continue
        if enrollment_id not in seats:
            errors.append(RowError(number, header[0], _("No seat with this number in this class.")))
            continue
        for index, session in session_columns.items():
            text = cell_text(values[index]).lower() if index < len(values) else ""
            if not text:
                continue
            if text not in statuses:
                errors.append(RowError(number, header[index], _("Write one of: %(values)s.")
                                       % {"values": " / ".join(str(label) for _v, label in
                                                               Attendance.Status.choices)}))
                continue
            marks[(enrollment_id, session.pk)] = statuses[text]
        if exam_column is not None and exam_column < len(values):
            text = cell_text(values[exam_column]).lower()
            if text in yes:
                exams[enrollment_id] = True
            elif text in no:
                exams[enrollment_id] = False
            elif text:
                errors.append(RowError(number, header[exam_column], _("Write 是 (yes) or 否 (no).")))
    return marks, exams, errors
