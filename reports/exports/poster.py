"""The headline poster: one A4 page of an Area's (or a force's) headline figures, for notice boards.

Drawn straight on a reportlab canvas, so it is always exactly one page, however many forces.
"""

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from reports.exports.content import PERCENT, Pack, show

NAVY = colors.HexColor("#1d4f91")
WIDTH, HEIGHT = A4
MARGIN = 18 * mm


def _figures(section) -> dict:
    return {label: (now, kind) for label, now, _, kind in section.headline}


def _big_figure(canvas: Canvas, x: float, y: float, label: str, value: str) -> None:
    canvas.setFillColor(NAVY)
    canvas.setFont("Helvetica-Bold", 30)
    canvas.drawString(x, y, value)
    canvas.setFillColor(colors.black)
    canvas.setFont("Helvetica", 10)
    canvas.drawString(x, y - 5 * mm, label)


def render_poster(pack: Pack) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"Headline disclosure figures: {pack.code}")
    canvas.setAuthor("Disclosure quality portal")
    section = pack.sections[0]
    figures = _figures(section)
    canvas.setFillColor(NAVY)
    canvas.rect(0, HEIGHT - 45 * mm, WIDTH, 45 * mm, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    canvas.setFont("Helvetica-Bold", 22)
    canvas.drawString(MARGIN, HEIGHT - 22 * mm, "Disclosure quality: headline figures")
    canvas.setFont("Helvetica", 13)
    canvas.drawString(MARGIN, HEIGHT - 32 * mm, section.title.replace(": forces compared", ""))
    canvas.drawString(MARGIN, HEIGHT - 39 * mm, f"Period: {pack.period_text}")

    rate = {
        "value": figures["Defective rate"][0],
        "ci_low": figures["Defective rate, 95% CI low"][0],
        "ci_high": figures["Defective rate, 95% CI high"][0],
    }
    top = HEIGHT - 70 * mm
    column = (WIDTH - 2 * MARGIN) / 2
    _big_figure(canvas, MARGIN, top, "schedules assessed", show(*figures["Schedules assessed"]))
    _big_figure(canvas, MARGIN + column, top, "of schedules had a police-side defect", show(rate["value"], PERCENT))
    canvas.setFont("Helvetica", 9)
    if rate["ci_low"] is not None and rate["ci_high"] is not None:
        interval = f"95% interval {show(rate['ci_low'], PERCENT)} to {show(rate['ci_high'], PERCENT)}"
        canvas.drawString(MARGIN + column, top - 10 * mm, interval)
    top -= 32 * mm
    _big_figure(canvas, MARGIN, top, "DRS complete", show(*figures["DRS complete"]))
    _big_figure(canvas, MARGIN + column, top, "prosecutor fed back", show(*figures["Prosecutor fed back"]))
    top -= 32 * mm
    if figures["Feedback sent"][0] is not None:
        _big_figure(canvas, MARGIN, top, "feedback items sent to forces", show(*figures["Feedback sent"]))
        _big_figure(canvas, MARGIN + column, top, "responded to on time", show(*figures["Responded on time"]))
    else:  # an Area's comparison carries no feedback figures: the ratings instead
        _big_figure(canvas, MARGIN, top, "schedules not meeting the standard", show(*figures["Not meeting"]))
        per_schedule = show(*figures["Defects per schedule"])
        _big_figure(canvas, MARGIN + column, top, "police-side defects per schedule", per_schedule)

    comparison = next((t for t in section.tables if t.name == "Forces compared"), None)
    if comparison is not None:
        top -= 22 * mm
        canvas.setFont("Helvetica-Bold", 12)
        canvas.drawString(MARGIN, top, "By force")
        top -= 8 * mm
        columns = (MARGIN, MARGIN + 30 * mm, MARGIN + 70 * mm, MARGIN + 110 * mm)
        canvas.setFont("Helvetica-Bold", 9)
        for x, heading in zip(columns, ("Force", "Schedules assessed", "Defective rate", "DRS complete"), strict=True):
            canvas.drawString(x, top, heading)
        canvas.setFont("Helvetica", 9)
        # At most as many rows as fit above the footer: the poster stays one page.
        room = int((top - 30 * mm) // (6 * mm))
        for row in comparison.rows[:room]:
            top -= 6 * mm
            code, _, assessed, value, _, _, drs, *_ = row
            cells = (code, show(assessed, "number"), show(value, PERCENT), show(drs, PERCENT))
            for x, text in zip(columns, cells, strict=True):
                canvas.drawString(x, top, str(text))

    canvas.setFont("Helvetica", 8)
    canvas.setFillColor(colors.grey)
    canvas.drawString(
        MARGIN,
        14 * mm,
        "Share of dip-sampled unused material schedules with at least one police-side defect (95% Wilson interval).",
    )
    canvas.drawString(MARGIN, 10 * mm, "Joint CPS-police disclosure action plan. Quality figures only: no case papers.")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
