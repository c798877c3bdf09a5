"""A corpus of bad input: what a careless, confused or hostile user types into a form or uploads.

Values are grouped by the kind of field they are aimed at; every kind also gets the values that
break text handling everywhere (NUL bytes, huge strings, markup, SQL). Files are built in memory
(the oversized ones sparsely, on disk) and named the way a user would name them.
"""

import functools
import io
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
MARKUP = (SCRIPT, IMG)
HUGE = "字" * 100_000

# Sent to every free-text field; fields of other kinds get SHORT and their kind's own values.
ANY = ["", " \t\n ", HUGE, "a\x00b", SCRIPT, IMG, "'; DROP TABLE x; --", "\u202e\ufeff😀"]
SHORT = ["", HUGE, "\x00", IMG]

# Valid-looking shapes with one thing wrong each.
ID_NUMBERS = [
    "420303199001011235",   # wrong check digit
    "42030319900101123",    # 17 characters
    "4203031990010112345",  # 19 characters
    "420303199002301234",   # 30 February
    "990303199001011234",   # no such region
    "42030318000101123X",   # born before 1900
    "４２０３０３１９９００１０１１２３４",  # full-width digits
    "42030319900101123x ",
]
CREDIT_CODES = ["91420300MA4ABCDE1X", "9142030071454562X", "91420300714545620Z", "IOZSV0000000000000"]
MOBILES = ["1390000000", "23900000000", "139000000001", "+8613900000000", "１３９００００００００"]
INTEGERS = ["-1", "0", "-2147483649", "2147483648", str(10**40), "1e30", "abc", "1.5", "NaN", "٣"]
DECIMALS = ["-0.01", "1e30", "1e-30", str(10**40), "0.001", "abc", "NaN", "Infinity", "sNaN", "1,5"]
DATES = ["2022-02-30", "99999-01-01", "9999-12-31", "0001-01-01", "0000-00-00", "31/12/2022", "1e30"]
CHOICES = ["no-such-choice", "0", "None"]
REFERENCES = ["0", "-1", "abc", "999999999", "9" * 30, "1.0"]
URLS = ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "/\\evil.example"]
JSON = ['["\\u0000"]', '{"a": "\\u0000"}', "[", "1e999", '"' + "x" * 10_000 + '"', "null", "[[[[[[[[[[]]]]]]]]]]"]

BY_KIND = {
    "text": ANY,
    "id_number": ID_NUMBERS,
    "credit_code": CREDIT_CODES,
    "mobile": MOBILES,
    "int": INTEGERS,
    "decimal": DECIMALS,
    "date": DATES,
    "choice": CHOICES,
    "ref": REFERENCES,
    "url": URLS,
    "json": JSON,
}


def values_for(kind: str) -> list[str]:
    return ANY if kind == "text" else [*SHORT, *BY_KIND[kind]]


# Files --------------------------------------------------------------------------------------------

def workbook_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _broken_xml(headers) -> bytes:
    """A real workbook whose first sheet's XML is cut off in the middle of a tag."""
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes([headers, ["x"] * len(headers)])))
    members = {name: source.read(name) for name in source.namelist()}
    members["xl/worksheets/sheet1.xml"] = members["xl/worksheets/sheet1.xml"][:200]
    return _zip(members)


SHARED_STRINGS_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SHARED_STRINGS_REL = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def _with_part(headers, name: str, data: bytes, content_type: bytes | None = None, rel: bytes | None = None,
               level: int = 9) -> bytes:
    """A real workbook with these headers and a row, and one part added or replaced."""
    return with_part(workbook_bytes([headers, ["x"] * len(headers)]), name, data, content_type, rel, level)


