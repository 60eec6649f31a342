"""Reading an events CSV: decoding, the column mapping, and validating each row (no writes).

The importer (survivors/importer.py) and the preview both go through `validate_rows`, which
applies the same rules as the event form (survivors/validation.py) to every row.
"""

import csv
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError

from port.csvfiles import RowError, safe_row, unsafe_cell

from . import validation
from .matching import Identity
from .models import OverdoseEvent
from .text import normalize_name


class ImportRefused(Exception):
    """The file cannot be imported at all (too big, not a CSV, a cell far too long)."""


@dataclass(frozen=True)
class ImportField:
    name: str
    label: str
    required: bool = False
    max_length: int | None = None
    synonyms: tuple = ()


FIELDS = [
    ImportField("incident_number", "Incident number", True, 64,
                ("incident", "incident number", "incident no", "incident id", "case number", "run number",
                 "pcr number", "report number", "call number")),
    ImportField("occurred_at", "Date (and time) of the overdose", True, None,
                ("date", "incident date", "date time", "datetime", "occurred", "occurred at", "event date",
                 "dispatch date", "date of incident", "incident datetime", "incident date time")),
    ImportField("occurred_time", "Time of the overdose (if in its own column)", False, None,
                ("time", "incident time", "dispatch time")),
    ImportField("first_name", "First name", False, 100,
                ("first", "first name", "fname", "given name", "patient first name")),
    ImportField("last_name", "Last name", False, 100,
                ("last", "last name", "lname", "surname", "family name", "patient last name")),
    ImportField("date_of_birth", "Date of birth", False, None, ("dob", "date of birth", "birth date", "birthdate")),
    ImportField("phone", "Phone", False, None,
                ("phone", "phone number", "telephone", "cell", "mobile", "contact phone", "patient phone")),
    ImportField("sex", "Sex", False, 20, ("sex", "gender")),
    ImportField("age", "Age", False, None, ("age", "patient age")),
    ImportField("address", "Address of the overdose", False, 200,
                ("address", "incident address", "location", "street address")),
    ImportField("zip_code", "ZIP code", False, 10, ("zip", "zip code", "zipcode", "postal code")),
    ImportField("place_type", "Place type", False, 50, ("place type", "location type", "place")),
    ImportField("outcome", "Outcome (survived or fatal)", False, None, ("outcome", "disposition", "fatal")),
    ImportField("naloxone_administered", "Naloxone given (yes/no)", False, None,
                ("naloxone", "naloxone given", "narcan", "narcan given", "naloxone administered")),
    ImportField("naloxone_by", "Naloxone given by", False, None, ("naloxone by", "narcan by", "administered by")),
    ImportField("naloxone_doses", "Naloxone doses", False, None, ("doses", "naloxone doses", "narcan doses")),
    ImportField("transported_to", "Transported to", False, 200,
                ("transported to", "destination", "hospital", "transport destination")),
    ImportField("substances", "Suspected substances", False, None, ("substances", "substance", "drugs", "suspected")),
    ImportField("notes", "Notes", False, 2000, ("notes", "narrative", "comments")),
]
FIELDS_BY_NAME = {f.name: f for f in FIELDS}
REQUIRED = [f.name for f in FIELDS if f.required]

_TRUE = {"yes", "y", "true", "t", "1", "x"}
_FALSE = {"no", "n", "false", "f", "0", ""}
_FATAL = {"fatal", "deceased", "dead", "died", "death", "doa", "expired"}
_SURVIVED = {"survived", "alive", "nonfatal", "non fatal", "non-fatal", "transported", "refused", "treated", ""}
_SUBSTANCE_WORDS = {
    **{value: value for value, _ in OverdoseEvent.SUBSTANCES},
    **{normalize_name(label): value for value, label in OverdoseEvent.SUBSTANCES},
    "meth": "methamphetamine", "crystal": "methamphetamine", "coke": "cocaine", "crack": "cocaine",
    "tranq": "xylazine", "benzo": "benzodiazepine", "benzos": "benzodiazepine", "etoh": "alcohol",
    "opioid": "other_opioid", "opioids": "other_opioid", "oxy": "other_opioid", "oxycodone": "other_opioid",
    "stimulant": "other_stimulant", "fent": "fentanyl",
}
_NALOXONE_BY = {normalize_name(label): value for value, label in OverdoseEvent.NaloxoneBy.choices if value}
_NALOXONE_BY.update({value: value for value in _NALOXONE_BY.values()} | {"ed": "hospital", "family": "bystander"})


