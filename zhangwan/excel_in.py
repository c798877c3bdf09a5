"""Reading an uploaded workbook: the one reader every import of the platform goes through.

An import declares its columns (label, whether the header must name it, how a cell is parsed);
`read_table` opens the upload within its limits, matches the header row in Chinese or English,
parses every cell, skips empty rows and reports each problem as (row, column label in the user's
language, message). `Table.result()` hands back the clean rows only when there is no problem at
all: an import is all or nothing.
"""

import datetime
import itertools
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException


@dataclass
class RowError:
    row: int  # the Excel row number; 0 for the file as a whole
    column: str
    message: str


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the English msgid (or a text nobody translates); shown and matched in both languages
    parse: Callable[[object], object] | None = None  # a cell's value → its clean value or ValidationError; text
    required: bool = False  # the header row must name this column
    unique: bool = False  # the same clean value on two rows is an error

    def title(self) -> str:
        return str(_(self.label))

    def clean(self, value):
        return self.parse(value) if self.parse else cell_text(value)


@dataclass
class Table:
    """The rows read from a workbook: clean rows (each with its "row" number) and every problem."""

    columns: list[Column]
    rows: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    found: set[str] = field(default_factory=set)  # keys of the columns the header names

    def refuse(self, row: int, key: str, message: str):
        """A problem found after parsing (a lookup, a rule across columns), reported like the parser's."""
        label = next((c.title() for c in self.columns if c.key == key), "")
        self.errors.append(RowError(row, label, message))

    def result(self) -> tuple[list[dict], list[RowError]]:
        """(rows, []) when every row is clean, else ([], errors by row): all or nothing."""
        errors = sorted(self.errors, key=lambda e: e.row)
        return ([] if errors else self.rows), errors


def read_table(upload, columns: list[Column], *, max_bytes: int, other_columns: bool = True,
               wrong_header: str | None = None, rows_required: bool = True, first_problem_only: bool = False) -> Table:
    """The upload's first sheet read against columns. other_columns=False refuses headers no column declares;
    wrong_header replaces every header problem with that one message; rows_required refuses a sheet of
    headers only; first_problem_only reports one problem a row (the first column's) instead of all."""
    table = Table(columns)
    try:
        sheet = open_upload(upload, max_bytes=max_bytes)
    except ValidationError as error:
        table.errors.append(RowError(0, "", error.messages[0]))
        return table
    rows = sheet.iter_rows(values_only=True)
    header, header_row = next(rows, None) or (), 1
    if _is_title_row(header, columns):
        # A file the platform wrote (zhangwan.excel) has its title row above the header: skip it when the
        # next row is the header (names a column); else the first row stays the header, and is refused.
        second = next(rows, None) or ()
        if _names_a_column(second, columns):
            header, header_row = second, 2
        else:
            rows = itertools.chain([second], rows)
    positions = _match_header(table, header, other_columns=other_columns, row=header_row)
    if table.errors:
        if wrong_header:
            table.errors = [RowError(header_row, "", wrong_header)]
        return table
    return parse_rows(table, ((number, {key: values[index] if index < len(values) else None
                                        for key, index in positions.items()})
                              for number, values in enumerate(rows, start=header_row + 1)),
                      rows_required=rows_required, first_problem_only=first_problem_only)


def _names_a_column(cells, columns: list[Column]) -> bool:
    names = {name for column in columns for name in in_both_languages(column.label)}
    return any(cell_text(cell).lower() in names for cell in cells)


def _is_title_row(cells, columns: list[Column]) -> bool:
    """The row may be a title (one text in its first cell, naming no column) rather than the header."""
    texts = [cell_text(cell) for cell in cells]
    return bool(texts) and bool(texts[0]) and not any(texts[1:]) and not _names_a_column(cells, columns)


