"""The meeting pack as a PDF (reportlab): headline figures with intervals, the trend, the defects, the follow-up."""

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.tables import LongTable

from reports.exports import charts
from reports.exports.content import NUMBER, TOP_CATEGORIES, Pack, Section, cell_kind, show, show_rate
from reports.exports.content import Table as PackTable

STYLES = getSampleStyleSheet()
GRID = TableStyle(
    [
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
        ("FONT", (0, 1), (-1, -1), "Helvetica", 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dfe6f0")),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
    ]
)


def _table(table: PackTable, *, limit: int | None = None) -> Table:
    rows = table.rows[:limit] if limit else table.rows
    cells = [table.header] + [
        [
            Paragraph(show(value, "text"), STYLES["BodyText"])
            if cell_kind(table, r, c) == "text" and isinstance(value, str) and len(value) > 40
            else show(value, cell_kind(table, r, c))
            for c, value in enumerate(row)
        ]
        for r, row in enumerate(rows)
    ]
    if len(cells) == 1:
        cells.append(["None recorded"] + [""] * (len(table.header) - 1))
    flowable = LongTable(cells, repeatRows=1, hAlign="LEFT")
    flowable.setStyle(GRID)
    return flowable


def _headline_paragraphs(section: Section) -> list:
    figures = {label: (now, kind) for label, now, _, kind in section.headline}
    rate = {
        "value": figures["Defective rate"][0],
        "ci_low": figures["Defective rate, 95% CI low"][0],
        "ci_high": figures["Defective rate, 95% CI high"][0],
    }
    lines = [
        f"Schedules assessed: <b>{show(*figures['Schedules assessed'])}</b>",
        f"Defective rate: <b>{show_rate(rate)}</b>",
        f"DRS complete: <b>{show(*figures['DRS complete'])}</b>; "
        f"prosecutor fed back: <b>{show(*figures['Prosecutor fed back'])}</b>",
        f"Feedback overdue: <b>{show(*figures['Feedback overdue'])}</b>; "
        f"responded on time: <b>{show(*figures['Responded on time'])}</b> of "
        f"<b>{show(*figures['Feedback sent'])}</b> sent",
    ]
    return [Paragraph(line, STYLES["BodyText"]) for line in lines]


def _section(section: Section) -> list:
    story = [Paragraph(section.title, STYLES["Heading1"]), *_headline_paragraphs(section), Spacer(1, 4 * mm)]
    if section.monthly:
        png = charts.trend_chart(section.monthly, fmt="png")
        story += [Image(io.BytesIO(png), width=170 * mm, height=68 * mm, kind="proportional"), Spacer(1, 3 * mm)]
    if section.comparison:
        png = charts.comparison_chart(section.comparison, fmt="png")
        story += [Image(io.BytesIO(png), width=170 * mm, height=80 * mm, kind="proportional"), Spacer(1, 3 * mm)]
    for table in section.tables:
        name = table.name
        limit = None
        if name == "Defect categories":
            name, limit = f"Top defect categories (up to {TOP_CATEGORIES})", TOP_CATEGORIES
        story += [Paragraph(name, STYLES["Heading2"]), _table(table, limit=limit), Spacer(1, 3 * mm)]
    return story


def _follow_up(pack: Pack) -> list:
    """Overdue feedback (per force) and the open actions of a meeting."""
    rows = [
        [section.code, show({label: now for label, now, *_ in section.headline}.get("Feedback overdue"), NUMBER)]
        for section in pack.sections
        if section.monthly
    ]
    overdue = PackTable("Overdue feedback", ["Force", "Feedback items overdue"], rows, ["text", "text"])
    story = [Paragraph("Overdue feedback and open actions", STYLES["Heading1"]), _table(overdue), Spacer(1, 3 * mm)]
    if pack.actions is not None:
        story += [Paragraph("Open actions", STYLES["Heading2"]), _table(pack.actions)]
    else:
        note = "Open actions are recorded with a meeting; this pack is not a meeting's."
        story += [Paragraph(note, STYLES["Italic"])]
    return story


def render_pdf(pack: Pack) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=pack.title,
        author="Disclosure quality portal",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
    )
    story = [Paragraph(pack.title, STYLES["Title"]), Paragraph(f"Period: {pack.period_text}", STYLES["BodyText"])]
    for index, section in enumerate(pack.sections):
        if index:
            story.append(PageBreak())
        story += _section(section)
    story += [PageBreak(), *_follow_up(pack)]
    document.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()


def _footer(canvas, document):
    canvas.saveState()
    canvas.setFont("Helvetica", 7)
    canvas.drawString(18 * mm, 8 * mm, "OFFICIAL - quality figures only, no case papers. Disclosure quality portal.")
    canvas.drawRightString(A4[0] - 18 * mm, 8 * mm, f"Page {document.page}")
    canvas.restoreState()
