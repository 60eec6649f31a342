"""The resource directory's rules: how values are normalised, and saving an organisation with its services.

The edit form and the CSV import both go through these, so a value means the same either way.
"""

import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from port.audit.services import record_event

from .models import DIRECTORY_LANGUAGES, Category, Insurance, Medication

_SPLIT = re.compile(r"[,;|/]")
_LANGUAGE_LOOKUP = {**{code: code for code, _ in DIRECTORY_LANGUAGES},
                    **{name.lower(): code for code, name in DIRECTORY_LANGUAGES},
                    "asl": "ase", "sign language": "ase", "creole": "ht", "mandarin": "zh", "cantonese": "zh"}
_CATEGORY_LOOKUP = {**{value: value for value, _ in Category.choices},
                    **{label.lower(): value for value, label in Category.choices},
                    "syringe services": Category.HARM_REDUCTION, "harm reduction": Category.HARM_REDUCTION,
                    "residential": Category.INPATIENT, "withdrawal management": Category.DETOX,
                    "family": Category.FAMILY, "family therapy": Category.FAMILY, "peer": Category.PEER_SUPPORT}
_INSURANCE_LOOKUP = {**{value: value for value, _ in Insurance.choices},
                     **{label.lower(): value for value, label in Insurance.choices},
                     "none": Insurance.UNINSURED, "self-pay": Insurance.UNINSURED, "sliding scale": Insurance.UNINSURED,
                     "commercial": Insurance.PRIVATE}
_MEDICATION_LOOKUP = {**{value: value for value, _ in Medication.choices},
                      "suboxone": Medication.BUPRENORPHINE, "bupe": Medication.BUPRENORPHINE,
                      "vivitrol": Medication.NALTREXONE, "naltrexone (extended-release)": Medication.NALTREXONE}
ZIP = re.compile(r"^\d{5}(-\d{4})?$")


def _split(value):
    return [part.strip() for part in _SPLIT.split(value or "") if part.strip()]


def _codes(value, lookup, what, allowed_hint):
    codes, unknown = [], []
    for part in _split(value):
        code = lookup.get(part.lower())
        if code is None:
            unknown.append(part)
        elif code not in codes:
            codes.append(code)
    if unknown:
        raise ValidationError(f"Unknown {what}: {', '.join(unknown)}. Use {allowed_hint}.")
    return codes


def parse_languages(value):
    """"English; Spanish" or "en,es" -> ["en", "es"]."""

    return _codes(value, _LANGUAGE_LOOKUP, "language", ", ".join(code for code, _ in DIRECTORY_LANGUAGES))


def parse_category(value):
    code = _CATEGORY_LOOKUP.get((value or "").strip().lower())
    if code is None:
        raise ValidationError(
            f"Unknown category {value!r}. Use one of: {', '.join(v for v, _ in Category.choices)}."
        )
    return code


def parse_insurance(value):
    return _codes(value, _INSURANCE_LOOKUP, "insurance", "medicaid, uninsured or private")


def parse_medications(value):
    return _codes(value, _MEDICATION_LOOKUP, "medication", "buprenorphine, methadone or naltrexone")


def normalize_phone(value):
    """A phone number written the usual national way; an error saying what is wrong otherwise."""

    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(f"{value!r} is not a phone number.") from exc
    if not phonenumbers.is_possible_number(number):
        raise ValidationError(f"{value!r} is not a complete phone number (area code and number).")
    region_is_default = phonenumbers.region_code_for_number(number) == settings.PHONENUMBER_DEFAULT_REGION
    fmt = phonenumbers.PhoneNumberFormat.NATIONAL if region_is_default else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, fmt)


def normalize_zip(value):
    value = (value or "").strip()
    if value and not ZIP.match(value):
        raise ValidationError(f"{value!r} is not a ZIP code (5 digits, or ZIP+4 like 45011-1234).")
    return value


def check_medications(category, medications):
    if medications and category != Category.MOUD:
        raise ValidationError("Medications are listed for MOUD services only.")


@transaction.atomic
def save_organization(organization, *, by, services=(), removed_services=(), request=None):
    """Save an organisation (new or changed) and, when given, its services; audited."""

    created = organization.pk is None
    organization.full_clean()
    organization.save()
    for service in removed_services:
        service.delete()
    for service in services:
        service.organization = organization
        check_medications(service.category, service.medications)
        service.full_clean()
        service.save()
    record_event(request, "create" if created else "change", organization, user=by)
    return organization
