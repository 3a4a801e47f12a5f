"""The API's input boundary: odd bytes, huge numbers, deep JSON, unknown names -> a 4xx in the one error shape.

Each test sends what a careless or hostile client could send, and checks for a clear 4xx naming
the input at fault (never a 500, never a silently ignored parameter).
"""

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.test_permission_matrix import token_client

BEYOND_64_BITS = str(2**64 + 7)


def _error(response, status):
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert body["status"] == status
    assert body["code"] and body["code"] != "error"
    assert body["detail"]
    return body


# --- deeply nested JSON --------------------------------------------------------------------


@pytest.mark.parametrize("depth", [100_000, 5_000, 200])
def test_it_refuses_deeply_nested_json_from_anonymous_callers(db, depth):
    body = "[" * depth + "]" * depth
    response = APIClient().post("/api/v1/auth/login/", data=body, content_type="application/json")
    assert _error(response, 400)["code"] == "parse_error"


def test_it_refuses_deeply_nested_json_inside_a_field(shared_world, db, client_for):
    nested = {"reason": json.loads("[" * 100 + "]" * 100)}
    sample = shared_world.rows["GMP"].signed_off
    response = client_for(shared_world.cps_admin).post(
        f"/api/v1/dip-samples/{sample.pk}/reopen/", nested, format="json"
    )
    assert _error(response, 400)["code"] == "parse_error"


def test_it_still_reads_ordinary_nested_json(db):
    response = APIClient().post("/api/v1/auth/login/", {"username": "nobody-here", "password": "x" * 10}, format="json")
    assert _error(response, 400)["fields"] == {
        "non_field_errors": ["The username and password do not match an active account."]
    }


# --- If-Match ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "if_match",
    [
        '"\u0661"',  # ARABIC-INDIC DIGIT ONE: str.isdigit() says yes
        '"\u00b2"',  # SUPERSCRIPT TWO: isdigit() yes, int() no
        '"' + "9" * 5000 + '"',  # beyond int()'s 4300-digit limit
        '"' + BEYOND_64_BITS + '"',
        "*",
        '"1" junk',
        '"1',
        "W/1",
    ],
    ids=["arabic-indic", "superscript", "5000-digits", "beyond-64-bits", "star", "junk", "unbalanced", "weak-unquoted"],
)
def test_it_answers_an_odd_if_match_with_400_naming_it(shared_world, db, if_match):
    world, rows = shared_world, shared_world.rows
    sample = rows["GMP"].planned
    client = token_client(world.gmp_lead)
    response = client.patch(
        f"/api/v1/dip-samples/{sample.pk}/",
        {"period_end": str(sample.period_end)},
        format="json",
        HTTP_IF_MATCH=if_match.encode("utf-8").decode("latin-1"),
    )
    assert "If-Match" in _error(response, 400)["fields"]


def test_it_still_takes_a_weak_etag_in_if_match(shared_world, db):
    world, rows = shared_world, shared_world.rows
    sample = rows["GMP"].planned
    response = token_client(world.gmp_lead).patch(
        f"/api/v1/dip-samples/{sample.pk}/",
        {"period_end": str(sample.period_end)},
        HTTP_IF_MATCH=f'W/"{sample.row_version}"',
    )
    assert response.status_code == 200, response.json()


def test_it_refuses_a_row_version_beyond_64_bits_in_the_body(shared_world, db):
    world, rows = shared_world, shared_world.rows
    sample = rows["GMP"].planned
    response = token_client(world.gmp_lead).patch(
        f"/api/v1/dip-samples/{sample.pk}/", {"row_version": 2**64}, format="json"
    )
    assert "row_version" in _error(response, 400)["fields"]