def _match_header(table: Table, header, *, other_columns: bool, row: int = 1) -> dict[str, int]:
    """Column key → position in the sheet; header problems go to table.errors (on the header's row)."""
    if not any(cell_text(cell) for cell in header):
        table.errors.append(RowError(row, "", _("The workbook is empty: the first row must hold the column headers.")))
        return {}
    lookup = {name: column for column in table.columns for name in in_both_languages(column.label)}
    positions = {}
    for index, cell in enumerate(header):
        text = cell_text(cell)
        column = lookup.get(text.lower())
        if column is None:
            if text and not other_columns:
                table.errors.append(RowError(row, text, _("Unknown column; use the headers of the template.")))
        elif column.key in positions:
            table.errors.append(RowError(row, text, _("This column appears twice.")))
        else:
            positions[column.key] = index
    table.errors += [RowError(row, c.title(), _("Required column is missing."))
                     for c in table.columns if c.required and c.key not in positions]
    table.found = set(positions)
    return positions


def parse_rows(table: Table, numbered_cells, *, rows_required: bool = True, first_problem_only: bool = False) -> Table:
    """numbered_cells: (row number, {column key: cell value}); a column missing from the cells reads as empty.
    Rows whose cells are all empty are skipped."""
    first_row = {}  # (column key, clean value) → the row it was first seen on
    for number, cells in numbered_cells:
        if not any(cell_text(value) for value in cells.values()):
            continue
        row, problems = {"row": number}, []
        for column in table.columns:
            try:
                row[column.key] = column.clean(cells.get(column.key))
            except ValidationError as error:
                problems += [RowError(number, column.title(), message) for message in error.messages]
        for column in table.columns if not problems else ():
            value = row[column.key]
            if column.unique and value not in (None, ""):
                first = first_row.setdefault((column.key, value), number)
                if first != number:
                    problems.append(RowError(number, column.title(),
                                             _("The same number is already on row %(row)d.") % {"row": first}))
        table.errors += problems[:1] if first_problem_only else problems
        if not problems:
            table.rows.append(row)
    if rows_required and not table.rows and not table.errors:
        table.errors.append(RowError(2, "", _("The workbook has headers but no rows.")))
    return table


# Parsers: each takes a cell's value as openpyxl gives it and returns the clean value or raises ValidationError.
# Most go through a Django form field, so their messages are Django's, in the user's language.

def text(*, required: bool = False, max_length: int | None = None):
    return form_field(forms.CharField(required=required, max_length=max_length))


def integer(*, required: bool = False, min_value=None, max_value=None, message: str | None = None):
    return form_field(forms.IntegerField(required=required, min_value=min_value, max_value=max_value,
                                         error_messages=_all_as(message, "invalid", "min_value", "max_value")))


def decimal(*, required: bool = False, min_value=None, max_value=None, message: str | None = None):
    return form_field(forms.DecimalField(required=required, min_value=min_value, max_value=max_value,
                                         error_messages=_all_as(message, "invalid", "min_value", "max_value")))


def date(*, required: bool = False):
    return form_field(forms.DateField(required=required))


def form_field(form_field: forms.Field):
    """A parser from a form field: the cell as text, cleaned by the field."""
    def parse(value):
        return form_field.clean(cell_text(value))
    return parse


def _all_as(message, *keys) -> dict:
    return dict.fromkeys(keys, message) if message else {}


YES = {"是", "y", "yes", "1", "true", "√"}
NO = {"否", "n", "no", "0", "false"}


def yes_no(*, empty=None):
    """是 / 否, yes / no (or 1 / 0, true / false); an empty cell is `empty`."""
    yes, no = YES | in_both_languages("Yes"), NO | in_both_languages("No")

    def parse(value):
        word = cell_text(value).lower()
        if not word:
            return empty
        if word in yes:
            return True
        if word in no:
            return False
        raise ValidationError(_("Write 是 (yes) or 否 (no)."))
    return parse


def choice(lookup: dict, *, message: str, empty=None, required: bool = False):
    """The value lookup gives for the cell's text (matched without case); an empty cell is `empty`.
    For a model's choices, pass choices_in_both_languages(Model.Field.choices)."""
    lowered = {str(key).lower(): value for key, value in lookup.items()}

    def parse(value):
        word = cell_text(value).lower()
        if not word and not required:
            return empty
        if word not in lowered:
            raise ValidationError(message)
        return lowered[word]
    return parse


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
