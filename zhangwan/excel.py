"""Excel out, shared by every list of the project (reading an upload is zhangwan.excel_in).

Writing streams rows through openpyxl's write-only mode so memory stays flat, with a frozen,
filtered header row and sensible widths.

Every sheet prints the way a Chinese office prints it (issue 23): a title row above the header
(organization · report · year · date made · who made it), landscape A4, fitted to the page width,
the header row repeated on each printed page, "page n of m" in the footer. Numbers have one format
in every sheet: counts ``#,##0``, money ``#,##0.00``, rates ``0.0%``; a column of numbers that are not
counts (years, record numbers) says so with ``PLAIN``.
"""

import datetime
import io
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


MONEY, DAY, MOMENT, TEXT = "#,##0.00", "yyyy-mm-dd", "yyyy-mm-dd hh:mm", "@"
COUNT, RATE, PLAIN = "#,##0", "0.0%", "0"
# By the value's exact type: counts with thousands separators, money with two places, dates as dates.
NUMBER_FORMATS = {int: COUNT, Decimal: MONEY, datetime.date: DAY, datetime.datetime: MOMENT}
# Rows above the column headers: the title row. Readers of the platform's files skip it (excel_in).
TITLE_ROWS = 1
HEADER_ROW = TITLE_ROWS + 1


def title_text(report: str, *, made_by=None, year=None, made_on=None) -> str:
    """The title row's text: organization · report · year · date made · who made it."""
    parts = [_("Zhangwan District Federation of Trade Unions"), str(report)]
    if year:
        parts.append(_("Year %(year)s") % {"year": year})
    parts.append(_("Made on %(date)s") % {"date": f"{made_on or timezone.localdate():%Y-%m-%d}"})
    if made_by is not None:
        parts.append(_("Made by %(name)s") % {"name": str(made_by)})
    return " · ".join(parts)


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

    def __init__(self, workbook, title: str, headers: list[str], widths: list[int] | None = None,
                 formats: list[str | None] | None = None, *, heading: str | None = None, one_page: bool = False):
        """heading: the title row's text (zhangwan.excel.title_text; the sheet's title and today by default);
        formats: a number format per column overriding the one its values' type gives (PLAIN for years; TEXT
        for identity numbers, so that Excel keeps all 18 characters of a number typed or pasted in);
        one_page: the whole sheet on one printed page (a summary), else fitted to the width only."""
        self.sheet = workbook.create_sheet(title=title[:31])
        self.columns = len(headers)
        self.formats = list(formats or [])
        for index, header in enumerate(headers, start=1):
            width = widths[index - 1] if widths else max(12, min(40, len(header) * 2 + 4))
            dimension = self.sheet.column_dimensions[get_column_letter(index)]
            dimension.width = width
            if index - 1 < len(self.formats) and self.formats[index - 1] == TEXT:
                dimension.number_format = TEXT
        self.sheet.freeze_panes = f"A{HEADER_ROW + 1}"
        self._print_setup(one_page)
        self.rows = 1
        self.formatted = {}
        bold = Font(bold=True)
        title_cell = WriteOnlyCell(self.sheet)
        as_text(title_cell, heading or title_text(title))
        title_cell.font = Font(bold=True, size=13)
        self.sheet.append([title_cell])
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
        override = self.formats[column] if column < len(self.formats) else None
        number_format = TEXT if override == TEXT and isinstance(value, str) else NUMBER_FORMATS.get(type(value))
        if number_format is None:
            return value
        if override and override != TEXT:
            number_format = override
        cell = self.formatted.get((column, number_format))
        if cell is None:
            cell = self.formatted[column, number_format] = WriteOnlyCell(self.sheet)
            cell.number_format = number_format
        cell.value = value
        return cell

    def append(self, values):
        self.sheet.append([self.cell(value, column) for column, value in enumerate(values)])
        self.rows += 1

    def _print_setup(self, one_page: bool):
        sheet = self.sheet
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 1 if one_page else 0  # 0: as many pages down as the rows need
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_options.horizontalCentered = True
        sheet.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.7, header=0.3, footer=0.3)
        sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        sheet.oddFooter.center.text = _("Page &P of &N")

    def finish(self):
        last = self.rows + TITLE_ROWS
        self.sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(self.columns)}{last}"


def workbook_bytes(sheets, *, made_by=None, year=None) -> bytes:
    """sheets: iterable of (title, headers, rows[, widths[, formats]]). Returns the .xlsx file's bytes;
    each sheet's title row names its title, the year when there is one, today and made_by."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        title, headers, rows = sheet[:3]
        writer = SheetWriter(workbook, title, headers, sheet[3] if len(sheet) > 3 else None,
                             sheet[4] if len(sheet) > 4 else None,
                             heading=title_text(title, made_by=made_by, year=year))
        for row in rows:
            writer.append(row)
        writer.finish()
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def wants_xlsx(request) -> bool:
    """The list is asked for as a workbook (?format=xlsx), not as a page."""
    return request.GET.get("format") == "xlsx"


def xlsx_response(filename: str, sheets, *, made_by=None, year=None) -> HttpResponse:
    response = HttpResponse(workbook_bytes(sheets, made_by=made_by, year=year), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
