"""Normalising names for search and matching: lowercase, no accents, single spaces."""

import re

from unidecode import unidecode


def normalize_name(value):
    value = unidecode(value or "").lower()
    value = re.sub(r"[^a-z0-9 ]+", " ", value)
    return re.sub(r"\s+", " ", value).strip()
