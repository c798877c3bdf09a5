"""The admin as the union staff's workplace: each officer can fill in the forms of their work (every
lookup of those forms answers them), the forms are laid out for people, records link to their pages
in the app and back, and the history reads in words."""

import re

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from zhangwan.accounts.roles import OFFICERS, Role
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.history import reason_key

pytestmark = pytest.mark.template_contexts  # reads response.context (conftest.py: untraced_templates)

ZH = {"accept-language": "zh-hans"}


def lookups(user):
    """(source model, field, kind) of every autocomplete and raw-id lookup on the forms this user may save:
    the admins they may add or change in, and their inlines."""
    request = RequestFactory().get("/admin/")
    request.user = user
    for model_admin in admin.site._registry.values():
        if not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)):
            continue
        for holder in [model_admin, *model_admin.get_inline_instances(request)]:
            for name in holder.get_autocomplete_fields(request):
                yield holder.model, name, "autocomplete"
            for name in holder.raw_id_fields:
                yield holder.model, name, "raw_id"


def lookup_url(model, name, kind):
    opts = model._meta
    if kind == "autocomplete":
        return (f"{reverse('admin:autocomplete')}?app_label={opts.app_label}&model_name={opts.model_name}"
                f"&field_name={name}&term=")
    related = opts.get_field(name).related_model._meta
    return f"{reverse(f'admin:{related.app_label}_{related.model_name}_changelist')}?_to_field=id&_popup=1"


@pytest.mark.parametrize("role", sorted(r.value for r in OFFICERS))
def test_every_lookup_on_an_officers_forms_answers_them(client, role_users, objects, role):
    client.force_login(role_users[role])
    found = list(lookups(role_users[role]))
    assert found, f"{role} fills in no lookups"
    refused = [(m._meta.label, name, kind) for m, name, kind in found
               if client.get(lookup_url(m, name, kind)).status_code != 200]
    assert refused == []


def test_the_competitions_officer_assigns_a_judge_found_among_the_judges(client, role_users, objects):
    from competitions.models import JudgeAssignment

    officer, judge = role_users[Role.COMPETITIONS_OFFICER.value], role_users[Role.JUDGE.value]
    client.force_login(officer)
    found = client.get(lookup_url(JudgeAssignment, "judge", "autocomplete")).json()["results"]
    assert [r["id"] for r in found] == [str(judge.pk)]  # judges only, not every login
    event = objects["other_event"]
    assert not JudgeAssignment.objects.filter(event=event).exists()
    url = reverse("admin:competitions_event_change", args=[event.pk])
    form = client.get(url).context["adminform"].form
    data = {**{k: v for k, v in form.initial.items() if v is not None and not isinstance(v, (list, dict))},
            "competition": event.competition_id, "trade": event.trade_id, "tie_breaks_0": "time",
            **management(event, judges=[{"judge": judge.pk, "chief": "on"}])}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assignment = JudgeAssignment.objects.get(event=event)
    assert (assignment.judge, assignment.chief) == (judge, True)
    event.refresh_from_db()
    assert event.tie_breaks == ["time"]


def management(event, judges):
    data = {}
    inlines = [("parts", list(event.parts.all()), []), ("award_rules", list(event.award_rules.all()), []),
               ("judges", list(event.judges.all()), judges)]
    for prefix, rows, extra in inlines:
        data[f"{prefix}-TOTAL_FORMS"] = len(rows) + len(extra)
        data[f"{prefix}-INITIAL_FORMS"] = len(rows)
        for i, row in enumerate(rows):
            data[f"{prefix}-{i}-id"] = row.pk
            data[f"{prefix}-{i}-event"] = event.pk
            for field in row._meta.concrete_fields:
                if field.name not in ("id", "event"):
                    value = getattr(row, field.attname)
                    if isinstance(value, bool):
                        if value:
                            data[f"{prefix}-{i}-{field.name}"] = "on"
                    elif value is not None:
                        data[f"{prefix}-{i}-{field.name}"] = value
        for j, values in enumerate(extra, start=len(rows)):
            data.update({f"{prefix}-{j}-{k}": v for k, v in values.items()})
            data[f"{prefix}-{j}-event"] = event.pk
    return data


