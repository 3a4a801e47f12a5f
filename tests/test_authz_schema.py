"""The authorisation matrix is complete against the published OpenAPI schema.

Every operation the schema documents (path template x method) must have cells in
``tests.test_permission_matrix.ENDPOINTS`` for every role of the cast, anonymous and the
deactivated user included, and every operation on tenant-owned rows must have cells for a
row of the caller's own force, of another force of the same Area, and of another Area.
An operation added to the API without matrix cells fails here, whatever its route name.

The number of cells: ``.venv/bin/pytest -q --co tests/test_permission_matrix.py::test_permission_matrix``.
"""

import re
from collections import defaultdict

import pytest
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator

from tests.test_permission_matrix import NON_TENANT_ROUTES, _cases

HTTP_METHODS = {"get", "put", "patch", "post", "delete", "head", "options", "trace"}

#: The roles the matrix must cover, by the cast member that plays each (tests/conftest.py).
REQUIRED_ROLES = {
    "anonymous": "anonymous",
    "deactivated user": "deactivated",
    "CPS Crown Court lead": "cps_lead",
    "police Crown Court lead": "gmp_lead",
    "police magistrates' court lead": "gmp_mc_lead",
    "all-streams lead": "outsider",
    "chief officer": "gmp_chief",
    "Quality Group": "cps_quality",
    "Area org admin": "cps_admin",
    "force org admin": "gmp_admin",
    "signed in, no membership": "nobody",
    "superuser": "superuser",
}

#: Own force (GMP, for the GMP and CPS-NW people), another force of the same Area, another Area.
TENANT_TARGETS = {"GMP", "LANCS", "KENT"}

#: Routes over rows that belong to no force: the account itself, auth, the schema, reference data.
NOT_TENANT_OWNED = NON_TENANT_ROUTES | {"defect-category-detail", "checklist-detail"}


def _operations():
    schema = SchemaGenerator(api_version="v1").get_schema(request=None, public=True)
    for path, item in schema["paths"].items():
        for method in item:
            if method in HTTP_METHODS:
                yield path, method


def _route_name(path_template):
    """The URL name of a path template, found by resolving it with a placeholder in each parameter."""
    return resolve(re.sub(r"\{[^}]+\}", "1", path_template)).url_name


def _cells():
    """(route name, method) -> {role: set of targets}, from the parametrised matrix itself."""
    cells = defaultdict(lambda: defaultdict(set))
    for param in _cases():
        endpoint, target, who = param.values
        method = "post" if endpoint.method == "multipart" else endpoint.method
        cells[endpoint.route, method][who].add(target)
    return cells


OPERATIONS = sorted(_operations())


def test_the_schema_documents_operations():
    assert len(OPERATIONS) >= 30, OPERATIONS  # the API as of this test; a collapse would hide gaps


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m}-{p}" for p, m in OPERATIONS])
def test_every_schema_operation_has_cells_for_every_role(path, method):
    route = _route_name(path)
    by_role = _cells().get((route, method))
    assert by_role, f"{method.upper()} {path} (route {route!r}) has no cells in the permission matrix"
    missing = {role for role, who in REQUIRED_ROLES.items() if who not in by_role}
    assert not missing, f"{method.upper()} {path}: no cells for {sorted(missing)}"


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m}-{p}" for p, m in OPERATIONS])
def test_every_operation_on_tenant_rows_has_cells_for_own_force_other_force_and_other_area(path, method):
    route = _route_name(path)
    if route in NOT_TENANT_OWNED:
        return
    if "{" not in path and method == "get":
        return  # lists name no row: what they show is proven by the *_lists_show_exactly_* tests
    targets = {t for targets in _cells()[route, method].values() for t in targets}
    assert targets >= TENANT_TARGETS, f"{method.upper()} {path}: cells only for {sorted(map(str, targets))}"


def test_every_matrix_entry_is_a_real_route_and_method():
    """The reverse: no cells for an operation the schema does not document (a stale or misspelt entry)."""
    documented = {(_route_name(path), method) for path, method in OPERATIONS}
    # The schema and its UI are not in themselves; the API root (links only) is left out of it.
    undocumented_but_served = {("schema", "get"), ("docs", "get"), ("api-root", "get")}
    stale = set(_cells()) - documented - undocumented_but_served
    assert not stale, f"matrix entries for operations the schema does not document: {sorted(stale)}"
