"""Excel in and out, shared by every list and import of the project.

Reading refuses anything that is not a readable .xlsx with a message for the user; writing
streams rows through openpyxl's write-only mode so memory stays flat, with a frozen, filtered
header row and sensible widths.
"""

import datetime
import io
import re
import zipfile
import zlib
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


MAX_IMPORT_ROWS = 50_000


def open_upload(upload, *, max_bytes: int, max_rows: int | None = None):
    """The first worksheet of an uploaded workbook, or ValidationError saying what is wrong
    (including a sheet of more than max_rows, by default MAX_IMPORT_ROWS, rows below its header)."""
    max_rows = max_rows or MAX_IMPORT_ROWS
    if upload is None:
        raise ValidationError(_("Choose an Excel file (.xlsx) to upload."))
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is %(size).1f MB; the limit is %(limit).0f MB.")
            % {"size": upload.size / 1024 / 1024, "limit": max_bytes / 1024 / 1024}
        )
    if not upload.name.lower().endswith(".xlsx"):
        raise ValidationError(_("Only Excel workbooks (.xlsx) can be imported."))
    try:
        check_archive(upload)
        workbook = load_workbook(upload, read_only=True, data_only=True)
        if not workbook.worksheets:
            raise ValidationError(_("The workbook has no worksheet."))
        sheet = workbook.worksheets[0]
        # A read-only sheet is parsed while its rows are read: read them once here, keeping nothing,
        # so that a damaged sheet is refused now and not halfway through an import; stop as soon as
        # there are too many.
        for count, _row in enumerate(sheet.iter_rows(values_only=True)):
            if count > max_rows:
                raise ValidationError(_("A file may hold at most %(max)d rows; split it into several files.")
                                      % {"max": max_rows})
    except UNREADABLE as error:
        raise ValidationError(
            _("This file is not a valid Excel workbook (.xlsx). Save it from Excel and try again.")
        ) from error
    return sheet


# What openpyxl raises on a damaged or forged file: broken zip members and compressed streams,
# XML that does not parse (ElementTree's and lxml's errors are SyntaxErrors), parts that are
# missing or hold values of the wrong type.
UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, InvalidFileException, SyntaxError, KeyError, IndexError,
              ValueError, TypeError, AttributeError, OSError)


# A workbook is a zip of XML parts, and a few kilobytes can unpack to gigabytes or to millions of shared strings
# that openpyxl would parse for minutes (or declare entities that expand without end). So before openpyxl reads
# anything, every part is unpacked once, in bounded pieces, and counted; the first limit crossed stops it.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # the whole workbook (and so each part) once unpacked
MAX_PARTS = 1000
MAX_RATIO, RATIO_FROM = 100, 1024 * 1024  # Apache POI's limit: a part over 1 MB may unpack to 100× its size
SHARED_STRINGS_OVER_CELLS = 1000  # Excel keeps only strings that cells use; a little slack for other writers
CELL = re.compile(rb"<(?:[\w.-]+:)?c[\s/>]")
SHARED_STRING = re.compile(rb"<(?:[\w.-]+:)?si[\s/>]")
DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
CHUNK = 256 * 1024


def check_archive(upload):
    """Refuse, in well under a second, a workbook that unpacks to too much, is compressed beyond what any
    spreadsheet writes, holds more shared strings than cells, or declares a DTD or entities."""
    upload.seek(0)
    with zipfile.ZipFile(upload) as archive:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS or sum(part.file_size for part in parts) > MAX_UNPACKED_BYTES:
            raise _too_big()
        unpacked, cells, strings = 0, 0, 0
        for part in parts:
            counted = CELL if part.filename.startswith("xl/worksheets/") else \
                SHARED_STRING if part.filename == "xl/sharedStrings.xml" else None
            size, found = 0, 0
            with archive.open(part) as stream:
                tail = b""
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    unpacked += len(chunk)
                    if unpacked > MAX_UNPACKED_BYTES:
                        raise _too_big()
                    if size > RATIO_FROM and size > MAX_RATIO * max(part.compress_size, 1):
                        raise _forged()
                    text, tail = _whole_tags(tail + chunk)
                    found += _scan(text, counted)
                found += _scan(tail, counted)
            if counted is CELL:
                cells += found
            elif counted is SHARED_STRING:
                strings = found
        if strings > cells + SHARED_STRINGS_OVER_CELLS:
            raise _forged()
    upload.seek(0)


def _scan(text: bytes, counted) -> int:
    """How many of the counted tags text holds; refuses a DTD or an entity declaration."""
    if DTD.search(text):
        raise _forged()
    return len(counted.findall(text)) if counted else 0