# --- Authorization header ------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    ["Token \xff\xfe\xfd", "Token caf\xe9", "Token " + "\xe9" * 64, "\xff\xff \xff"],
    ids=["invalid-utf8", "latin1-char", "long-latin1", "no-scheme"],
)
def test_it_answers_non_utf8_bytes_in_authorization_with_401(db, header):
    # WSGI hands headers over as latin-1 strings: "\xff" is the raw byte 0xFF on the wire.
    response = Client().get("/api/v1/cases/", HTTP_AUTHORIZATION=header)
    _error(response, 401)


# --- integers beyond 64 bits ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/api/v1/assessments/", "dip_sample"),
        ("/api/v1/assessments/", "schedule"),
        ("/api/v1/schedules/", "case"),
        ("/api/v1/defects/", "assessment"),
        ("/api/v1/defects/", "dip_sample"),
    ],
)
@pytest.mark.parametrize("value", [BEYOND_64_BITS, "9" * 5000, "-1", "1.5", "\u0661"])
def test_it_answers_a_bad_id_in_a_filter_with_400_naming_it(shared_world, db, path, param, value):
    response = token_client(shared_world.gmp_lead).get(path, {param: value})
    assert param in _error(response, 400)["fields"]


@pytest.mark.parametrize("resource", ["cases", "schedules", "dip-samples", "assessments", "defects", "audit-events"])
@pytest.mark.parametrize("value", [BEYOND_64_BITS, "9" * 5000])
def test_it_answers_a_path_id_beyond_64_bits_with_404(shared_world, db, resource, value):
    response = token_client(shared_world.superuser).get(f"/api/v1/{resource}/{value}/")
    _error(response, 404)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/schedules/", {"case": 2**64, "kind": "mg6c", "received_on": "2025-01-01", "item_count": 1}, "case"),
        ("/api/v1/defects/", {"assessment": 2**64, "category": "D01", "description": "x"}, "assessment"),
        (
            "/api/v1/assessments/",
            {"dip_sample": 2**64, "schedule": 2**65, "rating": "fully_meets", "drs_complete": True},
            "dip_sample",
        ),
    ],
)
def test_it_answers_a_body_id_beyond_64_bits_with_400_naming_it(shared_world, db, path, body, field):
    response = token_client(shared_world.gmp_lead).post(path, body, format="json")
    assert field in _error(response, 400)["fields"]


# --- unknown body fields -------------------------------------------------------------------


def test_it_names_every_unknown_body_field_of_a_patch(shared_world, db):
    world, rows = shared_world, shared_world.rows
    sample = rows["GMP"].planned
    response = token_client(world.gmp_lead).patch(
        f"/api/v1/dip-samples/{sample.pk}/", {"colour": "red", "row_version": 1, "sizee": 3}, format="json"
    )
    assert _error(response, 400)["fields"] == {"colour": ["Unknown field."], "sizee": ["Unknown field."]}
    sample.refresh_from_db()
    assert sample.row_version == 1  # nothing written


def test_it_names_unknown_fields_nested_in_a_list(shared_world, db):
    world, rows = shared_world, shared_world.rows
    assessment = rows["GMP"].assessment
    response = token_client(world.cps_lead).patch(
        f"/api/v1/assessments/{assessment.pk}/",
        {"row_version": assessment.row_version, "answers": [{"criterion": "N1", "result": "fully_meets", "x": 1}]},
        format="json",
    )
    assert _error(response, 400)["fields"] == {"answers[0].x": ["Unknown field."]}


def test_it_names_unknown_fields_along_with_invalid_ones(shared_world, db):
    response = token_client(shared_world.gmp_lead).post(
        "/api/v1/cases/", {"urn": "06ZZ1111125", "force": "GMP", "stream": "nope", "colour": 1}, format="json"
    )
    assert set(_error(response, 400)["fields"]) == {"stream", "colour"}


def test_it_refuses_unknown_fields_at_login(db):
    response = APIClient().post("/api/v1/auth/login/", {"username": "a", "password": "b", "remember": 1}, format="json")
    assert _error(response, 400)["fields"] == {"remember": ["Unknown field."]}


