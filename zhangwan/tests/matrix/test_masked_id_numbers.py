"""A masked identity number (420303********1234) hides exactly the eight birth-date digits, so a role
that may not see the whole number must never find the birth date beside it, nor confirm a guess of
the hidden digits by searching.

Every page of the URL matrix, its Excel export (?format=xlsx), every admin page and the annual report
are opened by every role without `registry.view_full_id_number`; wherever a worker's masked number
appears, neither the whole number nor the birth date (in any spelling, or as a date cell) may.
"""

import datetime
import io
import re
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from zhangwan.accounts.roles import Role
from zhangwan.excel import XLSX_CONTENT_TYPE
from zhangwan.registry.models import Worker
from zhangwan.registry.tests.factories import WorkerFactory
from zhangwan.registry.validators import id_number_check_char
from zhangwan.tests.matrix.test_url_matrix import ADMIN_PAGES, EXPECTED, admin_expected

pytestmark = pytest.mark.template_contexts  # reads response.context (conftest.py: untraced_templates)

FULL_ID = "registry.view_full_id_number"
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def known_number(born: datetime.date, sequence: int = 28) -> str:
    """An identity number born that day; born 1985-03-07 (the searches' worker) it ends in X, which no factory
    name or mobile number holds, so a search by its last characters finds that worker alone."""
    first17 = f"420303{born:%Y%m%d}{sequence:03d}"
    return first17 + id_number_check_char(first17)


def birth_date_spellings(born: datetime.date) -> re.Pattern:
    """The date with its year in every spelling a page or sheet might use, and the month and day alone
    where no other year stands before them (2026-05-17 is another date, not the birthday)."""
    y, m, d = born.year, born.month, born.day
    month = MONTHS[m - 1]
    with_year = [f"{y}-{m:02d}-{d:02d}", f"{y}/{m:02d}/{d:02d}", f"{y}/{m}/{d}", f"{y}.{m:02d}.{d:02d}",
                 f"{y}{m:02d}{d:02d}", f"{y}年{m}月{d}日", f"{y}年{m:02d}月{d:02d}日", f"{month} {d}, {y}",
                 f"{month[:3]}. {d}, {y}", f"{month[:3]} {d}, {y}", f"{d} {month} {y}"]
    alone = [rf"(?<![\d\-/.年]){m:02d}-{d:02d}(?!\d)", rf"(?<![\d\-/.年]){m}-{d}(?![\d\-])",
             rf"(?<![\d\-/.年]){m:02d}/{d:02d}(?!\d)", rf"(?<![\d年]){m}月{d}日", rf"(?<![\d年]){m:02d}月{d:02d}日"]
    return re.compile("|".join([*map(re.escape, with_year), *alone]))


