"""Duplicate matching: which existing people probably are the person just reported, and why.

Pure comparison (`compare`) plus one indexed query per candidate source (phone, date of
birth, the name's sound key), so it stays fast at 100,000 survivors. It only proposes: the
coordinator chooses (no silent auto-merge). The importer attaches a row by itself only on
an exact match (same name and date of birth, or same name and phone) that is unambiguous.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast
from rapidfuzz import fuzz

from . import nicknames
from .text import normalize_name, soundex

MAX_PROPOSALS = 10

REASON_SAME_NAME = "Same name"
REASON_SIMILAR_NAME = "Similar name"
REASON_NICKNAME = "Nickname"
REASON_SWAPPED = "First and last name swapped"
REASON_SAME_DOB = "Same date of birth"
REASON_SAME_PHONE = "Same phone number"

_SCORES = {
    REASON_SAME_NAME: 50,
    REASON_SWAPPED: 40,
    REASON_NICKNAME: 35,
    REASON_SIMILAR_NAME: 30,
    REASON_SAME_PHONE: 40,
    REASON_SAME_DOB: 30,
}


def e164(phone):
    """A phone (PhoneNumber or text already in E.164) as E.164 text; '' when empty."""

    # No truthiness test on a PhoneNumber: it validates the number each time (slow in bulk).
    if phone is None or isinstance(phone, str):
        return phone or ""
    return phone.as_e164


@dataclass(frozen=True)
class Identity:
    """Who someone is, for comparing: normalised names, date of birth, phones in E.164."""

    first: str
    last: str
    preferred: str = ""
    date_of_birth: date | None = None
    phones: tuple = ()
    survivor_id: int | None = None

    @classmethod
    def of(cls, *, first_name="", last_name="", preferred_name="", date_of_birth=None, phones=(), survivor_id=None):
        return cls(
            first=normalize_name(first_name),
            last=normalize_name(last_name),
            preferred=normalize_name(preferred_name),
            date_of_birth=date_of_birth,
            phones=tuple(p for p in (e164(p) for p in phones) if p),
            survivor_id=survivor_id,
        )

    @classmethod
    def of_survivor(cls, survivor):
        return cls.of(
            first_name=survivor.legal_first_name,
            last_name=survivor.legal_last_name,
            preferred_name=survivor.preferred_name,
            date_of_birth=survivor.date_of_birth,
            phones=(survivor.phone, survivor.phone_alt),
            survivor_id=survivor.pk,
        )

    @property
    def firsts(self):
        return {n for n in (self.first, self.preferred) if n}

    @property
    def has_name(self):
        return bool(self.first and self.last)


def dates_could_be_one(a, b):
    """Both dates known and plausibly the same one mistyped: one part differs, or day and month swapped."""

    if a == b:
        return True
    differing = (a.year != b.year) + (a.month != b.month) + (a.day != b.day)
    return differing == 1 or (a.year == b.year and a.month == b.day and a.day == b.month)


@dataclass
class Match:
    survivor_id: int
    reasons: list = field(default_factory=list)
    detail: str = ""
    survivor: object = None
    # Both dates of birth known and clearly different: proposed, but weak evidence of one person.
    dob_conflict: bool = False

    @property
    def score(self):
        return sum(_SCORES[r] for r in self.reasons) - (25 if self.dob_conflict else 0)

    @property
    def is_probable(self):
        """Strong enough to stop an import from creating a new person without the coordinator."""

        return not self.dob_conflict or REASON_SAME_PHONE in self.reasons

    @property
    def is_exact(self):
        """Same name and the same date of birth or phone: safe to attach without asking."""

        return REASON_SAME_NAME in self.reasons and not self.dob_conflict and (
            REASON_SAME_DOB in self.reasons or REASON_SAME_PHONE in self.reasons
        )

    @property
    def explanation(self):
        parts = [f"{r} ({self.detail})" if r == REASON_NICKNAME and self.detail else r for r in self.reasons]
        if self.dob_conflict:
            parts.append("but a different date of birth")
        return "; ".join(parts)


def _name_reasons(new, old):
    """The name reason (at most one) and its detail, or (None, "")."""

    if not (new.last and old.last):
        return None, ""
    if new.last == old.last and new.firsts & old.firsts:
        return REASON_SAME_NAME, ""
    if new.first and new.first == old.last and new.last == old.first:
        return REASON_SWAPPED, ""
    last_close = new.last == old.last or fuzz.ratio(new.last, old.last) >= 85
    if last_close:
        for mine in new.firsts:
            for theirs in old.firsts:
                if nicknames.are_nicknames(mine, theirs):
                    return REASON_NICKNAME, f"{mine.title()} / {theirs.title()}"
    if new.first and old.first:
        full = fuzz.ratio(f"{new.first} {new.last}", f"{old.first} {old.last}")
        if full >= 85 or (fuzz.ratio(new.first, old.first) >= 75 and fuzz.ratio(new.last, old.last) >= 75):
            return REASON_SIMILAR_NAME, ""
    return None, ""


def _names_related(new, old):
    """Weak evidence, enough together with the same date of birth: a shared first or last name."""

    if new.last and new.last == old.last:
        return True
    if any(nicknames.variants(a) & old.firsts for a in new.firsts):
        return True
    return fuzz.token_sort_ratio(f"{new.first} {new.last}", f"{old.first} {old.last}") >= 70


def compare(new, old):
    """A Match if `old` is probably the person `new` describes, else None."""

    reasons = []
    name_reason, detail = _name_reasons(new, old)
    if name_reason:
        reasons.append(name_reason)
    if new.date_of_birth and new.date_of_birth == old.date_of_birth and (name_reason or _names_related(new, old)):
        reasons.append(REASON_SAME_DOB)
    if set(new.phones) & set(old.phones):
        reasons.append(REASON_SAME_PHONE)
    if not reasons:
        return None
    conflict = bool(new.date_of_birth and old.date_of_birth) and not dates_could_be_one(
        new.date_of_birth, old.date_of_birth
    )
    return Match(survivor_id=old.survivor_id, reasons=reasons, detail=detail, dob_conflict=conflict)


def candidate_name_keys(identity):
    """Sound keys a probable match's name may have: as given, with nicknames, and swapped."""

    if not identity.last:
        return set()
    last = soundex(identity.last)
    keys = set()
    for first in identity.firsts or {""}:
        for variant in nicknames.variants(first) if first else {""}:
            keys.add(last + soundex(variant))
    if identity.first:
        keys.add(soundex(identity.first) + soundex(identity.last))
    return keys