# --- Reading the file ----------------------------------------------------------------


def read_table(text):
    """Header and rows of CSV text; refuses files we cannot or should not read."""

    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t|", key=first_line.count) if first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table = []
    try:
        for row in reader:
            if any(len(cell) > settings.IMPORT_MAX_CELL_CHARS for cell in row):
                raise ImportRefused(cell_too_long(len(table) + 1))
            table.append([unsafe_cell(cell) for cell in row])
    except csv.Error as exc:
        # csv's own limit (131,072 characters) on a cell: the same problem, said the same way.
        if "field limit" in str(exc):
            raise ImportRefused(cell_too_long(len(table) + 1)) from exc
        raise ImportRefused(f"This file is not a CSV we can read (line {reader.line_num}): {exc}.") from exc
    if not table or not any(cell.strip() for cell in table[0]):
        raise ImportRefused("The file is empty or its first line (the column names) is blank.")
    header = [cell.strip() for cell in table[0]]
    return header, table[1:]


def cell_too_long(line):
    """The line is counted as a spreadsheet counts rows (the column names are line 1)."""

    return (
        f"Line {line} has a cell longer than {settings.IMPORT_MAX_CELL_CHARS:,} characters; shorten that cell, or "
        "check that the file is saved as CSV with no quote left open, then upload it again."
    )


def guess_mapping(header, saved=None):
    """Our field -> their column: the saved mapping where its columns are still there, else by name."""

    mapping = {}
    saved = saved or {}
    by_normal = {normalize_name(h): h for h in header if h}
    for f in FIELDS:
        if saved.get(f.name) in header:
            mapping[f.name] = saved[f.name]
            continue
        for synonym in (normalize_name(f.label), normalize_name(f.name), *f.synonyms):
            if synonym in by_normal and by_normal[synonym] not in mapping.values():
                mapping[f.name] = by_normal[synonym]
                break
    return mapping


def mapping_problems(header, mapping):
    """Why a mapping cannot be used: a required field with no column, a column not in the file."""

    problems = []
    for name in REQUIRED:
        if not mapping.get(name):
            problems.append(f"Choose the column that holds “{FIELDS_BY_NAME[name].label}”: it is required.")
    for name, column in mapping.items():
        if column and column not in header:
            problems.append(f"The column “{column}” (for {FIELDS_BY_NAME[name].label}) is not in this file.")
    return problems


# --- Validating rows ---------------------------------------------------------------------


@dataclass
class ParsedRow:
    row: int
    incident_number: str
    event: dict
    person: dict = field(default_factory=dict)

    @property
    def identity(self):
        p = self.person
        return Identity.of(
            first_name=p.get("first_name", ""), last_name=p.get("last_name", ""),
            date_of_birth=p.get("date_of_birth"), phones=[p.get("phone")],
        )


@dataclass
class Validated:
    rows: list = field(default_factory=list)  # ParsedRow, in file order, first of each incident
    errors: list = field(default_factory=list)  # RowError
    bad_rows: list = field(default_factory=list)  # [row number, cells, reasons] for the download
    in_file_duplicates: int = 0
    data_rows: int = 0


def _flag(value, label):
    low = value.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise ValidationError(f"{label} must be yes or no, not “{value}”.")


def _integer(value, label, lo, hi):
    value = value.strip()
    if not value:
        return None
    try:
        number = int(float(value))
    except ValueError:
        raise ValidationError(f"{label} must be a whole number, not “{value}”.") from None
    if not lo <= number <= hi:
        raise ValidationError(f"{label} must be between {lo} and {hi}.")
    return number


def _outcome(value):
    low = normalize_name(value)
    if low in _FATAL or value.strip().lower() in _FATAL:
        return OverdoseEvent.Outcome.FATAL
    if low in _SURVIVED or value.strip().lower() in _SURVIVED:
        return OverdoseEvent.Outcome.SURVIVED
    raise ValidationError(f"Outcome must be survived or fatal, not “{value}”.")