def test_tie_breaks_are_chosen_from_the_events_parts_and_the_time(client, role_users, objects):
    client.force_login(role_users[Role.COMPETITIONS_OFFICER.value])
    event = objects["event"]
    page = client.get(reverse("admin:competitions_event_change", args=[event.pk]), headers=ZH).content.decode()
    assert "<textarea" not in page.split('name="tie_breaks')[0][-300:]
    select = re.search(r'<select name="tie_breaks_0".*?</select>', page, re.S).group(0)
    codes = re.findall(r'<option value="([^"]*)"', select)
    assert codes == ["", *event.parts.order_by("order", "pk").values_list("code", flat=True), "time"]
    assert "用时（少者在前）" in select
    assert re.search(r'<option value="practical" selected>', page)  # the stored order, shown chosen


def test_the_header_greets_the_user_by_name(client, role_users):
    officer = role_users[Role.TRAINING_OFFICER.value]
    client.force_login(officer)
    page = client.get(reverse("admin:index"), headers=ZH).content.decode()
    assert f"<strong>{officer.full_name}</strong>" in page


def test_a_history_page_reads_in_words_and_beijing_time(client, role_users, objects):
    from django.utils import timezone

    from training.subsidies.models import Batch
    from training.subsidies.services import batch_approve
    from training.subsidies.tests.factories import draft_batch

    batch = draft_batch([objects["other_claim"]], made_by=role_users[Role.FINANCE_OFFICER.value])
    batch_approve(batch=batch, user=role_users[Role.TRAINING_OFFICER.value])
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    page = client.get(reverse("admin:subsidies_batch_history", args=[batch.pk]), headers=ZH).content.decode()
    body = page.split('id="change-history"')[1]
    assert "None" not in body and "pk=None" not in body and "batch.approved" not in body
    approved = batch.history.get(history_change_reason="batch.approved")
    assert timezone.localtime(approved.history_date).strftime("%Y-%m-%d %H:%M") in body
    assert "+00:00" not in body
    assert "已审核通过" in body  # the reason "batch.approved" in words
    assert f"{Batch.Status.DRAFT.label} → {Batch.Status.APPROVED.label}" in body  # the status change
    assert role_users[Role.TRAINING_OFFICER.value].full_name in body  # who, by name


def test_the_class_form_groups_its_fields_and_takes_the_course_facts(client, role_users, objects):
    client.force_login(role_users[Role.TRAINING_OFFICER.value])
    page = client.get(reverse("admin:training_trainingclass_add"), headers=ZH).content.decode()
    assert page.count("<fieldset") >= 3
    folded = re.search(r'<fieldset class="[^"]*collapse[^"]*".*?</fieldset>', page, re.S).group(0)
    for rarely in ["id_base", "id_audience", "id_has_exam", "id_completion_percent", "id_description"]:
        assert rarely in folded
    assert "id_course" not in folded and "id_capacity" not in folded
    assert "js/admin_class_form.js" in page
    course = objects["class"].course
    url = (f"{reverse('admin:autocomplete')}?app_label=training&model_name=trainingclass&field_name=course"
           f"&term={course.title}")
    found = {r["id"]: r for r in client.get(url, headers=ZH).json()["results"]}[str(course.pk)]
    assert str(course.trade) in found["facts"] and "学时" in found["facts"] and found["title"] == course.title
    change = client.get(reverse("admin:training_trainingclass_change", args=[objects["class"].pk]), headers=ZH)
    assert str(course.trade) in change.content.decode().split('id="course-facts"')[1][:200]


def test_a_record_links_from_the_admin_to_its_page_and_back(client, role_users, objects):
    officer = role_users[Role.TRAINING_OFFICER.value]
    client.force_login(officer)
    cls = objects["class"]
    form = client.get(reverse("admin:training_trainingclass_change", args=[cls.pk]), headers=ZH).content.decode()
    page_url = reverse("training:class_manage", args=[cls.pk])
    assert f'<a href="{page_url}" class="viewsitelink">在平台中查看</a>' in form
    page = client.get(page_url, headers=ZH).content.decode()
    admin_url = reverse("admin:training_trainingclass_change", args=[cls.pk])
    assert f'href="{admin_url}"' in page and "在管理后台编辑" in page
    client.force_login(role_users[Role.AUDITOR.value])  # reads the page, may not change the class
    assert "在管理后台编辑" not in client.get(page_url, headers=ZH).content.decode()


def test_every_changelist_has_its_filters_and_search(client, objects):
    project = {m: ma for m, ma in admin.site._registry.items() if m._meta.app_label not in ("auth", "axes")}
    assert [type(ma).__name__ for ma in project.values() if not ma.list_filter or not ma.search_fields] == []
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    for model in project:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url, {"q": "张"}).status_code == 200, url


