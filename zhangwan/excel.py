"""Excel out, shared by every list of the project (reading an upload is zhangwan.excel_in).

Writing streams rows through openpyxl's write-only mode so memory stays flat, with a frozen,
filtered header row and sensible widths.
"""

import datetime
import io
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
