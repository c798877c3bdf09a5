"""How the OpenAPI schema describes the bearer token and the errors; the schema made once per language."""

from django.conf import settings
from django.utils import translation
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.generators import SchemaGenerator


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "zhangwan.api.auth.TokenAuthentication"
    name = "bearer"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "An API token created on the platform's “API tokens” page: zw_<prefix>_<secret>."}


ERROR = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "code": {"type": "string", "description": "Stable, for programs: not_found, scope_missing, refused, "
                                                  "invalid, rows_refused, idempotency_key_reused, throttled, …"},
        "message": {"type": "string", "description": "For people, in the language of Accept-Language."},
        "fields": {"type": "object", "description": "invalid: the problems per field."},
        "rows": {"type": "array", "description": "rows_refused: each problem of the batch; nothing was written.",
                 "items": {"type": "object", "properties": {"row": {"type": "integer"}, "column": {"type": "string"},
                                                            "message": {"type": "string"}}}},
    },
}
ERRORS = {
    "400": "The request is malformed or a field is wrong (invalid, parse_error).",
    "401": "No token, or a token that is not valid, revoked or expired.",
    "403": "The token lacks the scope, or is used from an address it is not allowed from.",
    "404": "Not found, or another organization's.",
    "409": "Another request changed the same records at the same time; send it again.",
    "422": "A rule of the platform refused it (refused, rows_refused), or the Idempotency-Key was used before.",
    "429": "Too many calls with this token; Retry-After says when to come back.",
}


def add_error_responses(result, generator, request, public):
    """Every operation may answer each refusal, always as the Error object."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    reference = {"$ref": "#/components/schemas/Error"}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for status, description in ERRORS.items():
                operation["responses"].setdefault(status, {
                    "description": description, "content": {"application/json": {"schema": reference}}})
            if operation.get("requestBody") is not None or operation.get("operationId", "").endswith("_create"):
                operation.setdefault("parameters", []).append({
                    "in": "header", "name": "Idempotency-Key", "required": False, "schema": {"type": "string",
                                                                                            "maxLength": 100},
                    "description": "Send the same key again with the same body: the first answer is replayed."})
    return result


class KeptSchemaGenerator(SchemaGenerator):
    """The public schema follows from the code alone: the same for every visitor, host and token, it differs
    only by language. Each process makes it once per language of the site (45-90 ms of processor each time
    otherwise) and answers every later request from it. A `version` asked for in the query, or a language the
    site does not offer (`?lang=`), is made afresh each time and not kept, so no visitor can fill the memory."""

    kept: dict[str, dict] = {}  # language → the schema, for this process

    def get_schema(self, request=None, public=False):
        language = translation.get_language()
        if not public or self.api_version is not None or language not in dict(settings.LANGUAGES):
            return super().get_schema(request=request, public=public)
        if language not in self.kept:
            self.kept[language] = super().get_schema(request=request, public=public)
        return self.kept[language]
