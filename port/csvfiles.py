"""Reading uploaded CSV files the way county exports come: any common encoding, errors per row."""

from dataclasses import dataclass


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
