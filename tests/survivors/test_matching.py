"""The duplicate matcher proposes probable matches with the reason for each, and only those."""

from datetime import date

import pytest

from survivors import matching
from survivors.matching import CandidatePool, Identity, compare, find_matches
from survivors.models import Survivor
from survivors.validation import parse_phone

pytestmark = pytest.mark.django_db

DOB = date(1985, 4, 12)


def incoming(first, last, dob=None, phone=None):
    return Identity.of(first_name=first, last_name=last, date_of_birth=dob, phones=[phone] if phone else [])


def reasons_for(person, first, last, dob=None, phone=None, **fields):
    existing = person(legal_first_name=fields.pop("as_first", "Robert"), legal_last_name=fields.pop("as_last", "Smith"),
                      **fields)
    matches = find_matches(incoming(first, last, dob, phone), Survivor.objects.all())
    return {m.survivor_id: m.reasons for m in matches}.get(existing.pk)


def test_the_same_name_is_proposed_even_with_other_accents_and_case(person):
    assert reasons_for(person, "ROBERT", "smith", date_of_birth=date(1970, 1, 1)) == [matching.REASON_SAME_NAME]
    assert reasons_for(person, "José", "Peña", as_first="Jose", as_last="Pena") == [matching.REASON_SAME_NAME]


def test_a_similar_name_with_a_typo_is_proposed(person):
    assert reasons_for(person, "Robret", "Smtih") == [matching.REASON_SIMILAR_NAME]


def test_a_nickname_is_proposed_and_says_which(person):
    existing = person(legal_first_name="Robert", legal_last_name="Smith", date_of_birth=date(1960, 1, 1))
    [match] = find_matches(incoming("Bob", "Smith"), Survivor.objects.all())
    assert match.survivor_id == existing.pk
    assert match.reasons == [matching.REASON_NICKNAME]
    assert "Bob / Robert" in match.explanation


def test_swapped_first_and_last_names_are_proposed(person):
    assert reasons_for(person, "Smith", "Robert") == [matching.REASON_SWAPPED]


def test_the_same_date_of_birth_is_proposed_with_a_related_name(person):
    # She married: another last name, the same first name and birthday.
    assert reasons_for(person, "Maria", "Lopez", dob=DOB, as_first="Maria", as_last="Garcia", date_of_birth=DOB) == [
        matching.REASON_SAME_DOB
    ]


def test_the_same_phone_is_proposed_whatever_the_format_typed(person):
    existing = person(legal_first_name="Ann", legal_last_name="Lee", phone="+12025550142")
    for typed in ("(202) 555-0142", "202.555.0142", "+1 202 555 0142"):
        [match] = find_matches(incoming("Tom", "Baker", phone=parse_phone(typed)), Survivor.objects.all())
        assert match.survivor_id == existing.pk
        assert match.reasons == [matching.REASON_SAME_PHONE]


def test_several_reasons_add_up_and_rank_first(person):
    weak = person(legal_first_name="Rob", legal_last_name="Smith", date_of_birth=date(1990, 1, 1))
    strong = person(legal_first_name="Robert", legal_last_name="Smith", date_of_birth=DOB, phone="+12025550177")
    matches = find_matches(incoming("Robert", "Smith", DOB, parse_phone("202-555-0177")), Survivor.objects.all())
    assert [m.survivor_id for m in matches] == [strong.pk, weak.pk]
    assert matches[0].reasons == [matching.REASON_SAME_NAME, matching.REASON_SAME_DOB, matching.REASON_SAME_PHONE]
    assert matches[0].is_exact and not matches[1].is_exact


def test_a_different_person_with_the_same_last_name_is_not_proposed(person):
    person(legal_first_name="Robert", legal_last_name="Smith", date_of_birth=DOB, phone="+12025550142")
    assert find_matches(incoming("Mary", "Smith", date(1999, 9, 9)), Survivor.objects.all()) == []


def test_the_same_birthday_alone_is_not_enough(person):
    person(legal_first_name="Robert", legal_last_name="Smith", date_of_birth=DOB)
    assert find_matches(incoming("Keisha", "Okafor", DOB), Survivor.objects.all()) == []


def test_people_outside_the_queryset_are_never_proposed(person, other_team):
    from tests.factories import SurvivorFactory

    SurvivorFactory(team=other_team, legal_first_name="Robert", legal_last_name="Smith")
    mine = Survivor.objects.filter(team__name="North County PORT")
    assert find_matches(incoming("Robert", "Smith"), mine) == []


def test_matching_takes_one_query_per_candidate_source(person, django_assert_num_queries):
    for i in range(20):
        person(legal_first_name=f"Name{i}", legal_last_name="Smith")
    with django_assert_num_queries(3):
        find_matches(incoming("Robert", "Smith", DOB, parse_phone("2025550100")), Survivor.objects.all())


def test_the_pool_matches_many_rows_like_the_single_matcher(person):
    existing = person(legal_first_name="Robert", legal_last_name="Smith", date_of_birth=DOB)
    other = person(legal_first_name="Lu", legal_last_name="Chen", phone="+12025550177", date_of_birth=None)
    rows = [incoming("Bob", "Smith"), incoming("Robert", "Smith", DOB), incoming("Mary", "Jones"),
            incoming("Al", "Green", phone=parse_phone("202 555 0177"))]
    pool = CandidatePool()
    pool.load(rows, Survivor.objects.all())
    assert [[m.survivor_id for m in pool.matches(r)] for r in rows] == [[existing.pk], [existing.pk], [], [other.pk]]
    assert pool.matches(rows[1])[0].is_exact


def test_the_same_name_with_a_clearly_different_birthday_is_shown_but_weak(person):
    person(legal_first_name="John", legal_last_name="Smith", date_of_birth=date(1952, 3, 1), phone="+12025550142")
    [match] = find_matches(incoming("John", "Smith", date(1981, 7, 9), parse_phone("2025550142")),
                           Survivor.objects.all())
    # Father and son at one address: same name and phone, but not the same person for sure.
    assert match.dob_conflict and not match.is_exact
    assert "different date of birth" in match.explanation


def test_a_mistyped_birthday_is_not_a_conflict():
    assert matching.dates_could_be_one(date(1985, 4, 12), date(1985, 12, 4))  # day and month swapped
    assert matching.dates_could_be_one(date(1985, 4, 12), date(1986, 4, 12))  # one part differs
    assert not matching.dates_could_be_one(date(1985, 4, 12), date(1990, 1, 2))


def test_compare_is_pure_and_symmetric_for_names():
    a, b = incoming("Jon", "Smyth"), incoming("John", "Smith")
    assert compare(a, b).reasons == compare(b, a).reasons == [matching.REASON_SIMILAR_NAME]
