"""The 2022 report made from load_demo's data gives back the seed report's figures: in the workbook's
summary and in the sentences of the written summary. The demo is loaded once for the module (it takes a
minute and more) inside a transaction rolled back at the end; each test runs in a savepoint within it."""

import io
import re

import docx
import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import translation

from .. import document, figures, workbook, written

# Both tests on one xdist worker, so the demo is loaded once for the run (make test: --dist loadgroup).
pytestmark = [pytest.mark.long, pytest.mark.django_db, pytest.mark.xdist_group("demo-2022")]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with transaction.atomic():
            call_command("load_demo", "--force", stdout=io.StringIO())  # tests run with DEBUG off
            # The demo's foreign keys checked once, here: else each test's end (Django's TestCase checks
            # the deferred constraints before rolling its savepoint back) checks every row of the demo again.
            connection.check_constraints()
            yield
            transaction.set_rollback(True)
        # The rolled-back demo leaves about a million dead rows in this worker's database, and autovacuum
        # may be off (it is on the machine the suite runs on): every later query of the worker's tests on
        # claims, enrollments or workers then reads through them (24 ms instead of 1 for one list's count).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM FULL")

# The 2022 report (shared/seed): the figure, and how the report words it.
SEED = {
    "trainees": (29_000, 30_000),  # "nearly 30,000"
    "bases": (4, 4),
    "classes": (15, 15),
    "skill_subsidies": (14_921_500, 14_922_499),  # "more than 14.5 million yuan", said as 1492.2万元 (issue 23)
    "living_subsidies": (3_500_000, 4_000_000),  # "nearly 4 million yuan"
    "competitions": (20, 20),  # "nearly 20"
    "leading": (6, 6),
    "participants": (350, 350),
    "external": (77, 77),
    "winners": (86, 86),
    "projects": (20, 20),
    "masters": (30, 30),
    "policies": (10, 10),
    "talks": (41, 60),  # "more than 40"
    "attendees": (10_000, 11_000),  # "reached 10,000"
}


def test_the_2022_report_gives_back_the_seed_figures(demo, tmp_path):
    path = tmp_path / "2022.xlsx"
    with translation.override("en"):
        workbook.summary_only(path, 2022)  # the detail sheets: test_report.py (their figures are these)
        expected = {str(figure.label): figure for figure in figures.headline(2022)}
    summary = {row[0]: row[1] for row in openpyxl.load_workbook(path).worksheets[0].iter_rows(min_row=3,
                                                                                             values_only=True)}
    assert summary.keys() == expected.keys()
    for label, figure in expected.items():
        assert summary[label] == figure.value, figure.key
        if figure.key in SEED:
            low, high = SEED[figure.key]
            assert low <= figure.value <= high, (figure.key, figure.value)


# The seed's figures as the written summary must say them (Chinese), each found in the draft's sentences.
SEED_WORDS = {
    "trainees": ("29,752人", "近3万人"),
    "bases": ("培训基地4个",),
    "classes": ("培训班15期",),
    "skill_subsidies": ("发放技能提升培训补贴1492.2万元",),
    "living_subsidies": ("393.5万元",),
    "competitions": ("各类竞赛20场",),
    "leading": ("6场引领性技能竞赛",),
    "participants": ("参赛职工350人",),
    "external": ("77人",),
    "winners": ("86人",),
    "projects": ("项目20个",),
    "masters": ("30名",),
    "policies": ("10项",),
    "talks": ("42场",),
    "attendees": ("10,655人次",),
}


def _text(path) -> tuple[str, list]:
    draft = docx.Document(str(path))
    return "\n".join(p.text for p in draft.paragraphs), draft.tables


def test_the_2022_written_summary_says_the_seed_figures_in_its_sentences(demo, tmp_path):
    path = tmp_path / "2022.docx"
    with translation.override("zh-hans"):
        document.build(path, 2022, made_by="王芳")
    text, tables = _text(path)
    assert text.startswith("张湾区总工会 2022 年技能人才工作总结（初稿）")
    for key, words in SEED_WORDS.items():
        assert any(word in text for word in words), (key, words, text)
    # Skill subsidies: the demo pays ¥14,922,000 on any database (the claims refused and reversed are chosen by
    # identity number, not by database id), which the sentence says in 万元 to one place, as the seed does.
    with translation.override("zh-hans"):
        assert written.yuan(figures.subsidies_paid(2022)["skill"]) == "1492.2万元"
    assert re.search(r"较上年(增长|下降) \d+\.\d%", text)  # the change on the year before
    for heading in ("一、", "二、", "三、", "四、"):
        assert f"\n{heading}" in text
    leading = figures.leading_competitions(2022)
    nested = str.maketrans("“”", "‘’")  # a name's own quotation marks nest as ‘’ inside the sentence's “”
    assert len(leading) == 6 and all(f"“{row['name'].translate(nested)}”" in text for row in leading), text
    with translation.override("zh-hans"):
        assert all(trade in text for trade in figures.trades_taught(2022)[:3])  # the trades taught, by name
    assert [row.cells[1].text for row in tables[0].rows][:2] == ["2022", "29,752"]  # the headline table

    english = tmp_path / "2022-en.docx"
    with translation.override("en"):
        document.build(english, 2022)
    text, _tables = _text(english)
    assert "14.92 million yuan" in text and "10,655 attendances" in text and "20 competitions" in text
    assert "较上年" not in text and "。" not in text  # no Chinese sentence left untranslated
