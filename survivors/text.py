"""Normalising names for search and matching: lowercase, no accents, single spaces, sound keys."""

import re

from unidecode import unidecode

_SOUNDEX_CODES = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}


def normalize_name(value):
    value = unidecode(value or "").lower()
    value = re.sub(r"[^a-z0-9 ]+", " ", value)
    return re.sub(r"\s+", " ", value).strip()


def soundex(value):
    """American Soundex of a normalised name (spaces ignored): typos and transpositions share a key."""

    letters = re.sub(r"[^a-z]", "", value or "")
    if not letters:
        return ""
    key = letters[0].upper()
    previous = _SOUNDEX_CODES.get(letters[0], "")
    for char in letters[1:]:
        code = _SOUNDEX_CODES.get(char, "")
        if code and code != previous:
            key += code
            if len(key) == 4:
                break
        if char not in "hw":  # h and w do not separate letters with the same code
            previous = code
    return key.ljust(4, "0")


def name_key(first, last):
    """The indexed key candidates are looked up by: sound of the last name, then of the first."""

    return f"{soundex(normalize_name(last))}{soundex(normalize_name(first))}"


def search_fields(legal_first_name, legal_last_name, preferred_name=""):
    """The derived search columns of a Survivor; bulk loaders that skip save() set these too."""

    return {
        "search_name": normalize_name(" ".join([legal_first_name, legal_last_name, preferred_name])),
        "search_first": normalize_name(legal_first_name),
        "search_last": normalize_name(legal_last_name),
        "name_key": name_key(legal_first_name, legal_last_name),
    }