def _rank(matches):
    return sorted(matches, key=lambda m: (-m.score, m.survivor_id))


def find_matches(identity, queryset, *, exclude_ids=(), limit=MAX_PROPOSALS):
    """Probable matches for one person among `queryset` (already scoped), best first.

    Three indexed queries: same phone, same date of birth, same name sound key.
    """

    queryset = queryset.exclude(pk__in=exclude_ids) if exclude_ids else queryset
    sources = []
    if identity.phones:
        sources.append(Q(phone__in=identity.phones) | Q(phone_alt__in=identity.phones))
    if identity.date_of_birth:
        sources.append(Q(date_of_birth=identity.date_of_birth))
    keys = candidate_name_keys(identity)
    if keys:
        sources.append(Q(name_key__in=keys))
    candidates = {}
    for condition in sources:
        for survivor in queryset.filter(condition)[:200]:
            candidates[survivor.pk] = survivor
    matches = []
    for survivor in candidates.values():
        match = compare(identity, Identity.of_survivor(survivor))
        if match:
            match.survivor = survivor
            matches.append(match)
    return _rank(matches)[:limit]


# Phones as stored (E.164 text): building PhoneNumber objects for thousands of rows is slow.
_CANDIDATE_FIELDS = (
    "id", "search_first", "search_last", "preferred_name", "date_of_birth", "phone_text", "phone_alt_text", "name_key",
)


def _same_phone(phones):
    # E.164 text as it is stored; Value() skips re-parsing each number for the query (slow in bulk).
    texts = [Value(p) for p in phones]
    return Q(phone__in=texts) | Q(phone_alt__in=texts)


class CandidatePool:
    """Matching many rows at once (the importer): a few chunked queries instead of three per row."""

    def __init__(self):
        self.people = {}
        self.by_phone = {}
        self.by_dob = {}
        self.by_key = {}

    def add(self, identity, key=None):
        self.people[identity.survivor_id] = identity
        for phone in identity.phones:
            self.by_phone.setdefault(phone, set()).add(identity.survivor_id)
        if identity.date_of_birth:
            self.by_dob.setdefault(identity.date_of_birth, set()).add(identity.survivor_id)
        key = key if key is not None else soundex(identity.last) + soundex(identity.first)
        self.by_key.setdefault(key, set()).add(identity.survivor_id)

    def load(self, identities, queryset, chunk=2000):
        phones, dobs, keys = set(), set(), set()
        for identity in identities:
            phones.update(identity.phones)
            if identity.date_of_birth:
                dobs.add(identity.date_of_birth)
            keys |= candidate_name_keys(identity)
        for values, condition in (
            (phones, _same_phone),
            (dobs, lambda c: Q(date_of_birth__in=c)),
            (keys, lambda c: Q(name_key__in=c)),
        ):
            values = sorted(values)
            for start in range(0, len(values), chunk):
                rows = (
                    queryset.filter(condition(values[start:start + chunk]))
                    .annotate(phone_text=Cast("phone", CharField()), phone_alt_text=Cast("phone_alt", CharField()))
                    .values_list(*_CANDIDATE_FIELDS)
                )
                for pk, first, last, preferred, dob, phone, phone_alt, key in rows:
                    if pk not in self.people:
                        # search_first/last are already normalised: no need to do it again per row.
                        identity = Identity(
                            first=first, last=last, preferred=normalize_name(preferred) if preferred else "",
                            date_of_birth=dob, phones=tuple(p for p in (phone, phone_alt) if p), survivor_id=pk,
                        )
                        self.add(identity, key=key)

    def matches(self, identity):
        ids = set()
        for phone in identity.phones:
            ids |= self.by_phone.get(phone, set())
        if identity.date_of_birth:
            ids |= self.by_dob.get(identity.date_of_birth, set())
        for key in candidate_name_keys(identity):
            ids |= self.by_key.get(key, set())
        found = [m for m in (compare(identity, self.people[i]) for i in ids) if m]
        return _rank(found)
