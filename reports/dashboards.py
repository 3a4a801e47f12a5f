"""Dashboards in the admin: a force's figures (its chief officers') and an Area's comparison (its Quality Group's).

Rendered on the server - figures in HTML, charts as SVG drawn by matplotlib - with no script or
asset from elsewhere. The figures come from ``reports.selectors`` (Http404 for a user who may not
read them) and the pack download goes through ``reports.services_exports.pack_export``, audited.
"""

import base64
import datetime

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from forces.models import Membership, Organisation, OrganisationKind, Stream
from reports import selectors
from reports.api.pack_views import file_response
from reports.exports import FORMATS, charts
from reports.exports.content import NUMBER, PERCENT, headline_rows, show, show_rate
from reports.services_exports import pack_export

#: The headline figures a dashboard shows, by label (``reports.exports.content.headline_rows``).
SHOWN = (
    "Schedules assessed",
    "DRS complete",
    "Prosecutor fed back",
    "Defects per schedule",
    "Feedback sent",
    "Responded on time",
    "Feedback overdue",
    "Median days to response",
)


def _svg_data_uri(svg: bytes) -> str:
    # An <img> of a data URI: the chart's text can never run as markup in the page.
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def _window(request) -> tuple[datetime.date, datetime.date, dict]:
    today = timezone.localdate()
    try:
        date_from, date_to = selectors.summary_window(request.GET.get("from"), request.GET.get("to"), today)
        return date_from, date_to, {}
    except ValidationError as error:
        date_from, date_to = selectors.summary_window(None, None, today)
        return date_from, date_to, error.message_dict


def _stream(request) -> str | None:
    stream = request.GET.get("stream") or None
    return stream if stream in Stream.values else None


def _figures(figures: dict) -> list[dict]:
    """Headline figures as rows of (label, slug, this period, previous period) for the template."""
    rows = []
    headline = headline_rows(figures, figures.get("previous"))
    by_label = {label: (now, before, kind) for label, now, before, kind in headline}
    rows.append(
        {
            "label": "Defective rate",
            "slug": "defective-rate",
            "now": show_rate(figures.get("defective_rate")),
            "before": show_rate((figures.get("previous") or {}).get("defective_rate")),
        }
    )
    for label in SHOWN:
        now, before, kind = by_label.get(label, (None, None, NUMBER))
        rows.append(
            {
                "label": label,
                "slug": label.lower().replace(" ", "-"),
                "now": show(now, kind),
                "before": show(before, kind),
            }
        )
    return rows


def _context(request, *, organisation, title, date_from, date_to, stream, errors) -> dict:
    return {
        **admin.site.each_context(request),
        "is_nav_sidebar_enabled": False,  # a chief officer's sidebar would only say there is nothing to see
        "title": title,
        "organisation": organisation,
        "period": {"from": date_from.isoformat(), "to": date_to.isoformat()},
        "stream": stream or "",
        "streams": Stream.choices,
        "window_errors": errors,
        "formats": [(fmt, "Headline poster (one page PDF)" if fmt == "poster" else fmt.upper()) for fmt in FORMATS],
        "pack_url": reverse("admin:reports_pack_download", args=[organisation.code]),
    }


@require_http_methods(["GET", "HEAD"])
def force_dashboard(request, code: str):
    """A force's headline figures, its monthly trend and the comparison with the previous period."""
    force = get_object_or_404(Organisation.objects.visible_to(request.user).forces(), code=code)
    date_from, date_to, errors = _window(request)
    stream = _stream(request)
    summary = selectors.force_summary(
        user=request.user, force=force, date_from=date_from, date_to=date_to, stream=stream
    )
    context = _context(
        request,
        organisation=force,
        title=f"{force.name}: disclosure quality",
        date_from=date_from,
        date_to=date_to,
        stream=stream,
        errors=errors,
    )
    context.update(
        figures=_figures(summary),
        categories=(summary.get("defects_by_category") or [])[:10],
        chart=_svg_data_uri(charts.trend_chart(summary.get("monthly") or [], fmt="svg", width=9, height=3.2)),
        area_url=_area_url(request.user, force),
    )
    return TemplateResponse(request, "reports/force_dashboard.html", context)