def with_part(workbook: bytes, name: str, data: bytes, content_type: bytes | None = None, rel: bytes | None = None,
              level: int = 9) -> bytes:
    """The workbook with one part added or replaced (declared when given its type and relation)."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    members = {member: source.read(member) for member in source.namelist()}
    if content_type:
        members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
            b"</Types>", b'<Override PartName="/%s" ContentType="%s"/></Types>' % (name.encode(), content_type))
    if rel:
        members["xl/_rels/workbook.xml.rels"] = members["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>", b'<Relationship Id="rIdX" Type="%s" Target="%s"/></Relationships>'
            % (rel, name.removeprefix("xl/").encode()))
    members[name] = data
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    return buffer.getvalue()


def shared_strings(items: bytes, count: int) -> bytes:
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml'
            b'/2006/main" count="%d" uniqueCount="%d">%s</sst>' % (count, count, items))


@functools.cache
def shared_string_bomb(headers: tuple) -> bytes:
    """About 12 KB: 250,000 shared strings that a sheet of two rows never uses."""
    return _with_part(headers, "xl/sharedStrings.xml", shared_strings(b"<si><t>a</t></si>" * 250_000, 250_000),
                      SHARED_STRINGS_TYPE, SHARED_STRINGS_REL)


@functools.cache
def distinct_shared_string_bomb(headers: tuple) -> bytes:
    """250,000 different shared strings, packed as tightly as any spreadsheet would: only the count gives it away."""
    items = b"".join(b"<si><t>%d</t></si>" % (i * 7919 % 1_000_003) for i in range(250_000))
    return _with_part(headers, "xl/sharedStrings.xml", shared_strings(items, 250_000), SHARED_STRINGS_TYPE,
                      SHARED_STRINGS_REL, level=1)


BOMB_SPACES = 300 * 1024 * 1024
SPACES = b" " * (1024 * 1024)  # the bomb's blank space, a megabyte at a time
SHEET_DATA_END = b"</sheetData>"


@functools.cache
def _deflated_spaces() -> bytes:
    """BOMB_SPACES spaces as raw deflate blocks, flushed so that they end on a byte and are not the last
    blocks of a stream: compressed once per process, whatever the headers of the sheet around them."""
    compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
    return b"".join(compressor.compress(SPACES) for _ in range(BOMB_SPACES // len(SPACES))) + \
        compressor.flush(zlib.Z_FULL_FLUSH)


def _deflated_with_spaces(head: bytes, tail: bytes) -> tuple[bytes, int]:
    """The deflate stream of head + BOMB_SPACES spaces + tail, and its CRC-32: head and tail are compressed
    on their own and the cached spaces put between them (a full flush makes the blocks independent)."""
    first, last = zlib.compressobj(1, zlib.DEFLATED, -15), zlib.compressobj(1, zlib.DEFLATED, -15)
    crc = zlib.crc32(head)
    for _ in range(BOMB_SPACES // len(SPACES)):
        crc = zlib.crc32(SPACES, crc)
    stream = (first.compress(head) + first.flush(zlib.Z_FULL_FLUSH) + _deflated_spaces()
              + last.compress(tail) + last.flush())
    return stream, zlib.crc32(tail, crc)


@functools.cache
def deflate_bomb(headers: tuple) -> bytes:
    """A worksheet that unpacks to 300 MB: the two rows, then blank space the XML parser has to read through.
    The member is written as zipfile would write it compressed, from the stream _deflated_with_spaces builds."""
    name = "xl/worksheets/sheet1.xml"
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes([headers, ["x"] * len(headers)])))
    members = {member: source.read(member) for member in source.namelist()}
    head, tail = members.pop(name).split(SHEET_DATA_END)
    tail = SHEET_DATA_END + tail
    stream, crc = _deflated_with_spaces(head, tail)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in members.items():
            archive.writestr(member, content)
        info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        archive.writestr(info, stream, compress_type=zipfile.ZIP_STORED)  # the stream's bytes as they are…
        # …declared as what they are, in the central directory (written on close) and the local header
        info.compress_type, info.CRC, info.file_size = zipfile.ZIP_DEFLATED, crc, len(head) + BOMB_SPACES + len(tail)
    data = bytearray(buffer.getvalue())
    struct.pack_into("<H", data, info.header_offset + 8, zipfile.ZIP_DEFLATED)
    struct.pack_into("<III", data, info.header_offset + 14, info.CRC, info.compress_size, info.file_size)
    return bytes(data)


LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (n, (b"&lol%s;" % (str(n - 1).encode() if n > 1 else b"")) * 10)
                     for n in range(1, 10))
          + b']>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
          b"<si><t>&lol9;</t></si></sst>")


def billion_laughs(headers: tuple) -> bytes:
    return _with_part(headers, "xl/sharedStrings.xml", LAUGHS, SHARED_STRINGS_TYPE, SHARED_STRINGS_REL)


def upload_bombs(headers) -> list[tuple[str, bytes]]:
    headers = tuple(headers)
    return [("shared-string bomb", shared_string_bomb(headers)),
            ("distinct shared-string bomb", distinct_shared_string_bomb(headers)),
            ("deflate bomb", deflate_bomb(headers)),
            ("billion laughs", billion_laughs(headers))]


BAD_CELLS = ["=cmd|' /C calc'!A0", "字" * 40_000, -1, 1e30, 10**40, "2022-02-30", True, "420303199001011235",
             420303199001011234, SCRIPT, "'; DROP TABLE x; --", float("inf")]


def bad_rows(headers, good) -> list[list]:
    """The right headers, then the good row again and again with one cell replaced by a bad value."""
    return [headers, *([*good[:column], value, *good[column + 1:]]
                       for column in range(len(headers)) for value in BAD_CELLS)]


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 120
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def excel_uploads(headers, good_row, *, limit: int, tmp_path) -> list[tuple[str, object]]:
    """(what it is, file) for an import that reads workbooks with these column headers; good_row is
    a row it would accept."""
    good = workbook_bytes([headers])
    files = [
        ("empty file", SimpleUploadedFile("roster.xlsx", b"")),
        ("ELF binary named .xlsx", SimpleUploadedFile("roster.xlsx", ELF)),
        ("PNG image named .xlsx", SimpleUploadedFile("roster.xlsx", PNG)),
        ("zip that is not a workbook", SimpleUploadedFile("roster.xlsx", _zip({"readme.txt": b"hello"}))),
        ("truncated workbook", SimpleUploadedFile("roster.xlsx", good[: len(good) // 2])),
        ("workbook with broken XML", SimpleUploadedFile("roster.xlsx", _broken_xml(headers))),
        ("GBK CSV named .xlsx", SimpleUploadedFile("roster.xlsx", ",".join(headers).encode("gbk")
                                                   + "\n张三,420303199001011234".encode("gbk"))),
        ("old .xls workbook", SimpleUploadedFile("roster.xls", OLE2)),
        ("old .xls renamed .xlsx", SimpleUploadedFile("roster.xlsx", OLE2)),
        ("headers only", SimpleUploadedFile("roster.xlsx", good)),
        ("no header row", SimpleUploadedFile("roster.xlsx", workbook_bytes([[None], [None, "x"]]))),
        ("rows of bad values", SimpleUploadedFile("roster.xlsx", workbook_bytes(bad_rows(headers, good_row)))),
        ("a good row and a formula", SimpleUploadedFile("roster.xlsx", workbook_bytes(
            [headers, good_row, ["=1+1"] * len(headers)]))),
        ("file name with markup", SimpleUploadedFile(f"{SCRIPT}.xlsx", workbook_bytes([headers, good_row]))),
        ("oversized file", sparse_file(tmp_path / "big.xlsx", limit + 1, head=b"PK\x03\x04")),
        *((what, SimpleUploadedFile("roster.xlsx", data)) for what, data in upload_bombs(headers)),
    ]
    return files


def attachment_uploads(*, limit: int, tmp_path) -> list[tuple[str, object]]:
    return [
        ("executable named .pdf", SimpleUploadedFile("plan.pdf", EXE)),
        ("ELF binary named .pdf", SimpleUploadedFile("plan.pdf", ELF)),
        ("0-byte file", SimpleUploadedFile("plan.pdf", b"")),
        ("HTML named .png", SimpleUploadedFile("photo.png", SCRIPT.encode())),
        ("file name with markup", SimpleUploadedFile(f"{IMG}.pdf", b"%PDF-1.4 x")),
        ("file name of 300 characters", SimpleUploadedFile("名" * 296 + ".pdf", b"%PDF-1.4 x")),
        ("file name climbing directories", SimpleUploadedFile("../../../../etc/passwd.pdf", b"%PDF-1.4 x")),
        ("file over 10 MB", sparse_file(tmp_path / "big.pdf", limit + 1, head=b"%PDF-1.4\n")),
    ]


def sparse_file(path, size: int, *, head: bytes):
    """A file of `size` bytes that starts with `head`: sparse on disk, opened for reading."""
    with open(path, "wb") as out:
        out.write(head)
        out.truncate(size)
    return open(path, "rb")  # noqa: SIM115 - the test client reads and the test closes it


def multipart_with_bad_bytes(fields: list[str], boundary: str = "BadInputBoundary") -> bytes:
    """A multipart body whose every field holds bytes that are not UTF-8 (a lone surrogate encoded
    as CESU, an overlong NUL, a stray continuation byte)."""
    bad = b"\xed\xa0\x80\xc0\x80\x80\xff"
    parts = [b"--" + boundary.encode() + b"\r\nContent-Disposition: form-data; name=\"" + name.encode()
             + b"\"\r\n\r\n" + bad + b"\r\n" for name in fields or ["x"]]
    return b"".join(parts) + b"--" + boundary.encode() + b"--\r\n"