# --- unknown query parameters --------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/api/v1/cases/", "forse"),
        ("/api/v1/dip-samples/", "state"),
        ("/api/v1/assessments/", "dip-sample"),
        ("/api/v1/audit-events/", "from"),
        ("/api/v1/organisations/", "colour"),
        ("/api/v1/defect-categories/", "sid"),
        ("/api/v1/checklists/", "force"),
    ],
)
def test_it_answers_an_unknown_query_parameter_with_400_naming_it(shared_world, db, path, param):
    response = token_client(shared_world.gmp_lead).get(path, {param: "x"})
    assert _error(response, 400)["fields"] == {param: ["Unknown query parameter."]}


def test_it_refuses_query_parameters_on_a_detail_read(shared_world, db):
    case = shared_world.rows["GMP"].case
    response = token_client(shared_world.gmp_lead).get(f"/api/v1/cases/{case.pk}/", {"force": "KENT"})
    assert set(_error(response, 400)["fields"]) == {"force"}


def test_it_refuses_an_unknown_ordering_field(shared_world, db):
    response = token_client(shared_world.gmp_lead).get("/api/v1/cases/", {"ordering": "-urnn"})
    assert "ordering" in _error(response, 400)["fields"]


@pytest.mark.parametrize("value", ["maybe", "yes please"])
def test_it_refuses_a_boolean_filter_that_is_neither_true_nor_false(shared_world, db, value):
    response = token_client(shared_world.gmp_lead).get("/api/v1/assessments/", {"drs_complete": value})
    assert "drs_complete" in _error(response, 400)["fields"]


def test_known_parameters_still_filter(shared_world, db):
    rows = shared_world.rows
    response = token_client(shared_world.cps_lead).get(
        "/api/v1/assessments/",
        {
            "force": "gmp",
            "stream": "cc",
            "dip_sample": rows["GMP"].in_progress.pk,
            "drs_complete": "true",
            "ordering": "-id",
            "page": 1,
            "page_size": 5,
            "format": "json",
        },
    )
    assert response.status_code == 200, response.json()
    assert [a["id"] for a in response.json()["results"]] == [rows["GMP"].assessment.pk]


# --- errors raised by Django reach the handler ---------------------------------------------


def test_object_does_not_exist_and_protected_error_get_their_own_status():
    from django.core.exceptions import ObjectDoesNotExist
    from django.db.models import ProtectedError, RestrictedError

    from backend.api.exceptions import exception_handler

    assert exception_handler(ObjectDoesNotExist("Case matching query does not exist."), {}).status_code == 404
    for error in (ProtectedError("in use", set()), RestrictedError("in use", set())):
        response = exception_handler(error, {})
        assert response.status_code == 409
        assert response.data["code"] == "protected"
        assert "in use" not in response.data["detail"]  # a plain message, not the model's internals


def test_every_api_exception_gets_a_specific_code_and_a_detail():
    from rest_framework import exceptions

    from backend.api.exceptions import exception_handler

    for exc in (
        exceptions.APIException(detail={"a": ["b"]}),
        exceptions.PermissionDenied(detail=""),
        exceptions.Throttled(wait=3),
        exceptions.MethodNotAllowed("PUT"),
        exceptions.NotAcceptable(),
        exceptions.UnsupportedMediaType("text/csv"),
    ):
        response = exception_handler(exc, {})
        assert response.data["code"] not in ("", "error"), exc
        assert response.data["detail"], exc


# --- Django's own error pages under /api/ are the JSON shape ---------------------------------


def test_an_unknown_api_path_answers_404_in_the_error_shape(db):
    _error(Client().get("/api/v1/no-such-thing/"), 404)


def test_a_very_long_api_path_answers_in_the_error_shape(db):
    _error(Client().get("/api/v1/" + "a" * 20_000 + "/"), 404)


def test_a_bad_host_under_api_answers_400_in_the_error_shape(db):
    _error(Client().get("/api/v1/cases/", HTTP_HOST="evil.example.com"), 400)


