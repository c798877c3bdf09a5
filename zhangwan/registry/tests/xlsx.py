"""Build roster workbooks for tests."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from zhangwan.registry.tests.factories import make_id_number

HEADERS_ZH = ["姓名", "身份证号", "手机号", "学历", "失业保险参保日期", "脱贫劳动力", "工种代码", "从事该工种起始年份",
              "入职日期", "班组长"]
HEADERS_EN = ["Name", "Identity number", "Mobile", "Education", "Unemployment insurance since",
              "Poverty-alleviation labourer", "Trade code", "In the trade since (year)", "Employed since",
              "Team leader"]


def roster_rows(count: int, start: int = 0):
    return [[f"工人{n}", make_id_number(n), f"138{n:08d}", "高中或中专", "2015-03-01", "否",
             "6-18-02-04", 2012, "2016-07-01", "否"] for n in range(start, start + count)]


def workbook_file(rows, headers=HEADERS_ZH, name="roster.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    if headers is not None:
        sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")
