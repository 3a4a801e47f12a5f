"""Charts drawn on the server with matplotlib (Agg): PNG for the PDFs, SVG inline in the admin pages.

No CDN, no JavaScript: CPS and police networks block them. ``Figure`` objects are used directly
(not pyplot), so nothing is shared between requests or threads.
"""

import io
import os
import tempfile

# matplotlib writes a font cache under MPLCONFIGDIR; the app's home may be read-only in a container.
os.environ.setdefault("MPLCONFIGDIR", os.path.join(tempfile.gettempdir(), "portal-matplotlib"))

from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

CPS_BLUE = "#1d4f91"
BAND = "#9fb8dc"
BARS = "#c9d3e0"
RC = {"svg.fonttype": "none", "font.size": 9, "svg.hashsalt": "portal"}


def _render(figure: Figure, fmt: str) -> bytes:
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, dpi=150 if fmt == "png" else 72, bbox_inches="tight", metadata=_metadata(fmt))
    return buffer.getvalue()


def _metadata(fmt: str) -> dict:
    # No creation date: the same figures give the same chart bytes.
    return {"Date": None} if fmt == "svg" else {}


def trend_chart(monthly: list[dict], *, fmt: str = "png", width: float = 7.0, height: float = 2.8) -> bytes:
    """Defective rate by month (line, with its 95% interval as a band) over schedules assessed (bars)."""
    with rc_context(RC):
        figure = Figure(figsize=(width, height))
        bars_axis = figure.add_subplot()
        months = [str(m.get("month"))[:7] for m in monthly]
        positions = range(len(months))
        counts = [m.get("schedules_assessed") or 0 for m in monthly]
        bars_axis.bar(positions, counts, color=BARS, label="Schedules assessed")
        bars_axis.set_ylabel("Schedules assessed")
        bars_axis.set_xticks(list(positions), months, rotation=45, ha="right")
        rate_axis = bars_axis.twinx()
        points = [
            (i, m.get("defective_rate") or {})
            for i, m in enumerate(monthly)
            if (m.get("defective_rate") or {}).get("value") is not None
        ]
        if points:
            xs = [i for i, _ in points]
            rate_axis.fill_between(
                xs,
                [100 * (r.get("ci_low") if r.get("ci_low") is not None else r["value"]) for _, r in points],
                [100 * (r.get("ci_high") if r.get("ci_high") is not None else r["value"]) for _, r in points],
                color=BAND,
                alpha=0.5,
                label="95% interval",
            )
            rate_axis.plot(xs, [100 * r["value"] for _, r in points], color=CPS_BLUE, marker="o", label="Defective %")
        rate_axis.set_ylim(0, 100)
        rate_axis.set_ylabel("Defective schedules (%)")
        rate_axis.yaxis.set_label_position("left")
        rate_axis.yaxis.tick_left()
        bars_axis.yaxis.set_label_position("right")
        bars_axis.yaxis.tick_right()
        bars_axis.set_title("Monthly trend: defective schedules (95% interval) and schedules assessed")
        figure.tight_layout()
        return _render(figure, fmt)


def comparison_chart(forces: list[dict], *, fmt: str = "png", width: float = 7.0) -> bytes:
    """Each force's defective rate with its 95% interval, side by side."""
    with rc_context(RC):
        figure = Figure(figsize=(width, 0.6 + 0.45 * max(len(forces), 1)))
        axis = figure.add_subplot()
        shown = [(f["code"], f["defective_rate"]) for f in forces if f["defective_rate"].get("value") is not None]
        for y, (_, rate) in enumerate(shown):
            value = 100 * rate["value"]
            low = 100 * rate["ci_low"] if rate.get("ci_low") is not None else value
            high = 100 * rate["ci_high"] if rate.get("ci_high") is not None else value
            axis.barh(y, value, color=BARS)
            axis.errorbar(value, y, xerr=[[value - low], [high - value]], color=CPS_BLUE, capsize=4, fmt="o")
        axis.set_yticks(range(len(shown)), [code for code, _ in shown])
        axis.invert_yaxis()  # the first force on top, as in the table
        axis.set_xlim(0, 100)
        axis.set_xlabel("Defective schedules (%), with 95% interval")
        figure.tight_layout()
        return _render(figure, fmt)
