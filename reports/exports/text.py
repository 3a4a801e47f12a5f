"""Cells that a spreadsheet would read as a formula are written as text (CSV and formula injection)."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """``value``, or for a string a spreadsheet would evaluate (``=HYPERLINK(...)``), the same string quoted.

    Numbers are left alone (a negative number is a number); only text is guarded, as OWASP
    recommends for CSV injection: a leading single quote makes Excel and LibreOffice show it as text.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
