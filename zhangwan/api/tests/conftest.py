"""A token per test as a liaison (organization) or a union officer (district) makes it, and a client
that sends it."""

import json

import pytest
from django.test import Client

from zhangwan.api import tokens
from zhangwan.api.models import Scope


class Api:
    """Calls the API with one token; answers carry .json()."""

    def __init__(self, secret: str):
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def get(self, path, **params):
        """params: the query; names in capitals (HTTP_…, REMOTE_ADDR) are the request's headers."""
        headers = {k: params.pop(k) for k in [k for k in params if k.isupper()]}
        return self.client.get(path, params, **headers)

    def post(self, path, body=None, *, key=None, **headers):
        if key:
            headers["HTTP_IDEMPOTENCY_KEY"] = key
        return self.client.post(path, json.dumps(body if body is not None else {}),
                                content_type="application/json", **headers)


@pytest.fixture
def make_api(role_users):
    """make_api(role="liaison", scopes=[...]) → (token, Api)."""

    def make(role="liaison", scopes=tuple(Scope.values), **fields):
        token, secret = tokens.token_create(user=role_users[role], name="HR system", scopes=list(scopes), **fields)
        return token, Api(secret)

    return make


@pytest.fixture
def api(make_api):
    return make_api()[1]