def _whole_tags(data: bytes) -> tuple[bytes, bytes]:
    """data split before a tag that may go on in the next piece (kept for it), so no tag is cut in two."""
    last = data.rfind(b"<", max(0, len(data) - 64))
    return (data, b"") if last < 0 else (data[:last], data[last:])


def _too_big():
    return ValidationError(_("This workbook unpacks to more than %(limit)d MB; split it into several files.")
                           % {"limit": MAX_UNPACKED_BYTES // 1024 // 1024})


def _forged():
    return ValidationError(_("This file is not a workbook as Excel saves it (it is packed or built to overload "
                             "the server). Save it from Excel and try again."))


def cell_text(value) -> str:
    """A cell as text: whole numbers without '.0', dates as ISO, None as ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


MONEY, DAY, MOMENT = "#,##0.00", "yyyy-mm-dd", "yyyy-mm-dd hh:mm"
# By the value's exact type: money with two places, dates as dates.
NUMBER_FORMATS = {Decimal: MONEY, datetime.date: DAY, datetime.datetime: MOMENT}


# Text Excel (or LibreOffice) would read as a formula, now or once the cell is edited: a user's name, bank or
# title beginning with one of these is written as text, never as a formula (CSV/formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def needs_text_cell(value) -> bool:
    return isinstance(value, str) and (value.startswith(FORMULA_STARTS) or value in ERROR_CODES)


def as_text(cell, value: str):
    """The cell holding value as an inline string, never a formula or an error, marked as text (Excel's mark
    for text typed after an apostrophe, so that editing the cell keeps it text); the text itself unchanged."""
    cell.value = value
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


class SheetWriter:
    """One worksheet in a write-only workbook: header row, then rows appended one by one.

    A write-only sheet writes each row out as it is appended, so one formatted cell per column and
    format is filled again row after row instead of a new cell object per value."""

    def __init__(self, workbook, title: str, headers: list[str], widths: list[int] | None = None):
        self.sheet = workbook.create_sheet(title=title[:31])
        self.columns = len(headers)
        for index, header in enumerate(headers, start=1):
            width = widths[index - 1] if widths else max(12, min(40, len(header) * 2 + 4))
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self.sheet.freeze_panes = "A2"
        self.rows = 1
        self.formatted = {}
        bold = Font(bold=True)
        header_cells = []
        for header in headers:
            cell = as_text(WriteOnlyCell(self.sheet), header) if needs_text_cell(header) else \
                WriteOnlyCell(self.sheet, value=header)
            cell.font = bold
            header_cells.append(cell)
        self.sheet.append(header_cells)

    def cell(self, value, column: int):
        """The value as written in this column: a formatted cell where its type needs one, a text cell for
        text that would otherwise be read as a formula. Every sheet the platform writes goes through here."""
        if needs_text_cell(value):
            cell = self.formatted.get((column, "text"))
            if cell is None:
                cell = self.formatted[column, "text"] = WriteOnlyCell(self.sheet)
            return as_text(cell, value)
        number_format = NUMBER_FORMATS.get(type(value))
        if number_format is None:
            return value
        cell = self.formatted.get((column, number_format))
        if cell is None:
            cell = self.formatted[column, number_format] = WriteOnlyCell(self.sheet)
            cell.number_format = number_format
        cell.value = value
        return cell

    def append(self, values):
        self.sheet.append([self.cell(value, column) for column, value in enumerate(values)])
        self.rows += 1

    def finish(self):
        self.sheet.auto_filter.ref = f"A1:{get_column_letter(self.columns)}{max(self.rows, 1)}"


def workbook_bytes(sheets) -> bytes:
    """sheets: iterable of (title, headers, rows[, widths]). Returns the .xlsx file's bytes."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        title, headers, rows = sheet[:3]
        writer = SheetWriter(workbook, title, headers, sheet[3] if len(sheet) > 3 else None)
        for row in rows:
            writer.append(row)
        writer.finish()
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def wants_xlsx(request) -> bool:
    """The list is asked for as a workbook (?format=xlsx), not as a page."""
    return request.GET.get("format") == "xlsx"


def xlsx_response(filename: str, sheets) -> HttpResponse:
    response = HttpResponse(workbook_bytes(sheets), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def in_both_languages(text: str) -> set[str]:
    """A label's Chinese and English forms, lower-cased: what a header cell may say."""
    labels = set()
    for language in ("zh-hans", "en"):
        with translation.override(language):
            labels.add(str(_(text)).strip().lower())
    return labels


def choices_in_both_languages(choices) -> dict[str, object]:
    """What a cell may say for a choice: its label in Chinese or English (lower-cased), or its value."""
    lookup = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for value, label in choices:
                lookup[str(label).strip().lower()] = value
                lookup[str(value).lower()] = value
    return lookup