def _substances(value):
    found, other = [], []
    for word in (w.strip() for w in value.replace(";", ",").replace("/", ",").replace("|", ",").split(",")):
        if not word:
            continue
        code = _SUBSTANCE_WORDS.get(normalize_name(word))
        if code and code not in found:
            found.append(code)
        elif not code:
            other.append(word)
    return found, other


def _parse_cells(get):
    """The row's values as the models want them; ValidationError per (field, message)."""

    errors, event, person = [], {}, {}

    def check(name, fn):
        try:
            return fn()
        except ValidationError as exc:
            errors.append((name, " ".join(exc.messages)))
            return None

    for f in FIELDS:
        if f.max_length and len(get(f.name)) > f.max_length:
            errors.append((f.name, f"{f.label} is longer than {f.max_length} characters."))
    for name in REQUIRED:
        if not get(name).strip():
            errors.append((name, f"{FIELDS_BY_NAME[name].label} is missing (required)."))
    occurred = check("occurred_at", lambda: validation.parse_datetime(get("occurred_at"), get("occurred_time")))
    if occurred is not None:
        event["occurred_at"] = check("occurred_at", lambda: validation.check_occurred_at(occurred))
    dob = check("date_of_birth", lambda: validation.check_date_of_birth(validation.parse_date(get("date_of_birth"))))
    person["date_of_birth"] = dob
    person["phone"] = check("phone", lambda: validation.parse_phone(get("phone")))
    person["first_name"] = get("first_name").strip()
    person["last_name"] = get("last_name").strip()
    person["sex"] = get("sex").strip()
    person["age_estimate"] = check("age", lambda: _integer(get("age"), "Age", 0, 120))
    event["outcome"] = check("outcome", lambda: _outcome(get("outcome")))
    event["naloxone_doses"] = check(
        "naloxone_doses", lambda: _integer(get("naloxone_doses"), "Naloxone doses", 0, validation.MAX_NALOXONE_DOSES)
    )
    given = check("naloxone_administered", lambda: _flag(get("naloxone_administered"), "Naloxone given"))
    by_text = normalize_name(get("naloxone_by"))
    if by_text and by_text not in _NALOXONE_BY:
        allowed = ", ".join(sorted(set(_NALOXONE_BY.values())))
        errors.append(("naloxone_by", f"Naloxone given by must be one of {allowed}, not “{get('naloxone_by')}”."))
    event["naloxone_by"] = _NALOXONE_BY.get(by_text, "")
    event["naloxone_administered"] = bool(given or event["naloxone_doses"] or event["naloxone_by"])
    substances, other = _substances(get("substances"))
    event["substances"] = substances
    notes = get("notes").strip()
    if other:
        notes = "\n".join(filter(None, [notes, "Other substances reported: " + ", ".join(other)]))
    event["notes"] = notes
    for name in ("address", "zip_code", "place_type", "transported_to"):
        event[name] = get(name).strip()
    return errors, event, person


def validate_rows(header, rows, mapping):
    """Every data row checked: parsed rows to import, and the bad ones with row, column and reason."""

    index = {name: header.index(column) for name, column in mapping.items() if column in header}
    result = Validated()
    seen = set()
    for number, cells in enumerate(rows, start=2):  # the header is row 1, as in a spreadsheet
        if not any(cell.strip() for cell in cells):
            continue
        result.data_rows += 1

        def get(name, cells=cells):
            i = index.get(name)
            return cells[i] if i is not None and i < len(cells) else ""

        errors, event, person = _parse_cells(get)
        if errors:
            for name, reason in errors:
                result.errors.append(RowError(number, mapping.get(name) or FIELDS_BY_NAME[name].label, reason))
            result.bad_rows.append([number, cells, "; ".join(reason for _, reason in errors)])
            continue
        incident = get("incident_number").strip()
        if incident in seen:
            result.in_file_duplicates += 1
            continue
        seen.add(incident)
        result.rows.append(ParsedRow(number, incident, event, person))
    return result


def bad_rows_csv(header, bad_rows):
    """The rows to fix, as they were, with the reason in a last column: fix and upload again.

    The cells come from someone else's export: any that a spreadsheet would run as a formula gets a
    leading apostrophe (and read_table takes it off again)."""

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(safe_row([*header, "Problem"]))
    for _number, cells, reason in bad_rows:
        writer.writerow(safe_row([*cells, *[""] * (len(header) - len(cells)), reason]))
    return out.getvalue()