def test_a_server_error_under_api_answers_500_in_the_error_shape(shared_world, db, monkeypatch):
    from disclosure.api import views

    def boom(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(views.CaseViewSet, "selector", boom)
    client = Client(raise_request_exception=False)
    client.force_login(shared_world.gmp_lead)
    body = _error(client.get("/api/v1/cases/"), 500)
    assert "a bug" not in json.dumps(body)


def test_error_pages_outside_the_api_stay_html(db):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_action_may_declare_the_query_parameters_it_reads(shared_world, db):
    from rest_framework import mixins
    from rest_framework.decorators import action
    from rest_framework.response import Response
    from rest_framework.test import APIRequestFactory, force_authenticate

    from backend.api.viewsets import TenantScopedViewSet
    from disclosure.api.serializers import ChecklistOutputSerializer
    from disclosure.models import Checklist

    class Peek(TenantScopedViewSet, mixins.ListModelMixin):
        queryset = Checklist.objects.all()
        serializer_class = ChecklistOutputSerializer

        @action(detail=False, extra_query_parameters=("size",))
        def peek(self, request):
            return Response({"size": request.query_params.get("size")})

    view = Peek.as_view({"get": "peek"}, **Peek.peek.kwargs)
    for params, status in (({"size": "3"}, 200), ({"size": "3", "seed": "1"}, 400)):
        request = APIRequestFactory().get("/peek/", params)
        force_authenticate(request, shared_world.gmp_lead)
        response = view(request)
        assert response.status_code == status, response.data
    assert set(response.data["fields"]) == {"seed"}


def test_a_nul_character_in_a_filter_is_a_400(shared_world, db):
    response = token_client(shared_world.gmp_lead).get("/api/v1/cases/", {"urn": "06AB\x0012345"})
    assert "urn" in _error(response, 400)["fields"]


# --- every writable reference in a body is resolved in scope -------------------------------


def _input_serializers():
    import inspect

    from rest_framework import serializers

    from backend.api import auth
    from disclosure.api import serializers as disclosure_serializers

    for module in (disclosure_serializers, auth):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, serializers.Serializer) and cls.__module__ == module.__name__:
                yield cls


def _related_fields(serializer, path=""):
    from rest_framework import serializers

    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if isinstance(field, serializers.ManyRelatedField):
            field = field.child_relation
        if isinstance(field, serializers.RelatedField):
            yield f"{path}{name}", field
        elif isinstance(field, serializers.ListSerializer):
            yield from _related_fields(field.child, f"{path}{name}[].")
        elif isinstance(field, serializers.Serializer):
            yield from _related_fields(field, f"{path}{name}.")


#: Reference data, the same for every tenant (docs/architecture.md): any signed-in user may name it.
REFERENCE_MODELS = {"DefectCategory", "Checklist", "Criterion"}


def test_every_writable_reference_in_a_body_offers_no_rows_to_a_user_without_membership(shared_world, db):
    from rest_framework.test import APIRequestFactory

    request = APIRequestFactory().get("/")
    request.user = shared_world.nobody
    checked = []
    for serializer_class in _input_serializers():
        serializer = serializer_class(context={"request": request})
        for path, field in _related_fields(serializer):
            queryset = field.get_queryset()
            if queryset.model.__name__ in REFERENCE_MODELS:
                continue
            checked.append(f"{serializer_class.__name__}.{path}")
            assert not queryset.exists(), f"{serializer_class.__name__}.{path} offers rows outside the user's scope"
    assert len(checked) >= 6, checked  # force, case, dip_sample, schedule, assessment, leads


