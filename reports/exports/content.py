"""What a pack holds, taken from a summary dict: the same tables for the PDF, the workbook and the CSV.

A pack is made from a dict, never from the database, so a meeting's frozen snapshot renders
exactly like a live summary. Three shapes are understood:

- a force summary (``reports.selectors.force_summary``): it has ``monthly``;
- an Area comparison (``reports.selectors.area_comparison``): it has ``forces`` and ``total``;
- a meeting: ``{"title", "period", "summaries": [force summaries], "comparison": {...} | None,
  "actions": [{"owner", "description", "due_on", "status"}]}``; every key but ``summaries`` optional.

Values stay machine values here (rates as fractions, None for "no figure"); each format decides
how to show them.
"""

from dataclasses import dataclass, field

RATINGS = (("fully_meets", "Fully meets"), ("partially_meets", "Partially meets"), ("not_meeting", "Not meeting"))
SEVERITIES = (("critical", "Critical"), ("significant", "Significant"), ("minor", "Minor"))
FEEDBACK = (
    ("sent", "Feedback sent"),
    ("responded", "Responses received"),
    ("responded_on_time", "Responded on time"),
    ("overdue", "Feedback overdue"),
    ("disputed", "Disputed"),
    ("breaches", "Deadline breaches"),
    ("median_days_to_response", "Median days to response"),
)
#: How many defect categories the PDF shows (the workbook and CSV hold them all).
TOP_CATEGORIES = 10

PERCENT = "percent"
NUMBER = "number"


@dataclass
class Table:
    name: str
    header: list[str]
    rows: list[list]
    #: Per column: PERCENT for fractions shown as percentages, NUMBER otherwise (text is left alone).
    kinds: list[str] = field(default_factory=list)
    #: For a column of kind "row": the kind of each row (the headline table mixes counts and rates).
    row_kinds: list[str] = field(default_factory=list)


@dataclass
class Section:
    """One force (or an Area's comparison) within a pack."""

    title: str
    code: str
    headline: list[tuple[str, object, object, str]]  # (label, this period, previous period, kind)
    tables: list[Table]
    monthly: list[dict] = field(default_factory=list)
    comparison: list[dict] = field(default_factory=list)  # [{code, name, defective_rate{...}}] for the chart


@dataclass
class Pack:
    title: str
    code: str
    period_from: str
    period_to: str
    stream: str | None
    sections: list[Section]
    actions: Table | None = None

    @property
    def period_text(self) -> str:
        stream = f", stream {self.stream}" if self.stream else ", all streams"
        return f"{self.period_from} to {self.period_to}{stream}"


def _code(value) -> str:
    if isinstance(value, dict):
        return str(value.get("code", ""))
    return str(value or "")


def _name(value, fallback: str) -> str:
    if isinstance(value, dict):
        return str(value.get("name") or value.get("code") or fallback)
    return fallback


def rate_value(rate):
    return rate.get("value") if isinstance(rate, dict) else rate


def headline_rows(figures: dict, previous: dict | None) -> list[tuple[str, object, object, str]]:
    """The headline figures of a force (or an Area total), with the previous period's beside them."""
    previous = previous or {}

    def pair(label, key, kind=NUMBER, sub=None):
        now, before = figures.get(key), previous.get(key)
        if sub is not None:
            now = (now or {}).get(sub) if isinstance(now, dict) else None
            before = (before or {}).get(sub) if isinstance(before, dict) else None
        return (label, now, before, kind)

    rows = [
        pair("Schedules assessed", "schedules_assessed"),
        pair("Defective rate", "defective_rate", PERCENT, "value"),
        pair("Defective rate, 95% CI low", "defective_rate", PERCENT, "ci_low"),
        pair("Defective rate, 95% CI high", "defective_rate", PERCENT, "ci_high"),
        pair("Defects per schedule", "defects_per_schedule"),
        pair("DRS complete", "drs_complete_rate", PERCENT),
        pair("Prosecutor fed back", "prosecutor_fed_back_rate", PERCENT),
    ]
    rows += [pair(label, "ratings", NUMBER, key) for key, label in RATINGS]
    rows += [pair(label, "feedback", NUMBER, key) for key, label in FEEDBACK]
    if "action_items" in figures:
        rows += [pair("Action items open", "action_items", NUMBER, "open")]
        rows += [pair("Action items overdue", "action_items", NUMBER, "overdue")]
    return rows


def _by_stream(by_stream) -> list[tuple[str, dict]]:
    """``{stream: figures}`` or ``[{"stream": ..., **figures}]``, as (stream, figures) pairs."""
    if isinstance(by_stream, dict):
        return list(by_stream.items())
    return [(str(row.get("stream")), row) for row in by_stream or []]


def _differs(force: dict, listed: set[str]) -> str:
    """Whether a force's rate differs from the rest of its Area: its own ``differs`` or the Area's list."""
    if "differs" in force:
        return str(force["differs"] or "no")
    return "yes" if _code(force.get("code") or force.get("force")) in listed else "no"