@require_http_methods(["GET", "HEAD"])
def area_dashboard(request, code: str):
    """An Area's forces side by side, with the Area total, for its Quality Group, CPS leads and admins."""
    area = get_object_or_404(Organisation.objects.visible_to(request.user).areas(), code=code)
    date_from, date_to, errors = _window(request)
    stream = _stream(request)
    comparison = selectors.area_comparison(
        user=request.user, area=area, date_from=date_from, date_to=date_to, stream=stream
    )
    forces = []
    for row in comparison.get("forces") or []:
        force_code = row.get("force") or row.get("code")
        forces.append(
            {
                "code": force_code,
                "name": row.get("name", ""),
                "assessed": show(row.get("schedules_assessed"), NUMBER),
                "rate": show_rate(row.get("defective_rate")),
                "drs": show(row.get("drs_complete_rate"), PERCENT),
                "differs": row.get("differs") or "",
                "url": reverse("admin:reports_force_dashboard", args=[force_code]),
                "defective_rate": row.get("defective_rate") or {},
            }
        )
    context = _context(
        request,
        organisation=area,
        title=f"{area.name}: forces compared",
        date_from=date_from,
        date_to=date_to,
        stream=stream,
        errors=errors,
    )
    total = comparison.get("total") or {}
    context.update(
        forces=forces,
        figures=_figures(total),
        chart=_svg_data_uri(charts.comparison_chart(forces, fmt="svg", width=8)),
    )
    return TemplateResponse(request, "reports/area_dashboard.html", context)


@require_POST
def pack_download(request, code: str):
    """The pack or poster asked for in a dashboard's form (with its reason), logged as a disclosure."""
    organisation = get_object_or_404(Organisation.objects.visible_to(request.user), code=code)
    try:
        exported = pack_export(actor=request.user, organisation=organisation, params=request.POST, via="admin")
        return file_response(*exported)
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            messages.error(request, f"{field}: {' '.join(problems)}")
    name = "reports_force_dashboard" if organisation.is_force else "reports_area_dashboard"
    query = {key: request.POST[key] for key in ("from", "to", "stream") if request.POST.get(key)}
    return HttpResponseRedirect(reverse(f"admin:{name}", args=[code]) + (f"?{urlencode(query)}" if query else ""))


def _area_url(user, force: Organisation) -> str | None:
    """A link to the force's Area comparison, for those who may read it."""
    try:
        area = Organisation.objects.visible_to(user).areas().get(pk=force.area_id)
    except Organisation.DoesNotExist:
        return None
    if not user.is_superuser and not Membership.objects.filter(user=user, organisation=area).exists():
        return None
    return reverse("admin:reports_area_dashboard", args=[area.code])


def dashboard_links(request) -> list[tuple[str, list[tuple[str, str]]]]:
    """The admin index's links: each member's force dashboards and Area comparisons."""
    user = request.user
    if user.is_superuser:
        organisations = list(Organisation.objects.visible_to(user).order_by("kind", "code"))
    else:
        organisations = [
            m.organisation
            for m in Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__code")
        ]
    areas = {o.code: o for o in organisations if o.kind == OrganisationKind.CPS_AREA}
    forces = {o.code: o for o in organisations if o.kind == OrganisationKind.POLICE_FORCE}
    groups = []
    if areas:
        links = [
            (f"{area.name}: forces compared", reverse("admin:reports_area_dashboard", args=[area.code]))
            for area in areas.values()
        ]
        groups.append(("Area dashboards", links))
    if forces:
        links = [
            (f"{f.name}: dashboard", reverse("admin:reports_force_dashboard", args=[f.code])) for f in forces.values()
        ]
        groups.append(("Force dashboards", links))
    return groups
