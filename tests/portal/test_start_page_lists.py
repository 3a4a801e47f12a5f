"""Below a member's start page, links to the lists they may open: the pages that open to them, by the rules of the
API (leads read case-level rows, every member some meetings, the Area's Quality Group and org admins the audit log)."""

import pytest
from django.test import Client

CASE_LEVEL = ("case", "schedule", "assessment", "defect", "dipsample")
LISTS = {
    **{name: f"/admin/disclosure/{name}/" for name in (*CASE_LEVEL, "defectcategory")},
    "meeting": "/admin/reports/meeting/",
    "actionitem": "/admin/reports/actionitem/",
    "auditevent": "/admin/audit/auditevent/",
}
#: The lists each may open: a lead the case-level rows; a chief officer meetings and reference data only; the
#: Quality Group the case-level rows and its Area's audit log too.
EXPECTED = {
    "cps_lead": {*CASE_LEVEL, "defectcategory", "meeting", "actionitem"},
    "gmp_lead": {*CASE_LEVEL, "defectcategory", "meeting", "actionitem"},
    "gmp_chief": {"defectcategory", "meeting", "actionitem"},
    "cps_quality": {*CASE_LEVEL, "defectcategory", "meeting", "actionitem", "auditevent"},
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_a_member_is_linked_to_the_lists_they_may_open(shared_world, db, who):
    client = Client()
    client.force_login(getattr(shared_world, who))
    html = client.get("/admin/").content.decode()
    lists = html[html.index('id="start-lists"') :]
    lists = lists[: lists.index("</table>")]
    assert {name for name, path in LISTS.items() if f'href="{path}"' in lists} == EXPECTED[who]
    assert {client.get(LISTS[name]).status_code for name in EXPECTED[who]} == {200}
