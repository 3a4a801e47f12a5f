"""The start page: what the admin index shows a member, by the roles they hold.

A lead: their open dip samples and what waits for their side (samples to draw, assess or sign,
feedback to send, answer or close, overdue first). A chief officer: their force's dashboard. The
Quality Group: its Area's comparison. An org admin: their members, locked accounts first.
Reads go through the apps' scoped selectors (``portal.selectors``); links are the admin's URL names.
"""

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from forces.models import Role
from portal import selectors


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _lead_section(user, sides: selectors.LeadSides) -> dict:
    samples = []
    for sample in selectors.open_dip_samples(user=user)[: selectors.SHOWN]:
        side = sides.side_of(sample)
        step, yours = selectors.sample_next_step(sample, side)
        samples.append(
            {
                "row": sample,
                "step": step,
                "yours": yours,
                "url": _url("admin:disclosure_dipsample_change", sample.pk),
            }
        )
    feedback = [
        {
            "row": item,
            "step": selectors.FEEDBACK_NEXT_STEP.get(item.status, item.get_status_display()),
            "url": _url("admin:feedback_feedback_change", item.pk),
        }
        for item in selectors.feedback_waiting(user=user)[: selectors.SHOWN]
    ]
    samples.sort(key=lambda entry: not entry["yours"])  # what waits for you first (stable: oldest first)
    return {
        "samples": samples,
        "feedback": feedback,
        "samples_url": _url("admin:disclosure_dipsample_changelist"),
        "feedback_url": _url("admin:feedback_feedback_changelist"),
        "shown": selectors.SHOWN,
    }


def _admin_section(user) -> dict:
    members = list(selectors.members_for_admin(user=user)[: selectors.SHOWN * 2])
    return {
        "members": members,
        "locked": [membership for membership in members if membership.is_locked],
        "members_url": _url("admin:forces_membership_changelist"),
        "add_url": _url("admin:forces_membership_add_member"),
    }


def start_page(request) -> dict | None:
    """The start page's sections for ``request.user`` (``None`` when they hold no membership)."""
    user = request.user
    roles = selectors.roles_of(user=user)
    if not roles:
        return None
    held = {role for role, _, _ in roles}
    page: dict = {"roles": sorted({Role(role).label for role in held})}
    if Role.DISCLOSURE_LEAD in held:
        page["lead"] = _lead_section(user, selectors.lead_sides(roles))
    if held & {Role.CHIEF_OFFICER, Role.QUALITY_GROUP}:
        dashboards = selectors.dashboards_for(user=user, roles=roles)
        today = timezone.localdate()
        page["forces"] = [
            (
                force,
                reverse("admin:reports_force_dashboard", args=[force.code]),
                selectors.force_headline(user=user, force=force, today=today),
            )
            for force in dashboards["forces"]
        ]
        page["areas"] = [
            (
                area,
                reverse("admin:reports_area_dashboard", args=[area.code]),
                selectors.area_headline(user=user, area=area, today=today),
            )
            for area in dashboards["areas"]
        ]
    if Role.ORG_ADMIN in held:
        page["org_admin"] = _admin_section(user)
    return page