def _force_section(summary: dict) -> Section:
    code = _code(summary.get("force"))
    name = _name(summary.get("force"), code)
    headline = headline_rows(summary, summary.get("previous"))
    tables = [
        Table(
            "Headline figures",
            ["Figure", "This period", "Previous period"],
            [[label, now, before] for label, now, before, _ in headline],
            ["text", "row", "row"],
            row_kinds=[kind for *_, kind in headline],
        ),
        Table(
            "Monthly trend",
            ["Month", "Schedules assessed", "Defective rate", "95% CI low", "95% CI high"],
            [
                [
                    str(month.get("month"))[:7],
                    month.get("schedules_assessed"),
                    *((month.get("defective_rate") or {}).get(key) for key in ("value", "ci_low", "ci_high")),
                ]
                for month in summary.get("monthly") or []
            ],
            ["text", NUMBER, PERCENT, PERCENT, PERCENT],
        ),
        Table(
            "Defect categories",
            ["Code", "Category", "Defects"],
            [[row.get("code"), row.get("name"), row.get("count")] for row in summary.get("defects_by_category") or []],
            ["text", "text", NUMBER],
        ),
        Table(
            "Defects by severity",
            ["Severity", "Defects"],
            [[label, (summary.get("defects_by_severity") or {}).get(key)] for key, label in SEVERITIES],
            ["text", NUMBER],
        ),
        Table(
            "By stream",
            ["Stream", "Schedules assessed", "Defective rate", "95% CI low", "95% CI high", "DRS complete"],
            [
                [
                    stream,
                    figures.get("schedules_assessed"),
                    *((figures.get("defective_rate") or {}).get(key) for key in ("value", "ci_low", "ci_high")),
                    figures.get("drs_complete_rate"),
                ]
                for stream, figures in _by_stream(summary.get("by_stream"))
            ],
            ["text", NUMBER, PERCENT, PERCENT, PERCENT, PERCENT],
        ),
    ]
    return Section(
        title=name if name == code else f"{name} ({code})",
        code=code,
        headline=headline,
        tables=tables,
        monthly=list(summary.get("monthly") or []),
    )


def _comparison_section(comparison: dict) -> Section:
    code = _code(comparison.get("area"))
    forces = comparison.get("forces") or []
    differs = comparison.get("differs")
    differs = set(differs) if isinstance(differs, list) else set()
    header = [
        "Force",
        "Name",
        "Schedules assessed",
        "Defective rate",
        "95% CI low",
        "95% CI high",
        "DRS complete",
        "Feedback overdue",
        "Differs from the Area",
    ]

    def row(code_, name, figures, differs_text):
        rate = figures.get("defective_rate") or {}
        return [
            code_,
            name,
            figures.get("schedules_assessed"),
            rate.get("value"),
            rate.get("ci_low"),
            rate.get("ci_high"),
            figures.get("drs_complete_rate"),
            (figures.get("feedback") or {}).get("overdue"),
            differs_text,
        ]

    rows = [row(_code(f.get("code") or f.get("force")), f.get("name", ""), f, _differs(f, differs)) for f in forces]
    total = comparison.get("total") or {}
    rows.append(row("Area", code, total, ""))
    table = Table(
        "Forces compared",
        header,
        rows,
        ["text", "text", NUMBER, PERCENT, PERCENT, PERCENT, PERCENT, NUMBER, "text"],
    )
    return Section(
        title=f"{code}: forces compared",
        code=code,
        headline=headline_rows(total, total.get("previous")),
        tables=[table],
        comparison=[
            {"code": _code(f.get("code") or f.get("force")), "defective_rate": f.get("defective_rate") or {}}
            for f in forces
        ],
    )


def _actions_table(actions: list[dict]) -> Table:
    return Table(
        "Open actions",
        ["Owner", "Action", "Due", "Status"],
        [
            [_code(a.get("owner")) or str(a.get("owner") or ""), a.get("description"), a.get("due_on"), a.get("status")]
            for a in actions
            if a.get("status", "open") == "open"
        ],
        ["text"] * 4,
    )


def pack_content(data: dict) -> Pack:
    """Normalise a force summary, an Area comparison or a meeting snapshot into a ``Pack``."""
    period = data.get("period") or {}
    if "summaries" in data:
        summaries = data.get("summaries") or []
        if isinstance(summaries, dict):
            summaries = list(summaries.values())
        sections = [_force_section(summary) for summary in summaries]
        if data.get("comparison"):
            sections.insert(0, _comparison_section(data["comparison"]))
        code = _code(data.get("area")) or (sections[0].code if sections else "")
        title = str(data.get("title") or f"Meeting pack: {code}")
        period = period or (summaries[0].get("period") if summaries else {}) or {}
        actions = _actions_table(data.get("actions") or [])
        stream = data.get("stream")
    elif "forces" in data and "monthly" not in data:
        section = _comparison_section(data)
        sections, code = [section], section.code
        title = f"Disclosure quality pack: {code}"
        actions, stream = None, data.get("stream")
    else:
        section = _force_section(data)
        sections, code = [section], section.code
        title = f"Disclosure quality pack: {section.title}"
        actions, stream = None, data.get("stream")
    return Pack(
        title=title,
        code=code,
        period_from=str(period.get("from", "")),
        period_to=str(period.get("to", "")),
        stream=stream,
        sections=sections,
        actions=actions,
    )


def cell_kind(table: Table, row_index: int, column: int) -> str:
    kind = table.kinds[column] if column < len(table.kinds) else NUMBER
    if kind == "row":
        return table.row_kinds[row_index]
    return kind or NUMBER


def show(value, kind: str) -> str:
    """A value as people read it: rates as percentages to one decimal, None as an en dash."""
    if value is None or value == "":
        return "\u2013"
    if kind == PERCENT and isinstance(value, int | float):
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return str(value)


def show_rate(rate) -> str:
    """``48.3% (95% CI 39.6%-57.2%)``, or an en dash when there is no figure."""
    if not isinstance(rate, dict) or rate.get("value") is None:
        return "\u2013"
    text = show(rate["value"], PERCENT)
    if rate.get("ci_low") is not None and rate.get("ci_high") is not None:
        text += f" (95% CI {show(rate['ci_low'], PERCENT)}\u2013{show(rate['ci_high'], PERCENT)})"
    return text
