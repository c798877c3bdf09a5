"""Workbooks built to overload the server are refused before openpyxl parses them, in well under a second.

Every import reads its file through zhangwan.excel_in.open_upload (test_bad_input sends these bombs to each
of them); here each bomb is timed, once against the reader and once through the roster import.
"""

import io
import time
import zipfile
from xml.etree import ElementTree

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from zhangwan.excel_in import open_upload
from zhangwan.registry.models import Worker
from zhangwan.registry.tests.xlsx import HEADERS_ZH
from zhangwan.tests.matrix import badinput

BOMBS = ["shared-string bomb", "distinct shared-string bomb", "deflate bomb", "billion laughs"]
LIMIT = 5 * 1024 * 1024
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def bomb(what: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("roster.xlsx", dict(badinput.upload_bombs(HEADERS_ZH))[what])


@pytest.mark.parametrize("what", BOMBS)
def test_the_reader_refuses_a_bomb_in_under_a_second(what):
    upload = bomb(what)
    started = time.monotonic()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        open_upload(upload, max_bytes=LIMIT)
    assert time.monotonic() - started < 1
    assert ("Save it from Excel" in refused.value.messages[0] if what != "deflate bomb"
            else "unpacks to more than 50 MB" in refused.value.messages[0])


@pytest.mark.parametrize("what", BOMBS)
def test_the_roster_import_refuses_a_bomb_in_under_a_second_and_imports_nothing(client, liaison, what):
    client.force_login(liaison)
    assert client.get(reverse("registry:roster_import")).status_code == 200  # the page the liaison uploads from
    before = Worker.objects.count()
    upload = bomb(what)
    started = time.monotonic()
    response = client.post(reverse("registry:roster_import"), {"file": upload}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert time.monotonic() - started < 1
    assert response.status_code == 200
    page = response.content.decode()
    assert "请从 Excel 重新保存" in page or "解压后超过 50 MB" in page
    assert Worker.objects.count() == before


def test_the_deflate_bomb_unpacks_to_what_it_declares():
    """The reader refuses the deflate bomb by the size its zip declares; the bomb's sheet is assembled from
    deflate blocks by hand (badinput.deflate_bomb), so here it is unpacked: zipfile checks the CRC, and the
    sheet is the workbook's rows, then 300 MB of spaces, then the end of the sheet."""
    archive = zipfile.ZipFile(io.BytesIO(dict(badinput.upload_bombs(HEADERS_ZH))["deflate bomb"]))
    sheet = archive.read("xl/worksheets/sheet1.xml")
    assert len(sheet) == archive.getinfo("xl/worksheets/sheet1.xml").file_size
    rows, end = sheet.split(b"</sheetData>")
    assert rows.startswith(b"<worksheet") and rows.rstrip(b" ").endswith(b"</row>")
    assert len(rows) - len(rows.rstrip(b" ")) == badinput.BOMB_SPACES
    assert end.endswith(b"</worksheet>")
    cells = ElementTree.fromstring(rows.rstrip(b" ") + b"</sheetData></worksheet>").iter(f"{{{MAIN}}}t")
    assert [cell.text for cell in cells][:len(HEADERS_ZH)] == HEADERS_ZH  # the import's header row


def test_a_workbook_whose_cells_use_its_shared_strings_is_read():
    """Excel writes text as shared strings: a sheet of 3,000 text cells and 3,000 shared strings is fine."""
    cells = b"".join(b'<row r="%d"><c r="A%d" t="s"><v>%d</v></c></row>' % (n + 1, n + 1, n) for n in range(3000))
    sheet = (b'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/'
             b'spreadsheetml/2006/main"><sheetData>%s</sheetData></worksheet>' % cells)
    data = badinput.with_part(badinput.workbook_bytes([["x"]]), "xl/worksheets/sheet1.xml", sheet)
    strings = b"".join(b"<si><t>name %d</t></si>" % n for n in range(3000))
    upload = SimpleUploadedFile("roster.xlsx", badinput.with_part(data, "xl/sharedStrings.xml",
                                                                  badinput.shared_strings(strings, 3000),
                                                                  badinput.SHARED_STRINGS_TYPE,
                                                                  badinput.SHARED_STRINGS_REL))
    rows = list(open_upload(upload, max_bytes=LIMIT).iter_rows(values_only=True))
    assert rows[0] == ("name 0",) and rows[-1] == ("name 2999",) and len(rows) == 3000


def test_openpyxl_parses_with_defusedxml():
    assert openpyxl.DEFUSEDXML
