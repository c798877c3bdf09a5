"""The 2022 report made from load_demo's data gives back the seed report's figures."""

import io

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import translation

from .. import figures, workbook

# The 2022 report (shared/seed): the figure, and how the report words it.
SEED = {
    "trainees": (29_000, 30_000),  # "nearly 30,000"
    "bases": (4, 4),
    "classes": (15, 15),
    "skill_subsidies": (14_500_000, 15_500_000),  # "more than 14.5 million yuan"
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


@pytest.mark.long  # loads the whole demo
@pytest.mark.django_db
def test_the_2022_report_gives_back_the_seed_figures(tmp_path):
    call_command("load_demo", "--force", stdout=io.StringIO())  # tests run with DEBUG off
    path = tmp_path / "2022.xlsx"
    with translation.override("en"):
        workbook.build(path, 2022)
        expected = {str(figure.label): figure for figure in figures.headline(2022)}
    summary = {row[0]: row[1] for row in openpyxl.load_workbook(path).worksheets[0].iter_rows(min_row=2,
                                                                                             values_only=True)}
    assert summary.keys() == expected.keys()
    for label, figure in expected.items():
        assert summary[label] == figure.value, figure.key
        if figure.key in SEED:
            low, high = SEED[figure.key]
            assert low <= figure.value <= high, (figure.key, figure.value)