def test_it_refuses_a_json_body_larger_than_the_upload_limit_in_the_error_shape(db, settings):
    # Django refuses it (RequestDataTooBig) before DRF parses; handler400 gives the API error shape.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"username": "a" * 2000, "password": "b"})
    response = Client(raise_request_exception=False).post(
        "/api/v1/auth/login/", data=body, content_type="application/json"
    )
    assert _error(response, 400)["code"] == "bad_request"


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/api/v1/cases/", {"page": "9" * 5000}, 404),
        ("/api/v1/cases/", {"page": BEYOND_64_BITS}, 404),
        ("/api/v1/cases/", {"page_size": "9" * 5000}, 200),
        ("/api/v1/cases/", {"created_after": "99999-01-01"}, 400),
        ("/api/v1/audit-events/", {"timestamp_after": "2025-13-45T99:00"}, 400),
        ("/api/v1/dip-samples/", {"status": "x" * 10_000}, 400),
        ("/api/v1/cases/", {"format": "xml"}, 404),
        ("/api/v1/cases/", {"ordering": "urn,,id"}, 400),
    ],
)
def test_odd_values_of_known_parameters_get_a_4xx_not_a_500(shared_world, db, path, params, status):
    response = token_client(shared_world.superuser).get(path, params)
    if status == 200:
        assert response.status_code == 200
    else:
        _error(response, status)


@pytest.mark.parametrize("path", ["/api/v1/auth/logout/", "/api/v1/auth/logout-all/"])
def test_the_logout_views_answer_non_utf8_bytes_in_authorization_with_401(db, path):
    _error(Client().post(path, HTTP_AUTHORIZATION="Token \xff\xfe"), 401)


def test_a_django_permission_denied_keeps_its_message_and_gets_a_specific_code():
    from django.core.exceptions import PermissionDenied

    from backend.api.exceptions import exception_handler

    response = exception_handler(PermissionDenied("Only the police lead may change police_lead."), {})
    assert response.status_code == 403
    assert response.data == {
        "status": 403,
        "code": "permission_denied",
        "detail": "Only the police lead may change police_lead.",
    }


@pytest.mark.parametrize("body", ["[]", '[{"urn": "06ZZ1111125"}]', "null", '"text"', "1", "{}"])
def test_a_body_that_is_not_an_object_is_a_400(shared_world, db, body):
    response = token_client(shared_world.gmp_lead).post("/api/v1/cases/", data=body, content_type="application/json")
    assert _error(response, 400)["fields"]


# --- found by the fuzzer: date-time offsets PostgreSQL refuses, page sizes silently replaced ---------


def test_a_date_time_filter_moves_any_offset_to_utc():
    """PostgreSQL refuses offsets beyond +-15:59 (a DataError, 500 there); in UTC any offset is fine."""
    import datetime

    from backend.filters import UtcIsoDateTimeField

    value = UtcIsoDateTimeField().clean("0457-02-01T17:45:25.84-16:10")
    assert value.utcoffset() == datetime.timedelta(0)
    assert (value.year, value.month, value.day, value.hour, value.minute) == (457, 2, 2, 9, 55)


def test_a_date_time_that_leaves_the_calendar_in_utc_is_a_400_naming_it(shared_world, db, client_for):
    response = client_for(shared_world.cps_admin).get(
        "/api/v1/audit-events/", {"timestamp_before": "0001-01-01T00:00:00+05:00"}
    )
    assert response.status_code == 400, response.json()
    assert "timestamp_before" in response.json()["fields"]


@pytest.mark.parametrize("page_size", ["abc", "0", "000", "-1", "1.5", "٣", " 5"])
def test_a_page_size_that_is_not_a_whole_number_from_one_is_a_400(shared_world, db, client_for, page_size):
    response = client_for(shared_world.cps_lead).get("/api/v1/cases/", {"page_size": page_size})
    assert response.status_code == 400, response.json()
    assert "page_size" in response.json()["fields"]


@pytest.mark.parametrize("page_size", ["500", "9" * 30])
def test_a_page_size_above_the_cap_is_capped(shared_world, db, client_for, page_size):
    response = client_for(shared_world.cps_lead).get("/api/v1/cases/", {"page_size": page_size})
    assert response.status_code == 200
