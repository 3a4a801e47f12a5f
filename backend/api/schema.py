"""OpenAPI post-processing: every error response the API can give is documented, with its shape.

Views document their success responses (and the 409s that are part of a workflow); the
error statuses that any view can answer, through authentication, permissions, throttling,
parsing or validation, are added here once, all with the one error shape of
``backend.api.exceptions``, so the schema does not lie to clients or to the fuzzer
(tests/test_fuzz.py).
"""

ERROR_COMPONENT = "Error"

_FIELD_MESSAGES = {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}

ERROR_SCHEMA = {
    "type": "object",
    "description": "The one shape of every API error (backend/api/exceptions.py).",
    "properties": {
        "status": {"type": "integer", "description": "The HTTP status code, repeated."},
        "code": {
            "type": "string",
            "description": "What went wrong, for programs: invalid, not_authenticated, authentication_failed, "
            "permission_denied, not_found, method_not_allowed, unsupported_media_type, throttled, locked_out, "
            "invalid_state, ...",
        },
        "detail": {
            "description": "What went wrong, for people; for validation errors a summary.",
            "oneOf": [{"type": "string"}, _FIELD_MESSAGES],
        },
        "fields": {
            **_FIELD_MESSAGES,
            "description": "Validation errors only: every field at fault (nested ones by dotted/indexed path) "
            "and its messages.",
        },
    },
    "required": ["status", "code", "detail"],
}

DESCRIPTIONS = {
    "400": "Invalid input: `fields` names every field at fault.",
    "401": "No credentials, or a token that is unknown, expired, revoked or belongs to a deactivated account.",
    "403": "Signed in, but not allowed to do this to this row.",
    "404": "No such row, or one you may not see; or no such page.",
    "409": "The change conflicts with the row's state or with existing data.",
    "415": "The request body is not in a media type this operation accepts.",
    "429": "Too many requests: wait for Retry-After seconds.",
}

WRITE_METHODS = {"post", "put", "patch", "delete"}
#: Operations with a body that is a credential exchange rather than a change to rows.
NO_CONFLICT_OPERATIONS = {"/api/v1/auth/login/", "/api/v1/auth/logout/"}


def _error_statuses(path, method, operation):
    parameters = operation.get("parameters", [])
    statuses = {"403", "429"}
    if any(requirement for requirement in operation.get("security", [{}])):
        statuses.add("401")
    if "requestBody" in operation:
        statuses |= {"400", "415"}
    if any(p.get("in") == "query" for p in parameters):
        statuses.add("400")  # filters and ordering refuse values they do not know
    if any(p.get("in") == "path" for p in parameters) or any(p.get("name") == "page" for p in parameters):
        statuses.add("404")
    if method in WRITE_METHODS and path not in NO_CONFLICT_OPERATIONS:
        statuses.add("409")
    return statuses


def document_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook: the error component and every error response that uses it."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}}
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status in _error_statuses(path, method, operation):
                responses.setdefault(status, {"description": DESCRIPTIONS[status]})
            for status, response in responses.items():
                if str(status).startswith(("4", "5")):
                    response.setdefault("content", content)
            operation["responses"] = dict(sorted(responses.items()))
    return result
