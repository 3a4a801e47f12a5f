"""One error shape for every API error response.

    {"status": 400, "code": "invalid", "detail": "...", "fields": {"urn": ["..."], "answers[0].criterion": ["..."]}}

`fields` appears only for validation errors and names every field at fault, nested ones
with a dotted/indexed path. Django's ValidationError raised by services and model
``full_clean()`` is mapped here too, so a service never needs to know about HTTP.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from backend.errors import InvalidStateError


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The object is not in a state that allows this."
    default_code = "invalid_state"


#: A code for each status, for exceptions raised without a specific one (DRF's generic code is "error").
CODES_BY_STATUS = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "request_too_large",
    415: "unsupported_media_type",
    429: "throttled",
    500: "server_error",
    503: "unavailable",
}


def _flatten(errors, prefix="") -> dict[str, list[str]]:
    flat: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            if isinstance(key, int):  # DRF reports list items by index: answers[0].result
                path = f"{prefix}[{key}]"
            elif prefix:
                path = f"{prefix}.{key}"
            else:
                path = str(key)
            flat.update(_flatten(value, path))
    elif isinstance(errors, list):
        if all(not isinstance(item, (dict, list)) for item in errors):
            if errors:
                flat[prefix or "non_field_errors"] = [str(item) for item in errors]
        else:
            for index, item in enumerate(errors):
                if item:
                    flat.update(_flatten(item, f"{prefix}[{index}]"))
    else:
        flat[prefix or "non_field_errors"] = [str(errors)]
    return flat


def _django_validation_to_drf(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        detail = {field: [str(m) for e in errs for m in e.messages] for field, errs in exc.error_dict.items()}
        if "__all__" in detail:
            detail["non_field_errors"] = detail.pop("__all__")
    else:
        detail = {"non_field_errors": list(exc.messages)}
    return exceptions.ValidationError(detail)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = _django_validation_to_drf(exc)
    elif isinstance(exc, InvalidStateError):
        exc = Conflict(detail=exc.message, code=exc.code)
    elif isinstance(exc, ProtectedError | RestrictedError):
        exc = Conflict(detail="Other records still refer to this one, so it cannot be deleted.", code="protected")
    elif isinstance(exc, IntegrityError):
        # Constraints are checked by services first; this is the race that slipped past them.
        exc = Conflict(detail="The change conflicts with existing data (a duplicate or a changed row).")
    elif isinstance(exc, ObjectDoesNotExist):
        exc = exceptions.NotFound()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    body = {"status": response.status_code}
    if isinstance(exc, exceptions.ValidationError):
        body["code"] = "invalid"
        body["detail"] = "The request has invalid fields."
        body["fields"] = _flatten(exc.detail)
    else:
        detail = getattr(exc, "detail", None) if isinstance(exc, exceptions.APIException) else str(exc)
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        code = codes if isinstance(codes, str) and codes != exceptions.APIException.default_code else None
        body["code"] = code or CODES_BY_STATUS.get(response.status_code, f"http_{response.status_code}")
        if isinstance(detail, dict | list):
            body["detail"] = str(getattr(exc, "default_detail", "")) or response.status_text
            body["fields"] = _flatten(detail)
        else:
            body["detail"] = str(detail or "") or str(getattr(exc, "default_detail", "")) or response.status_text
    return Response(body, status=response.status_code, headers=_headers(response))


def _headers(response) -> dict[str, str]:
    return {name: response[name] for name in ("Retry-After", "WWW-Authenticate", "Allow") if name in response}
