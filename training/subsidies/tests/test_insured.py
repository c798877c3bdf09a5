"""The social-insurance office's list of insured periods, imported from Excel: all or nothing,
headers in either language, the listed workers' periods replaced, with history."""

import datetime

from django.urls import reverse

from zhangwan.registry.tests.factories import WorkerFactory
from zhangwan.registry.tests.xlsx import workbook_file

from ..models import InsuredPeriod

D = datetime.date
EN = ["Identity number", "Insured from", "Insured to"]
ZH = ["身份证号", "参保起始日", "参保截止日"]


def test_the_office_list_gives_the_workers_it_names_exactly_its_periods(client, role_users):
    first, second, untouched = WorkerFactory(), WorkerFactory(), WorkerFactory()
    InsuredPeriod.objects.create(worker=first, start=D(2001, 1, 1))
    InsuredPeriod.objects.create(worker=untouched, start=D(2002, 1, 1))
    client.force_login(role_users["training_officer"])
    upload = workbook_file([[first.id_number, "2010-01-01", "2015-05-31"], [first.id_number, "2020-03-01", None],
                            [second.id_number, D(2018, 7, 1), None]], headers=ZH)
    assert client.post(reverse("subsidies:insured_import"), {"file": upload}).status_code == 302
    assert sorted(InsuredPeriod.objects.values_list("worker_id", "start", "end")) == sorted([
        (first.pk, D(2010, 1, 1), D(2015, 5, 31)), (first.pk, D(2020, 3, 1), None), (second.pk, D(2018, 7, 1), None),
        (untouched.pk, D(2002, 1, 1), None)])
    history = InsuredPeriod.history.filter(worker_id=first.pk)
    assert sorted(history.values_list("history_type", flat=True)) == ["+", "+", "+", "-"]
    assert {h.history_user for h in history if h.history_type != "+" or h.start.year > 2001} == {
        role_users["training_officer"]}


def test_a_list_with_a_problem_imports_nothing_and_names_each_problem(client, role_users):
    worker = WorkerFactory()
    client.force_login(role_users["training_officer"])
    upload = workbook_file([[worker.id_number, "2010-01-01", "2009-05-31"],
                            [worker.id_number, "2012-01-01", None], [worker.id_number, "2013-01-01", "2014-01-01"],
                            ["11010519491231002X", "2012-01-01", None]], headers=EN)
    page = client.post(reverse("subsidies:insured_import"), {"file": upload}).content.decode()
    assert not InsuredPeriod.objects.exists()
    assert "截止日早于起始日" in page and "重叠" in page and "没有登记该身份证号的职工" in page
