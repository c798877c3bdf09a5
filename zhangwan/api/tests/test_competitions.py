"""Competitions, certificates and subsidies through the API: entries through the entry service, published
results only, the organization's certificates, verification as the public page, claims masked."""

import datetime
from decimal import Decimal

import pytest

from certification.models import Certificate
from competitions.models import Competition, Entry, Result
from competitions.tests.factories import event, welder
from training.subsidies.tests.factories import approved_batch, claim, policy
from zhangwan.api.models import Scope
from zhangwan.registry.tests.factories import WorkerFactory, trade

pytestmark = pytest.mark.django_db


def test_it_enters_a_worker_through_the_entry_service(api, organization, liaison):
    ev = event()
    worker = welder(organization)
    response = api.post(f"/api/v1/events/{ev.pk}/enter/", {"worker": worker.pk})
    assert response.status_code == 201, response.content
    entry = Entry.objects.get()
    assert (entry.worker, entry.organization, entry.bib, entry.created_by) == (worker, organization, 1, liaison)
    again = api.post(f"/api/v1/events/{ev.pk}/enter/", {"worker": worker.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert again.json() == {"code": "refused", "message": "Someone in this entry is already entered for this event."}
    assert [e["id"] for e in api.get("/api/v1/entries/").json()["results"]] == [entry.pk]
    assert api.post(f"/api/v1/entries/{entry.pk}/withdraw/").json()["status"] == "withdrawn"


def test_it_enters_a_team(api, organization):
    ev = event(team=True, max_team_size=3)
    members = [welder(organization) for _ in range(2)]
    response = api.post(f"/api/v1/events/{ev.pk}/enter/", {"team_name": "总装一队", "members": [m.pk for m in members]})
    assert response.status_code == 201 and sorted(response.json()["members"]) == sorted(m.pk for m in members)


def test_another_organizations_worker_or_entry_is_not_found(api, other_organization, make_api):
    ev = event()
    theirs = welder(other_organization)
    assert api.post(f"/api/v1/events/{ev.pk}/enter/", {"worker": theirs.pk}).status_code == 404
    _t, district = make_api("competitions_officer")
    entry = district.post(f"/api/v1/events/{ev.pk}/enter/", {"worker": theirs.pk}).json()
    assert Entry.objects.get().organization == other_organization
    assert api.post(f"/api/v1/entries/{entry['id']}/withdraw/").status_code == 404


def test_only_published_results_of_the_organization_are_read(api, organization, other_organization):
    ev = event()
    ours = Entry.objects.create(event=ev, worker=welder(organization), organization=organization, bib=1)
    theirs = Entry.objects.create(event=ev, worker=welder(other_organization), organization=other_organization, bib=2)
    for entry, rank in ((ours, 1), (theirs, 2)):
        Result.objects.create(entry=entry, final_score=Decimal("90.5"), rank=rank, tier="first")
    assert api.get("/api/v1/results/").json()["results"] == []
    Competition.objects.filter(pk=ev.competition_id).update(results_published=True)
    [result] = api.get("/api/v1/results/").json()["results"]
    assert (result["entry"], result["rank"], result["final_score"]) == (ours.pk, 1, "90.500")


def certificate(worker, number, **fields):
    return Certificate.objects.create(number=number, holder=worker, trade=trade(), level=4,
                                      issued_on=datetime.date(2024, 6, 1), source="imported", **fields)


def test_it_reads_the_organizations_certificates(api, organization, other_organization):
    ours = certificate(WorkerFactory(employer=organization), "ZW2024000001")
    certificate(WorkerFactory(employer=other_organization), "ZW2024000002")
    assert [c["number"] for c in api.get("/api/v1/certificates/").json()["results"]] == [ours.number]


def test_it_verifies_a_certificate_as_the_public_page_does(api, other_organization):
    cert = certificate(WorkerFactory(employer=other_organization, name="李四"), "ZW2024000003")
    url = "/api/v1/certificates/verify/"
    assert api.get(url, number=cert.number, name="李四").json()["state"] == "valid"
    assert api.get(url, number=cert.number, name="张三").json() == {"state": "not_found"}
    assert api.get(url, number="", name="李四").status_code == 400


def test_claims_are_the_organizations_and_masked_as_the_page(api, organization, other_organization, role_users):
    subsidy = policy()
    ours = claim(policy=subsidy, worker=WorkerFactory(employer=organization))
    claim(policy=subsidy, worker=WorkerFactory(employer=other_organization))
    approved_batch([ours], made_by=role_users["finance_officer"], approved_by=role_users["auditor"], paid=True)
    [shown] = api.get("/api/v1/claims/").json()["results"]
    assert (shown["id"], shown["amount"], shown["id_number"]) == (ours.pk, "1500.00", ours.worker.masked_id_number)
    assert shown["payee_bank_account"] == "6217 **** 0000" and shown["paid_on"]
    assert api.get("/api/v1/claims/", paid="true").json()["results"][0]["id"] == ours.pk


def test_each_reading_needs_its_scope(make_api):
    _t, api = make_api(scopes=[Scope.READ_ROSTER])
    for url in ("/api/v1/claims/", "/api/v1/certificates/", "/api/v1/results/", "/api/v1/entries/",
                "/api/v1/events/", "/api/v1/classes/", "/api/v1/enrollments/"):
        assert api.get(url).status_code == 403, url
