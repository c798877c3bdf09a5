"""The reader every import goes through: header matching in both languages, row errors, all or nothing."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext_noop

from zhangwan import excel_in
from zhangwan.excel_in import Column
from zhangwan.registry.tests.xlsx import workbook_file


def columns():
    return [
        Column("name", gettext_noop("Name"), excel_in.text(required=True), required=True),
        Column("year", gettext_noop("In the trade since (year)"), excel_in.integer(min_value=1950, max_value=2100)),
        Column("score", gettext_noop("Theory"), excel_in.decimal(min_value=0, max_value=100, message="0 to 100")),
        Column("since", gettext_noop("Employed since"), excel_in.date()),
        Column("leader", gettext_noop("Team leader"), excel_in.yes_no(empty=False)),
        Column("level", gettext_noop("Level"), excel_in.choice({"high": 1, "low": 2}, message="high or low")),
    ]


HEADERS_ZH = ["姓名", "从事该工种起始年份", "理论", "入职日期", "班组长", "等级"]
HEADERS_EN = ["Name", "In the trade since (year)", "Theory", "Employed since", "Team leader", "Level"]
GOOD = ["张三", 2012, "80.5", datetime.datetime(2016, 7, 1), "是", "High"]


def workbook(headers=None, *rows):
    return workbook_file(list(rows), headers=headers)


def read(upload, language="zh-hans", **options):
    with translation.override(language):
        return excel_in.read_table(upload, columns(), max_bytes=1024 * 1024, **options).result()


def problems(errors):
    return [(e.row, e.column) for e in errors]


def test_it_hands_back_clean_rows():
    rows, errors = read(workbook(HEADERS_ZH, GOOD))
    assert errors == []
    assert rows == [{"row": 2, "name": "张三", "year": 2012, "score": Decimal("80.5"),
                     "since": datetime.date(2016, 7, 1), "leader": True, "level": 1}]


def test_english_headers_are_read_on_a_chinese_page():
    rows, errors = read(workbook(HEADERS_EN, GOOD), language="zh-hans")
    assert errors == [] and rows[0]["name"] == "张三"


def test_chinese_headers_are_read_on_an_english_page():
    rows, errors = read(workbook(HEADERS_ZH, GOOD), language="en")
    assert errors == [] and rows[0]["level"] == 1


def test_a_missing_required_column_is_named_in_the_users_language():
    assert problems(read(workbook(HEADERS_ZH[1:], GOOD[1:]), language="en")[1]) == [(1, "Name")]
    assert problems(read(workbook(HEADERS_EN[1:], GOOD[1:]), language="zh-hans")[1]) == [(1, "姓名")]


def test_an_unknown_or_repeated_header_is_refused_when_the_import_says_so():
    assert read(workbook([*HEADERS_ZH, "工资"], [*GOOD, 5000]))[1] == []
    assert problems(read(workbook([*HEADERS_ZH, "工资"], [*GOOD, 5000]), other_columns=False)[1]) == [(1, "工资")]
    assert problems(read(workbook([*HEADERS_ZH, "Name"], [*GOOD, "李四"]))[1]) == [(1, "Name")]


def test_a_wrong_header_can_be_one_message():
    assert [(e.row, e.message) for e in read(workbook(["?"], ["x"]), wrong_header="Use the template.")[1]] == \
        [(1, "Use the template.")]


def test_a_bad_yes_no_word_names_the_row_and_the_column():
    rows, errors = read(workbook(HEADERS_ZH, GOOD, [*GOOD[:4], "maybe", "low"]), language="en")
    assert rows == [] and [(e.row, e.column, e.message) for e in errors] == \
        [(3, "Team leader", "Write 是 (yes) or 否 (no).")]


@pytest.mark.parametrize("word, value", [("否", False), ("No", False), ("y", True), ("YES", True), ("", False)])
def test_yes_and_no_in_either_language(word, value):
    assert read(workbook(HEADERS_ZH, [*GOOD[:4], word, "low"]))[0][0]["leader"] is value


def test_a_bad_date_is_an_error_and_nothing_is_handed_back():
    rows, errors = read(workbook(HEADERS_ZH, GOOD, [*GOOD[:3], "2016-13-01", "否", "low"]))
    assert rows == [] and problems(errors) == [(3, "入职日期")]


def test_every_problem_of_a_row_is_reported_unless_the_first_is_enough():
    bad = ["", "x", "101", "yesterday", "maybe", "middle"]
    assert problems(read(workbook(HEADERS_EN, bad), language="en")[1]) == \
        [(2, "Name"), (2, "In the trade since (year)"), (2, "Theory"), (2, "Employed since"), (2, "Team leader"),
         (2, "Level")]
    assert problems(read(workbook(HEADERS_EN, bad), language="en", first_problem_only=True)[1]) == [(2, "Name")]


def test_empty_rows_are_skipped_and_rows_keep_their_excel_numbers():
    rows, errors = read(workbook(HEADERS_ZH, GOOD, [None] * 6, ["", " ", None], [*GOOD[:5], "low"]))
    assert errors == [] and [row["row"] for row in rows] == [2, 5]


def test_headers_without_rows_are_refused_unless_allowed():
    assert problems(read(workbook(HEADERS_ZH, [None] * 6))[1]) == [(2, "")]
    assert read(workbook(HEADERS_ZH), rows_required=False) == ([], [])


def test_an_empty_workbook_is_refused():
    assert problems(read(workbook())[1]) == [(1, "")]


def test_a_unique_column_names_the_first_row():
    unique = [Column("name", gettext_noop("Name"), required=True, unique=True)]
    with translation.override("en"):
        rows, errors = excel_in.read_table(workbook(["Name"], ["a"], ["b"], ["a"]), unique, max_bytes=10**6).result()
    assert rows == [] and [(e.row, e.message) for e in errors] == [(4, "The same number is already on row 2.")]


def test_too_many_rows_are_refused_before_any_is_parsed(monkeypatch):
    monkeypatch.setattr(excel_in, "MAX_IMPORT_ROWS", 2)
    rows, errors = read(workbook(HEADERS_ZH, GOOD, GOOD, GOOD), language="en")
    assert rows == [] and [(e.row, e.message) for e in errors] == \
        [(0, "A file may hold at most 2 rows; split it into several files.")]
    assert read(workbook(HEADERS_ZH, GOOD, GOOD))[1] == []


def test_a_file_over_the_size_limit_is_refused():
    with translation.override("en"):
        _rows, errors = excel_in.read_table(workbook(HEADERS_ZH, GOOD), columns(), max_bytes=100).result()
    assert problems(errors) == [(0, "")] and "limit" in errors[0].message


def test_problems_found_after_parsing_are_reported_like_the_parsers():
    with translation.override("en"):
        table = excel_in.read_table(workbook(HEADERS_ZH, GOOD, GOOD), columns(), max_bytes=10**6)
        table.refuse(3, "level", "Not this level.")
    assert table.result() == ([], [excel_in.RowError(3, "Level", "Not this level.")])
