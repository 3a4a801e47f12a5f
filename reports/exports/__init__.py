"""Meeting packs and the headline poster, rendered from a summary dict (live or a meeting's frozen snapshot).

``render_pack(data, fmt)`` is the one entry point; ``data`` is any shape ``content.pack_content``
understands (a force summary, an Area comparison, a meeting snapshot).
"""

from reports.exports.content import pack_content

#: format -> (content type, file extension)
FORMATS = {
    "pdf": ("application/pdf", "pdf"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "poster": ("application/pdf", "pdf"),
}


def render_pack(summary_or_snapshot: dict, fmt: str) -> tuple[bytes, str, str]:
    """``(bytes, content type, file name)`` of the pack in ``fmt`` (one of ``FORMATS``); ValueError otherwise."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown pack format {fmt!r}.")
    pack = pack_content(summary_or_snapshot)
    if fmt == "pdf":
        from reports.exports.pdf import render_pdf as render
    elif fmt == "xlsx":
        from reports.exports.xlsx import render_xlsx as render
    elif fmt == "csv":
        from reports.exports.csv import render_csv as render
    else:
        from reports.exports.poster import render_poster as render
    content_type, extension = FORMATS[fmt]
    kind = "poster" if fmt == "poster" else "pack"
    period = f"{pack.period_from}_{pack.period_to}" if pack.period_from else "snapshot"
    filename = f"{kind}-{pack.code or 'portal'}-{period}.{extension}"
    return render(pack), content_type, filename
