"""The words that tell a worker why a claim pays what it pays (rules.explain)."""

import pytest
from django.utils import translation

from training.subsidies.models import Kind
from training.subsidies.rules import explain
from training.subsidies.tests.factories import claim, policy
from training.tests.factories import open_class
from zhangwan.registry.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def test_it_names_the_certificates_trade_and_level_when_the_claim_carries_none():
    granted = claim(policy=policy())
    with translation.override("zh-hans"):
        line = explain(granted)[0]
    assert "None" not in line
    assert "焊工" in line and "四级" in line


def test_it_says_per_trainee_in_english():
    from training.services import enrollment_register

    worker = WorkerFactory()
    enrollment = enrollment_register(worker=worker, training_class=open_class(), user=None, channel="staff")
    paid = claim(policy=policy(Kind.TRAINING), worker=worker, enrollment=enrollment)
    paid.rate = paid.policy.rates.first()
    with translation.override("en"):
        line = explain(paid)[0]
    assert line == "Completed “2026年焊工（中级）培训班”: ¥500.00 per trainee."
