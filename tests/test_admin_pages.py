"""Every admin page a user can reach renders; tenant lists in the admin are scoped like the API."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", admin.site._registry, ids=lambda m: m._meta.label)
def test_every_changelist_and_change_page_renders_for_a_superuser(shared_world, db, model):
    world = shared_world
    client = signed_in(world.superuser)
    opts = model._meta
    changelist = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert changelist.status_code == 200
    obj = model._default_manager.first()
    if obj is not None:
        change = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
        assert change.status_code == 200


def test_the_admin_index_renders_for_an_org_admin(shared_world, db):
    response = signed_in(shared_world.cps_admin).get("/admin/")
    assert response.status_code == 200
    assert b"Memberships" in response.content


def test_admin_case_lists_are_scoped_like_the_api(shared_world, db):
    world, rows = shared_world, shared_world.rows
    response = signed_in(world.gmp_admin).get(reverse("admin:disclosure_case_changelist"))
    assert response.status_code == 200
    assert {case.force.code for case in response.context["cl"].result_list} == {"GMP"}
    foreign = rows["LANCS"].case  # a row outside the scope is not found, as in the API (not Django's redirect)
    assert signed_in(world.gmp_admin).get(reverse("admin:disclosure_case_change", args=[foreign.pk])).status_code == 404


# --- no other tenant's values in any admin page a force or Area admin can reach ------------

#: Force and Area admins, and a lead of one force (leads work on the dip samples' pages).
ADMINS = ("gmp_admin", "cps_admin", "lancs_lead")


def _marker(code: str) -> str:
    return f"MARKER-{code}-5521"


def _forbidden_values(world, who) -> list[str]:
    """Names of organisations ``who`` may not see, URNs and marked defects of forces whose rows it may not read."""
    from disclosure.models import Case
    from forces.models import Organisation
    from tests.test_permission_matrix import CASE_LEVEL_READERS, TARGETS, VISIBLE_ORGANISATIONS

    hidden = Organisation.objects.exclude(code__in=VISIBLE_ORGANISATIONS[who])
    foreign = [code for code in TARGETS if code not in CASE_LEVEL_READERS[who]]
    return [
        *hidden.values_list("name", flat=True),
        *Case.objects.filter(force__code__in=foreign).values_list("urn", flat=True),
        *(_marker(code) for code in foreign),
    ]


@pytest.mark.parametrize("who", ADMINS)
@pytest.mark.parametrize("model", admin.site._registry, ids=lambda m: m._meta.label)
def test_admin_pages_show_no_other_tenants_values(shared_world, db, model, who):
    from disclosure.models import Defect

    world = shared_world
    for code in ("GMP", "LANCS", "KENT"):
        Defect.objects.filter(pk=world.rows[code].defect.pk).update(item_reference=_marker(code))
    forbidden = _forbidden_values(world, who)
    assert forbidden
    client = signed_in(getattr(world, who))
    opts = model._meta
    changelist = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    if changelist.status_code == 403:
        return
    assert changelist.status_code == 200
    pages = [changelist]
    for obj in list(changelist.context["cl"].result_list)[:5]:
        pages.append(client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])))
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        shown = [value for value in forbidden if value in html]
        assert not shown, f"{who} sees {shown} on {page.request['PATH_INFO']}"


def test_the_admin_check_above_reaches_the_tenant_pages(shared_world, db):
    """Not vacuous: a force admin reaches the case list, with its own force in the filter."""
    client = signed_in(shared_world.gmp_admin)
    response = client.get(reverse("admin:disclosure_case_changelist"))
    assert response.status_code == 200
    assert "Greater Manchester Police" in response.content.decode()


@pytest.mark.parametrize(("field", "related"), [("dip_sample", "planned"), ("schedule", "schedule")])
def test_admin_form_fields_over_tenant_rows_offer_only_visible_rows(shared_world, db, field, related):
    from django.test import RequestFactory

    from disclosure.models import Assessment

    request = RequestFactory().get("/admin/")
    request.user = shared_world.gmp_admin
    model_admin = admin.site._registry[Assessment]
    form_field = model_admin.formfield_for_foreignkey(Assessment._meta.get_field(field), request)
    assert {row.force.code for row in form_field.queryset} == {"GMP"}
    assert getattr(shared_world.rows["GMP"], related) in form_field.queryset


#: What the API serves a chief officer besides figures: the meetings about its force (and their action items) and
#: reference data (every signed-in user's).
OPEN_TO_A_CHIEF_OFFICER = {"disclosure.DefectCategory", "disclosure.Checklist", "reports.Meeting", "reports.ActionItem"}


@pytest.mark.parametrize("model", admin.site._registry, ids=lambda m: m._meta.label)
def test_a_chief_officer_signed_in_to_the_admin_is_refused_every_other_model_page(shared_world, db, model):
    """Every member may sign in (for the dashboards); no model page of rows the API does not serve a chief officer
    (case-level rows, the audit log, memberships, accounts) opens to one."""
    client = signed_in(shared_world.gmp_chief)
    assert client.get("/admin/").status_code == 200
    opts = model._meta
    expected = 200 if opts.label in OPEN_TO_A_CHIEF_OFFICER else 403
    assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code == expected
    obj = model._default_manager.first()
    if obj is not None and expected == 403:
        assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])).status_code == 403


def test_a_disclosure_lead_signed_in_to_the_admin_sees_the_pages_of_what_the_api_serves_it(shared_world, db):
    """Leads work on dip samples and feedback in the admin (disclosure/admin_workflow.py, feedback/admin.py) and read
    the case-level rows, meetings and reference data the API serves them; the audit log, memberships, organisations
    and accounts stay closed to them."""
    response = signed_in(shared_world.gmp_lead).get("/admin/")
    assert response.status_code == 200
    models = sorted(
        (app["app_label"], model["object_name"]) for app in response.context["app_list"] for model in app["models"]
    )
    assert models == [
        ("disclosure", "Assessment"),
        ("disclosure", "Case"),
        ("disclosure", "Checklist"),
        ("disclosure", "Defect"),
        ("disclosure", "DefectCategory"),
        ("disclosure", "DipSample"),
        ("disclosure", "Schedule"),
        ("feedback", "Feedback"),
        ("reports", "ActionItem"),
        ("reports", "Meeting"),
    ]