def test_the_training_officer_approves_many_claims_after_confirming(client, role_users, objects):
    from training.subsidies.models import Claim
    from training.subsidies.tests.factories import claim, policy

    officer = role_users[Role.TRAINING_OFFICER.value]
    skill = policy(year=2030)
    pending = [claim(policy=skill, status=Claim.Status.PENDING) for _ in range(3)]
    client.force_login(officer)
    url = reverse("admin:subsidies_claim_changelist")
    chosen = {"action": "approve", "_selected_action": [c.pk for c in pending[:2]]}
    asked = client.post(url, chosen, headers=ZH)
    assert asked.status_code == 200 and "确定审核通过选中的待审核申领吗" in asked.content.decode()
    assert Claim.objects.filter(pk__in=[c.pk for c in pending], status=Claim.Status.PENDING).count() == 3
    done = client.post(url, {**chosen, "confirmed": "yes"}, headers=ZH)
    assert done.status_code == 302
    assert [Claim.objects.get(pk=c.pk).status for c in pending] == [Claim.Status.APPROVED, Claim.Status.APPROVED,
                                                                     Claim.Status.PENDING]
    record = Claim.history.filter(id=pending[0].pk).latest("history_id")
    assert (record.history_user, record.history_change_reason) == (officer, "claim.approved")
    client.force_login(role_users[Role.FINANCE_OFFICER.value])  # finance never reviews claims
    assert 'value="approve"' not in client.get(url).content.decode()


def test_refusing_many_claims_needs_a_reason(client, role_users, objects):
    from training.subsidies.models import Claim
    from training.subsidies.tests.factories import claim, policy

    pending = claim(policy=policy(year=2031), status=Claim.Status.PENDING)
    client.force_login(role_users[Role.TRAINING_OFFICER.value])
    url = reverse("admin:subsidies_claim_changelist")
    chosen = {"action": "refuse", "_selected_action": [pending.pk], "confirmed": "yes"}
    assert "请填写理由" in client.post(url, {**chosen, "reason": " "}, headers=ZH).content.decode()
    pending.refresh_from_db()
    assert pending.status == Claim.Status.PENDING
    assert client.post(url, {**chosen, "reason": "材料不全"}).status_code == 302
    pending.refresh_from_db()
    assert (pending.status, pending.review_note) == (Claim.Status.REJECTED, "材料不全")


def test_the_training_officer_marks_many_attendances_through_the_service(client, role_users, objects):
    from training.models import Attendance

    officer = role_users[Role.TRAINING_OFFICER.value]
    attendance = Attendance.objects.get(session=objects["session"], enrollment=objects["enrollment"])
    client.force_login(officer)
    url = reverse("admin:training_attendance_changelist")
    response = client.post(url, {"action": "mark_absent", "_selected_action": [attendance.pk], "select_across": "1",
                                 "confirmed": "yes"})
    assert response.status_code == 302
    attendance.refresh_from_db()
    assert (attendance.status, attendance.marked_by) == (Attendance.Status.ABSENT, officer)
    assert attendance.history.latest("history_id").history_change_reason == reason_key("attendance.marked")


def test_the_certification_officer_admits_the_eligible_of_many_sessions(client, role_users, objects):
    from certification.models import Application

    application = objects["application"]
    Application.objects.filter(pk=application.pk).update(status=Application.Status.ELIGIBLE)
    client.force_login(role_users[Role.CERTIFICATION_OFFICER.value])
    url = reverse("admin:certification_assessmentsession_changelist")
    chosen = {"action": "admit_eligible", "_selected_action": [objects["cert_session"].pk]}
    assert "确定在名额范围内录取" in client.post(url, chosen, headers=ZH).content.decode()
    assert client.post(url, {**chosen, "confirmed": "yes"}).status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.ADMITTED
    assert application.history.latest("history_id").history_change_reason == reason_key("application.admitted")


def test_a_history_page_masks_the_bank_account_for_a_reader_without_the_permission(client, role_users, objects):
    from zhangwan.history import save_with_history
    from zhangwan.registry.validators import mask_bank_account

    worker = objects["own_worker"]
    worker.bank_name, worker.bank_account = "中国工商银行", "6217001234567890123"
    save_with_history(worker, user=None, reason="worker.bank_details")
    client.force_login(role_users[Role.TRAINING_OFFICER.value])  # full identity numbers, no bank accounts
    page = client.get(reverse("admin:registry_worker_history", args=[worker.pk]), headers=ZH).content.decode()
    assert "6217001234567890123" not in page and mask_bank_account("6217001234567890123") in page
