"""The meeting pack as one CSV: each table in turn, every row led by its table's name, a blank line between.

A row is ``[table, *cells]``; each table starts with its header row (``[table, *column names]``).
Rates are fractions (0.4833), as in the workbook; an absent figure is an empty cell.
"""

import csv
import io

from reports.exports.content import Pack
from reports.exports.text import spreadsheet_safe


def render_csv(pack: Pack) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["Pack", spreadsheet_safe(pack.title), pack.period_from, pack.period_to, pack.stream or "all"])
    tables = [(section, table) for section in pack.sections for table in section.tables]
    if pack.actions is not None:
        tables.append((None, pack.actions))
    for section, table in tables:
        name = f"{section.code} {table.name}" if section is not None and len(pack.sections) > 1 else table.name
        writer.writerow([])
        writer.writerow([name, *table.header])
        for row in table.rows:
            writer.writerow([name, *("" if value is None else spreadsheet_safe(value) for value in row)])
    # A byte-order mark, so Excel opens the UTF-8 file with its accents and dashes intact.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
