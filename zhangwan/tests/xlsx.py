"""Reading back, in tests, the workbooks the platform writes (zhangwan/excel.py): every sheet has its
title row above the column headers, so a sheet's table starts on excel.HEADER_ROW."""

import io

from openpyxl import load_workbook

from zhangwan.excel import HEADER_ROW


def open_workbook(source, **options):
    """A workbook from a response (plain or streaming), bytes, a path or an open file."""
    if hasattr(source, "streaming_content"):
        source = b"".join(source.streaming_content)
    elif hasattr(source, "content"):
        source = source.content
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    return load_workbook(source, **options)


def table_rows(sheet) -> list[tuple]:
    """The sheet's header row and the rows below it, as values."""
    return list(sheet.iter_rows(min_row=HEADER_ROW, values_only=True))


def exported_rows(source, sheet: int = 0) -> list[tuple]:
    """The header and rows of a sheet of the workbook source (see open_workbook)."""
    return table_rows(open_workbook(source).worksheets[sheet])


def title_row(sheet) -> str:
    return sheet.cell(row=1, column=1).value
