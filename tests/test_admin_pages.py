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
    foreign = rows["LANCS"].case
    assert signed_in(world.gmp_admin).get(reverse("admin:disclosure_case_change", args=[foreign.pk])).status_code == 302


@pytest.mark.parametrize("model", admin.site._registry, ids=lambda m: m._meta.label)
def test_a_chief_officer_signed_in_to_the_admin_is_refused_every_model_page(shared_world, db, model):
    """Every member may sign in (for the dashboards); no model page opens to a chief officer."""
    client = signed_in(shared_world.gmp_chief)
    assert client.get("/admin/").status_code == 200
    opts = model._meta
    assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code == 403
    obj = model._default_manager.first()
    if obj is not None:
        assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])).status_code == 403


def test_a_disclosure_lead_signed_in_to_the_admin_sees_no_model_page(shared_world, db):
    response = signed_in(shared_world.gmp_lead).get("/admin/")
    assert response.status_code == 200
    assert response.context["app_list"] == []
