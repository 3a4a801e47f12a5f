"""The meeting pack as a workbook (openpyxl): one sheet per table, rates as numbers formatted as percentages."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from reports.exports.content import PERCENT, Pack, cell_kind
from reports.exports.text import spreadsheet_safe

#: Characters Excel refuses in a sheet title.
FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def _title(name: str, taken: set[str]) -> str:
    base = name.translate(FORBIDDEN)[:31]
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def render_xlsx(pack: Pack) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = pack.title
    workbook.properties.creator = "Disclosure quality portal"
    taken: set[str] = set()
    about = workbook.create_sheet(_title("About", taken))
    for row in (
        ["Pack", pack.title],
        ["Period from", pack.period_from],
        ["Period to", pack.period_to],
        ["Stream", pack.stream or "all"],
    ):
        about.append([spreadsheet_safe(value) for value in row])
    tables = [(section, table) for section in pack.sections for table in section.tables]
    if pack.actions is not None:
        tables.append((None, pack.actions))
    for section, table in tables:
        prefix = f"{section.code} " if section is not None and len(pack.sections) > 1 else ""
        sheet = workbook.create_sheet(_title(prefix + table.name, taken))
        sheet.append(table.header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for r, row in enumerate(table.rows):
            sheet.append([spreadsheet_safe(value) for value in row])
            for c, cell in enumerate(sheet[sheet.max_row]):
                if cell_kind(table, r, c) == PERCENT and isinstance(cell.value, int | float):
                    cell.number_format = "0.0%"
        for c, heading in enumerate(table.header, start=1):
            width = max([len(str(heading))] + [len(str(row[c - 1])) for row in table.rows if c - 1 < len(row)])
            sheet.column_dimensions[get_column_letter(c)].width = min(max(width + 2, 10), 60)
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
