"""A list's columns, declared once: the page's table header, the Excel export and the annual report's
detail sheets all read the same declaration, so a label or a value cannot drift between them.

Each app declares its lists in ``tables.py``, next to its selectors and filters::

    CERTIFICATES = Table(_("Certificates"), "certificates-{today}.xlsx", [
        Column(_("Certificate number"), "number"),
        Column(_("Holder"), "holder.name"),
        Column(_("Identity number"), "holder.id_number", masked=True, page=False),
        Column(_("Level"), "get_level_display"),
    ])

and the view answers ``?format=xlsx`` with one line, before it paginates::

    if wants_xlsx(request):
        return CERTIFICATES.response(request, certificates)

The template renders the header from the same declaration:
``{% include "includes/table_head.html" with columns=table.page_columns %}``.

A value is a path ("holder.name"; a method on the way, such as ``get_level_display``, is called; a
dict row, as ``values()`` gives, is read by key) or a function of the row. Writing goes through
``zhangwan.excel.SheetWriter``: text that Excel would read as a formula is written as text, counts
(int) get thousands separators, money (Decimal) two places, dates are dates; a column of numbers that
are not counts (a year, a record number) declares ``number_format=PLAIN``. Every sheet has a title row
above its header and prints on landscape A4 (see zhangwan/excel.py).
An identity number column (``masked=True``) shows the whole number only to users with
``registry.view_full_id_number`` (or the column's ``unmasked_by`` permission; None: always masked).
A list that can be long registers an export job (``zhangwan/jobs/exports.py``) whose builder returns
``table.export_sheet(...)``; the job decides between the file now and a job by the row count.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise

from zhangwan.excel import PLAIN, TEXT, wants_xlsx, xlsx_response
from zhangwan.registry.validators import mask_id_number

FULL_ID_NUMBER = "registry.view_full_id_number"
CHUNK = 2000

__all__ = ["PLAIN", "Column", "Table", "local", "wants_xlsx", "yes_no"]


def _resolve(row, path: str):
    value = row
    for name in path.split("."):
        if value is None:
            return None
        value = value[name] if isinstance(value, dict) else getattr(value, name)
        if callable(value):
            value = value()
    return value


@dataclass(frozen=True)
class Column:
    label: object
    value: str | Callable
    width: int | None = None
    masked: bool = False
    unmasked_by: str | None = FULL_ID_NUMBER
    page: bool = True  # shown in the page's table header (the export has every column)
    css: str = ""  # the page header cell's class
    number_format: str | None = None  # overrides the value type's format in the workbook (excel.PLAIN for years)

    def cell(self, row, user=None):
        value = self.value(row) if callable(self.value) else _resolve(row, self.value)
        if self.masked and value and not (self.unmasked_by and user is not None and user.has_perm(self.unmasked_by)):
            value = mask_id_number(value)
        if isinstance(value, Promise):
            value = str(value)
        return value


@dataclass
class Table:
    title: object
    filename: str  # "{today}" becomes the date, other names come from response(..., **names)
    columns: list[Column] = field(default_factory=list)

    def headers(self) -> list[str]:
        return [str(column.label) for column in self.columns]

    @property
    def page_columns(self) -> list[Column]:
        return [column for column in self.columns if column.page]

    def widths(self) -> list[int] | None:
        if not any(column.width for column in self.columns):
            return None
        return [column.width or 12 for column in self.columns]

    def formats(self) -> list[str | None] | None:
        """Each column's number format when it has one: identity numbers (masked columns) are Text-formatted,
        so that Excel keeps all 18 characters of a number typed or pasted in (as a number it keeps 15)."""
        formats = [column.number_format or (TEXT if column.masked else None) for column in self.columns]
        return formats if any(formats) else None

    def rows(self, objects: Iterable, user=None):
        if isinstance(objects, QuerySet):
            objects = objects.iterator(chunk_size=CHUNK)
        for row in objects:
            yield [column.cell(row, user) for column in self.columns]

    def sheet(self, objects: Iterable, user=None, title=None) -> tuple:
        """(title, headers, rows, widths, formats) as zhangwan.excel.workbook_bytes takes it."""
        return str(title or self.title), self.headers(), self.rows(objects, user), self.widths(), self.formats()

    def name(self, **names) -> str:
        return self.filename.format(today=f"{timezone.localdate():%Y%m%d}", **names)

    def response(self, request, objects: Iterable, *, filename=None, extra_sheets=(), **names):
        """The list as an .xlsx download, with the user's masking; the title row names them as its maker."""
        return xlsx_response(filename or self.name(**names), [self.sheet(objects, request.user), *extra_sheets],
                             made_by=request.user, year=names.get("year"))

    def export_sheet(self, objects: QuerySet, user, **names):
        """The list for an export job (zhangwan/jobs/exports.py): the file now when short, a job when long."""
        from zhangwan.jobs.exports import ExportSheet

        return ExportSheet(filename=self.name(**names), title=str(self.title), headers=self.headers(),
                           rows=self.rows(objects, user), count=objects.order_by().count(), widths=self.widths(),
                           formats=self.formats())


def local(path: str) -> Callable:
    """A stored moment as local time without zone: Excel keeps no time zone."""
    def value(row):
        moment = _resolve(row, path)
        return timezone.localtime(moment).replace(tzinfo=None) if moment else None
    return value


def yes_no(path: str) -> Callable:
    from django.utils.translation import gettext as _

    return lambda row: _("Yes") if _resolve(row, path) else _("No")
