"""The activity log names each record by its __str__, read with the relations that name reads
(zhangwan/audit/log.py, NAME_RELATED): naming any record of the matrix world costs no query beyond the
one that fetched it, whatever the model."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhangwan.audit import log

pytestmark = pytest.mark.django_db


def test_naming_a_record_of_any_tracked_model_reads_nothing_more(objects):
    named, costly = 0, []
    for model in log.tracked_models():
        ids = list(model._meta.default_manager.values_list("pk", flat=True)[:20])
        if not ids:
            continue
        found = log._named(model, ids)
        with CaptureQueriesContext(connection) as queries:
            for record in found.values():
                str(record)
        named += 1
        if queries:
            costly.append(f"{model._meta.label}: {len(queries)} queries for {len(found)} records")
    assert named >= 35
    assert not costly, "\n".join(costly)
