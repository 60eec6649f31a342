"""What a text or call may say: the forbidden words, the placeholders, and rendering a template."""

import re
import string
from functools import lru_cache

import phonenumbers
from django.conf import settings

PLACEHOLDERS = ("first_name", "worker_name", "program_phone", "program_name")
# What {worker_name} says when no worker is named (the scheduler sent it).
NO_WORKER = {"en": "the team", "es": "el equipo"}


@lru_cache(maxsize=8)
def _forbidden_pattern(words):
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)({alternatives})(?!\w)", re.IGNORECASE)


def forbidden_words_in(text):
    """The forbidden words (settings.FORBIDDEN_MESSAGE_WORDS) the text contains, as written, in order."""

    pattern = _forbidden_pattern(tuple(w.strip() for w in settings.FORBIDDEN_MESSAGE_WORDS if w.strip()))
    if pattern is None:
        return []
    found = []
    for match in pattern.finditer(text or ""):
        if match.group(1).lower() not in (f.lower() for f in found):
            found.append(match.group(1))
    return found


def forbidden_words_message(words):
    return (
        f"Remove {', '.join(repr(w) for w in words)}: a text may never say why we are reaching out "
        "(overdose, drugs, naloxone, police, treatment)."
    )


def unknown_placeholders_in(text):
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(text or "") if name is not None]
    except ValueError:
        return ["unbalanced { or }"]
    return [name for name in fields if name not in PLACEHOLDERS]


def unknown_placeholders_message(unknown):
    return (
        f"Unknown placeholder {', '.join('{' + u + '}' for u in unknown)}: use only "
        + ", ".join("{" + p + "}" for p in PLACEHOLDERS)
        + "."
    )


def program_phone_display(for_voice=False):
    """The program's phone as people read it; spelled digit by digit for text-to-speech."""

    raw = settings.PROGRAM_PHONE or settings.TWILIO_FROM_NUMBER
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, settings.PHONENUMBER_DEFAULT_REGION)
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        national = raw
    if not for_voice:
        return national
    groups = re.findall(r"\d+", national)
    return ", ".join(" ".join(group) for group in groups)


def render(body, *, first_name="", worker_name="", language="en", for_voice=False):
    """Fill the placeholders by plain replacement (no str.format: staff write these bodies)."""

    values = {
        "first_name": first_name,
        "worker_name": worker_name or NO_WORKER.get(language, NO_WORKER["en"]),
        "program_phone": program_phone_display(for_voice=for_voice),
        "program_name": settings.PROGRAM_NAME,
    }
    for name, value in values.items():
        body = body.replace("{" + name + "}", value)
    return body.strip()
