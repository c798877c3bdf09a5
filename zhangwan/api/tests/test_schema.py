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


@pytest.mark.django_db
def test_the_schema_is_made_once_per_language_and_the_same_for_every_visitor(client, monkeypatch, settings):
    from django.urls import reverse
    from drf_spectacular.generators import SchemaGenerator

    from zhangwan.api.schema import KeptSchemaGenerator

    settings.ALLOWED_HOSTS = ["testserver", "hr.example.cn"]
    monkeypatch.setattr(KeptSchemaGenerator, "kept", {})
    made = []
    parse = SchemaGenerator.parse
    monkeypatch.setattr(SchemaGenerator, "parse", lambda self, *a, **k: made.append(1) or parse(self, *a, **k))
    url = reverse("api_v1:schema") + "?format=json"

    chinese = client.get(url, HTTP_HOST="hr.example.cn")
    again = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans", HTTP_AUTHORIZATION="Bearer zw_nothing_here")
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    asked = client.get(url + "&lang=en")
    assert len(made) == 2
    assert chinese.status_code == again.status_code == english.status_code == 200
    assert again.content == chinese.content and asked.content == english.content != chinese.content

    # A version or a language the site does not offer: made for the request, never kept.
    for query in ["&version=9", "&version=9", "&lang=xx", "&lang=yy"]:
        assert client.get(url + query).status_code == 200
    assert len(made) == 6 and sorted(KeptSchemaGenerator.kept) == ["en", "zh-hans"]
