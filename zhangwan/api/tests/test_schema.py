"""Schemathesis against the live test server: every operation of the OpenAPI schema, called with a valid
token and data generated from the schema, never answers 500 and always answers as the schema says."""

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from training.tests.factories import open_class
from zhangwan.api.models import Scope
from zhangwan.registry.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db(transaction=True)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 2  # a few per operation: the whole walk stays within ~30 s on a quiet machine


def test_every_operation_answers_as_its_schema_says(live_server, make_api, organization):
    WorkerFactory.create_batch(3, employer=organization)
    open_class(capacity=2)
    _t, api = make_api(scopes=list(Scope.values))
    headers = {"Authorization": api.client.defaults["HTTP_AUTHORIZATION"]}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/?format=json")
    called = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate(base_url=live_server.url, headers=headers, checks=CHECKS)

        check()
        called.append(operation.label)
    assert len(called) == 18
