"""A liaison's import never tells whether (or where) a person is registered elsewhere: such a row becomes a
transfer request the training officer decides, and the response reads the same whatever the reason."""

import pytest
from django.urls import reverse

from zhangwan.registry.models import Employment, TransferRequest, Worker
from zhangwan.registry.tests.factories import WorkerFactory
from zhangwan.registry.tests.xlsx import roster_rows, workbook_file

URL = reverse("registry:roster_import")


@pytest.fixture
def client_liaison(client, liaison):
    client.force_login(liaison)
    return client


def import_page(client, rows) -> str:
    response = client.post(URL, {"file": workbook_file(rows)}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def import_messages(client, rows) -> list[str]:
    response = client.post(URL, {"file": workbook_file(rows)}, follow=True)
    return [str(message) for message in response.context["messages"]]


def test_a_row_of_another_organization_becomes_a_transfer_request_that_names_nothing(
        client_liaison, liaison, organization, other_organization):
    theirs = WorkerFactory(employer=other_organization, name="外厂登记名")
    rows = roster_rows(2)
    rows[1][1] = theirs.id_number
    page = import_page(client_liaison, rows)
    assert other_organization.name not in page and "外厂登记名" not in page and theirs.mobile not in page
    assert "第 3 行：这些人员无法通过本文件添加" in page
    theirs.refresh_from_db()
    assert theirs.employer == other_organization and theirs.name == "外厂登记名"  # nothing taken over
    assert Worker.objects.filter(name="工人0", employer=organization).exists()  # the other row is imported
    request = TransferRequest.objects.get()
    assert (request.worker, request.from_organization, request.to_organization, request.requested_by,
            request.status) == (theirs, other_organization, organization, liaison, "pending")


def test_the_response_reads_the_same_for_another_roster_and_for_no_roster(client_liaison, other_organization):
    """What the liaison sees depends on the row number only: not on whether, or where, the person is on a roster."""
    elsewhere = WorkerFactory(employer=other_organization)
    nowhere = WorkerFactory(employer=None)
    seen = []
    for start, worker in ((0, elsewhere), (10, nowhere)):
        rows = roster_rows(2, start=start)
        rows[1][1] = worker.id_number
        seen.append(import_messages(client_liaison, rows))
    assert seen[0] == seen[1] and len(seen[0]) == 2
    assert TransferRequest.objects.count() == 2


def test_importing_the_file_again_makes_no_second_request(client_liaison, other_organization):
    theirs = WorkerFactory(employer=other_organization)
    rows = roster_rows(1)
    rows[0][1] = theirs.id_number
    import_page(client_liaison, rows)
    import_page(client_liaison, rows)
    assert TransferRequest.objects.count() == 1


def _request(liaison, organization, other_organization):
    theirs = WorkerFactory(employer=other_organization)
    Employment.objects.create(worker=theirs, organization=other_organization, started_on="2020-01-01")
    return TransferRequest.objects.create(worker=theirs, from_organization=other_organization,
                                          to_organization=organization, requested_by=liaison)


def test_the_training_officer_approves_a_transfer_and_the_employment_moves(client, role_users, liaison,
                                                                          organization, other_organization):
    transfer = _request(liaison, organization, other_organization)
    client.force_login(role_users["training_officer"])
    changelist = reverse("admin:registry_transferrequest_changelist")
    assert transfer.worker.name in client.get(changelist + "?status__exact=pending").content.decode()
    client.post(changelist, {"action": "approve", "_selected_action": [transfer.pk]})
    transfer.refresh_from_db()
    worker = transfer.worker
    worker.refresh_from_db()
    assert transfer.status == "approved" and transfer.decided_by == role_users["training_officer"]
    assert worker.employer == organization
    assert [(e.organization, e.ended_on is None) for e in worker.employments.order_by("started_on")] == [
        (other_organization, False), (organization, True)]
    assert transfer.history.count() == 2 and worker.history.first().history_user == role_users["training_officer"]


def test_a_refused_transfer_leaves_the_worker_where_they_are(client, role_users, liaison, organization,
                                                            other_organization):
    transfer = _request(liaison, organization, other_organization)
    client.force_login(role_users["training_officer"])
    client.post(reverse("admin:registry_transferrequest_changelist"),
                {"action": "refuse", "_selected_action": [transfer.pk]})
    transfer.refresh_from_db()
    transfer.worker.refresh_from_db()
    assert transfer.status == "refused" and transfer.worker.employer == other_organization


def test_the_auditor_cannot_decide(client, role_users, liaison, organization, other_organization):
    transfer = _request(liaison, organization, other_organization)
    client.force_login(role_users["auditor"])
    client.post(reverse("admin:registry_transferrequest_changelist"),
                {"action": "approve", "_selected_action": [transfer.pk]})
    transfer.refresh_from_db()
    assert transfer.status == "pending"