def contents(response) -> tuple[str, set]:
    """The text of a page or workbook, and the dates of a workbook's date cells."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"] == XLSX_CONTENT_TYPE:
        try:
            return workbook_contents(io.BytesIO(body))
        except zipfile.BadZipFile:  # the URL matrix's stand-in annual report; the real one is read below
            return "", set()
    if response["Content-Type"].startswith(("text/", "application/json")):
        return body.decode(), set()
    return "", set()


def workbook_contents(file) -> tuple[str, set]:
    book = load_workbook(file, read_only=True)
    texts, dates = [], set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, datetime.datetime):
                    dates.add(value.date())
                elif isinstance(value, datetime.date):
                    dates.add(value)
                elif value is not None:
                    texts.append(str(value))
    return "\n".join(texts), dates


def rebuildable(text: str, dates: set, workers) -> list[str]:
    """Each worker whose masked number is in the text beside their whole number or birth date."""
    found = []
    for worker in workers:
        if worker.masked_id_number not in text:
            continue
        if worker.id_number in text:
            found.append(f"{worker.masked_id_number}: the whole number")
        match = birth_date_spellings(worker.birth_date).search(text)
        if match:
            found.append(f"{worker.masked_id_number}: birth date as {match.group(0)!r}")
        if worker.birth_date in dates:
            found.append(f"{worker.masked_id_number}: birth date in a date cell")
    return found


def pages_for(role: str, objects) -> list[str]:
    urls = []
    for entry, (build, expected) in sorted(EXPECTED.items()):
        if expected[role] == 200:
            urls.append(reverse(entry.split("#")[0], kwargs=build(objects) if build else None))
    return urls


def admin_pages_for(role: str, objects) -> list[str]:
    from django.apps import apps

    urls = []
    for model, action in ADMIN_PAGES:
        if admin_expected(model, action)[role] != 200:
            continue
        Model = apps.get_model(*model.split("_", 1))
        instance = objects["own_worker"] if Model is Worker else Model.objects.order_by("pk").first()
        args = [instance.pk] if action in ("change", "history", "delete") else []
        if action == "simple_history":
            instance.save()  # rows seeded by a migration have no history record yet
            args = [instance.pk, instance.history.order_by("pk").first().pk]
        urls.append(reverse(f"admin:{model}_{action}", args=args))
    return urls


@pytest.fixture
def known_workers(organization, objects):
    """Workers with known numbers on the liaison's roster, besides the URL matrix's own."""
    return [WorkerFactory(employer=organization, name=f"已知{n}", id_number=known_number(born))
            for n, born in enumerate([datetime.date(1985, 3, 7), datetime.date(1979, 11, 23)])]


MASKED_ROLES = [r.value for r in Role if r.value not in ("training_officer", "certification_officer",
                                                         "finance_officer", "auditor")]


# Judges mark bibs and reviewers read anonymised nominations: they see no identity numbers at all.
BLIND = {"judge", "reviewer"}


def test_the_roles_that_see_numbers_masked_are_those_without_the_permission(role_users):
    assert sorted(MASKED_ROLES) == sorted(r for r, user in role_users.items() if not user.has_perm(FULL_ID))


@pytest.mark.parametrize("role", MASKED_ROLES)
def test_no_page_export_or_admin_page_lets_a_masked_number_be_rebuilt(client, role_users, objects,
                                                                     known_workers, role):
    client.force_login(role_users[role])
    workers = list(Worker.objects.all())
    seen, found = 0, []
    urls = pages_for(role, objects) + admin_pages_for(role, objects)
    while urls:
        url = urls.pop()
        response = client.get(url)
        if response.status_code != 200:
            continue
        text, dates = contents(response)
        if "format=xlsx" in text and "?" not in url:  # the page's own Excel export
            urls.append(f"{url}?format=xlsx")
        seen += any(w.masked_id_number in text for w in workers)
        found += [f"{url}: {problem}" for problem in rebuildable(text, dates, workers)]
    if role not in BLIND:
        assert seen >= 3, "the walk must reach pages that show masked numbers"
    assert not found, "\n".join(found)


def test_the_annual_report_lets_no_masked_number_be_rebuilt(tmp_path, objects, known_workers):
    from zhangwan.reports import workbook

    path = tmp_path / "report.xlsx"
    workbook.build(path, objects["class"].starts_on.year)
    text, dates = workbook_contents(path)
    workers = list(Worker.objects.all())
    assert any(w.masked_id_number in text for w in workers)
    found = rebuildable(text, dates, workers)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("role", ["worker", "liaison", "competitions_officer", "masters_officer"])
def test_pages_show_the_birth_year_to_roles_without_the_permission(client, role_users, role):
    worker = role_users["worker"].worker
    client.force_login(role_users[role])
    url = reverse("accounts:profile") if role == "worker" else reverse("registry:worker_detail", args=[worker.pk])
    page = client.get(url).content.decode()
    assert worker.masked_id_number in page and str(worker.birth_date.year) in page
    assert worker.birth_date.strftime("%Y-%m-%d") not in page


@pytest.mark.parametrize("role", ["training_officer", "certification_officer", "finance_officer", "auditor"])
def test_roles_with_the_permission_still_see_the_whole_number_and_birth_date(client, role_users, role):
    worker = role_users["worker"].worker
    client.force_login(role_users[role])
    page = client.get(reverse("registry:worker_detail", args=[worker.pk])).content.decode()
    assert worker.id_number in page and worker.birth_date.strftime("%Y-%m-%d") in page
    export = client.get(reverse("registry:roster_export"))
    _text, dates = workbook_contents(io.BytesIO(export.content))
    assert worker.birth_date in dates


# Search: a longer ending than the mask shows would confirm guessed birth-date digits --------------

def admin_result_count(client, term):
    response = client.get(reverse("admin:registry_worker_changelist"), {"q": term})
    assert response.status_code == 200
    return response.context["cl"].result_count


@pytest.mark.parametrize("role", ["competitions_officer", "masters_officer"])
def test_the_admin_search_confirms_no_hidden_digits_without_the_permission(client, role_users, role):
    worker = WorkerFactory(id_number=known_number(datetime.date(1985, 3, 7)))
    client.force_login(role_users[role])
    for term in [worker.id_number, worker.id_number[-8:], worker.id_number[-6:], worker.id_number[-5:],
                 worker.id_number[6:]]:
        assert admin_result_count(client, term) == 0, term
    assert admin_result_count(client, worker.id_number[-4:]) >= 1  # shown by the mask anyway
    assert admin_result_count(client, worker.name) == 1


@pytest.mark.parametrize("role", ["training_officer", "certification_officer", "finance_officer", "auditor"])
def test_the_admin_search_finds_a_whole_number_with_the_permission(client, role_users, role):
    worker = WorkerFactory(id_number=known_number(datetime.date(1985, 3, 7)))
    client.force_login(role_users[role])
    assert admin_result_count(client, worker.id_number) == 1
    assert admin_result_count(client, worker.id_number[-6:]) == 1


@pytest.mark.parametrize("role", ["competitions_officer", "masters_officer"])
def test_the_admin_list_cannot_be_sorted_by_the_hidden_digits(client, role_users, role):
    for born in (datetime.date(1990, 12, 1), datetime.date(1990, 1, 2), datetime.date(1990, 6, 3)):
        WorkerFactory(id_number=known_number(born), name=f"排序{born:%m}")
    client.force_login(role_users[role])
    url = reverse("admin:registry_worker_changelist")
    columns = client.get(url).context["cl"].list_display
    hiding = [str(columns.index(c)) for c in ("shown_id_number", "birth_date", "birth_year") if c in columns]
    assert len(hiding) == 2
    for order in [*hiding, *(f"-{i}" for i in hiding)]:  # the identity-number and birth columns, up and down
        months = [w.name[-2:] for w in client.get(url, {"q": "排序", "o": order}).context["cl"].result_list]
        assert sorted(months) != months != sorted(months, reverse=True), order


def roster_names(client, term):
    response = client.get(reverse("registry:roster"), {"q": term})
    assert response.status_code == 200
    return [w.name for w in response.context["page"]]


@pytest.mark.parametrize("role", ["liaison", "competitions_officer", "masters_officer"])
def test_the_roster_search_confirms_no_hidden_digits_without_the_permission(client, role_users, organization,
                                                                            role):
    worker = WorkerFactory(employer=organization, name="王焊工", id_number=known_number(datetime.date(1985, 3, 7)))
    client.force_login(role_users[role])
    for term in [worker.id_number, worker.id_number[-8:], worker.id_number[-6:], worker.id_number[-5:]]:
        assert roster_names(client, term) == [], term
    assert roster_names(client, worker.id_number[-4:]) == ["王焊工"]


def test_the_roster_search_finds_a_whole_number_with_the_permission(client, role_users, organization):
    worker = WorkerFactory(employer=organization, name="王焊工", id_number=known_number(datetime.date(1985, 3, 7)))
    client.force_login(role_users["training_officer"])
    assert roster_names(client, worker.id_number) == ["王焊工"]
    assert roster_names(client, worker.id_number[-6:]) == ["王焊工"]


def claim_count(client, url_name, term):
    response = client.get(reverse(url_name), {"q": term})
    assert response.status_code == 200
    return len(response.context["page"].object_list)


def test_the_liaisons_claims_search_confirms_no_hidden_digits(client, role_users, organization, objects):
    from training.subsidies.tests.factories import claim

    worker = WorkerFactory(employer=organization, id_number=known_number(datetime.date(1985, 3, 7)))
    claim(policy=objects["policy"], worker=worker)
    client.force_login(role_users["liaison"])
    for term in [worker.id_number, worker.id_number[-8:], worker.id_number[-5:]]:
        assert claim_count(client, "subsidies:organization", term) == 0, term
    assert claim_count(client, "subsidies:organization", worker.id_number[-4:]) == 1


def test_the_claims_search_finds_a_whole_number_with_the_permission(client, role_users, objects):
    from training.subsidies.tests.factories import claim

    worker = WorkerFactory(id_number=known_number(datetime.date(1985, 3, 7)))
    claim(policy=objects["policy"], worker=worker)
    client.force_login(role_users["training_officer"])
    assert claim_count(client, "subsidies:claim_list", worker.id_number) == 1
    assert claim_count(client, "subsidies:claim_list", worker.id_number[-8:]) == 1
