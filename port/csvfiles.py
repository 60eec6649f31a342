"""CSV files in and out: reading county exports in any common encoding, sizes said the same way
everywhere, and cells written so a spreadsheet never runs them as formulas."""

import math
from dataclasses import dataclass

MB = 1024 * 1024
# OWASP's list (CSV injection): a cell starting with one of these is a formula to Excel or LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class RowError:
    """One bad cell or row: the file's row number (header is row 1), the column and what to fix."""

    row: int
    column: str
    reason: str


def decode(data):
    """Text and the encoding it was in: UTF-8 (with or without BOM), else Windows-1252 (Excel's default)."""

    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def megabytes(size, *, round_up=False):
    """"20 MB", "50.1 MB": one decimal, none when it is 0. A limit is rounded down and a file's size up,
    so a file over the limit never reads as the same number."""

    tenths = size * 10 / MB
    tenths = math.ceil(tenths) if round_up else math.floor(tenths)
    return f"{tenths // 10} MB" if tenths % 10 == 0 else f"{tenths / 10:.1f} MB"


def too_big(size, limit):
    """Why an upload is refused for its size, or "" when it is not too big."""

    if size <= limit:
        return ""
    return (f"The file is {megabytes(size, round_up=True)}; the limit is {megabytes(limit)}. "
            "Split it into smaller files.")


def safe_cell(value):
    """A cell a spreadsheet shows as text: a leading apostrophe where it would start a formula (OWASP)."""

    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(cells):
    return [safe_cell(cell) for cell in cells]


def unsafe_cell(value):
    """A cell as it was before safe_cell, so a file we wrote can be fixed in a text editor and uploaded
    again (a spreadsheet drops the apostrophe itself when it saves)."""

    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value
