"""Personal-data screening of free text (backend/screening.py). No database needed.

Every piece of "personal data" here is invented: phone numbers from Ofcom's drama ranges
(07700 900xxx, 0161 496 0xxx, 020 7946 0xxx, 01632 960xxx, 03069 990xxx), example.org
addresses, postcodes of the right shape tied to nobody.
"""

import re

import pytest
from django.core.exceptions import ValidationError
from rest_framework import serializers

from backend.screening import (
    PERSONAL_DATA_CODE,
    Finding,
    NoPersonalData,
    find_personal_data,
    screen_fields,
    screen_text,
)


def kinds(text: str) -> list[str]:
    return [finding.kind for finding in find_personal_data(text)]


HITS = [
    # UK phone numbers: mobiles, landlines with spaces / dashes / brackets, +44 and 0044 forms.
    ("uk_phone", "Witness can be contacted on 07700 900123 after 6pm"),
    ("uk_phone", "mobile 07700900123"),
    ("uk_phone", "tel 07700-900-123"),
    ("uk_phone", "V's number +44 7700 900123 redact"),
    ("uk_phone", "+447700900123"),
    ("uk_phone", "+44 (0)7700 900123"),
    ("uk_phone", "0161 496 0000"),
    ("uk_phone", "(0161) 496 0000"),
    ("uk_phone", "0161-496-0000"),
    ("uk_phone", "home: 020 7946 0000"),
    ("uk_phone", "+44 20 7946 0000"),
    ("uk_phone", "0044 161 496 0000"),
    ("uk_phone", "01632 960123"),
    ("uk_phone", "03069 990123"),
    # E-mail addresses.
    ("email", "witness.one@example.org"),
    ("email", "Contact A.N.Other+home@mail.example.co.uk about the statement"),
    ("email", "sent to v123@example.org."),
    # UK postcodes, any case, with or without the space.
    ("postcode", "lives near M1 1AE"),
    ("postcode", "SW1A 1AA"),
    ("postcode", "sw1a 1aa"),
    ("postcode", "Preston PR1 2HE"),
    ("postcode", "CA1 1AB"),
    ("postcode", "M11AE"),
    ("postcode", "address ends BL9 0XY on the MG11"),
    # National Insurance numbers.
    ("ni_number", "NI AB 12 34 56 C"),
    ("ni_number", "AB123456C"),
    ("ni_number", "ni no. jk123456d"),
    ("ni_number", "CE 123456 A"),
    # Dates of birth: a date tied to a birth word, either side.
    ("date_of_birth", "DOB: 12/05/1990"),
    ("date_of_birth", "dob 12-05-1990"),
    ("date_of_birth", "D.O.B. 12.05.90"),
    ("date_of_birth", "d/o/b 1/5/90"),
    ("date_of_birth", "date of birth 3rd March 1990"),
    ("date_of_birth", "Date of Birth - 1990-05-12"),
    ("date_of_birth", "born on the 3rd of March 1990"),
    ("date_of_birth", "Born: March 3, 1990"),
    ("date_of_birth", "victim, aged 34, born 12/05/1990"),
    ("date_of_birth", "aged 34 (born March 1990)"),
    ("date_of_birth", "DOB of victim is 12/05/1990"),
    ("date_of_birth", "12/05/1990 (DOB)"),
    # Street addresses: a house number, capitalised words, a street suffix.
    ("street_address", "12 Acacia Avenue"),
    ("street_address", "4a Mill Lane"),
    ("street_address", "Flat 3, 12 St Mary's Road"),
    ("street_address", "house-to-house at 12-14 High St."),
    ("street_address", "12 ACACIA AVENUE"),
    ("street_address", "7 Old Mill Close"),
    ("street_address", "21 Cherry Tree Mews"),
    ("street_address", "3 Park Court"),
    # An item described by its address is exactly the X03 defect, so the item number does not excuse it.
    ("street_address", "Item 12 Acacia Avenue CCTV"),
]


@pytest.mark.parametrize(("kind", "text"), HITS)
def test_it_finds_each_kind_of_personal_data(kind, text):
    assert kind in kinds(text)


MISSES = [
    "MG6C item 12",
    "CCTV from 14:05",
    "CCTV from 14:05 on 3 March",
    "Items 3-7 block listed as 'various documents'",
    "Schedule received 12/03/2024, 4 days late",
    "URN 06AB1234525",
    "MG6D nil return not signed",
    "Officer's PNB entries 14/02 not scheduled",
    "Section 2.3 of the DMD",
    "Item 45: phone download report (Cellebrite) 200 pages",
    "the M6 J32 ANPR",
    "PACE interview 1 of 2",
    "DC 1234 statement",
    # The street suffix straight after the number is prose, not an address.
    "item 12 Road traffic collision report",
    "Items 5-9 Court orders not listed",
    # Institutions and devices that end in a street word.
    "Item 3 Preston Crown Court transcript",
    "Listed at Manchester Magistrates Court on 3 March",
    "Item 4 Hard Drive image, 1 TB",
    "Item 5 Bus Lane camera footage",
    "Section 136 Place of Safety record",
    # A rank and collar number introduce an officer, not a house.
    "PC 4567 Sarah Lane PNB entries",
    # Road numbers, junctions and ordinals have a postcode's outward part only.
    "the M62 3rd lane",
    "M60 J12 ANPR hits, 1st and 2nd",
    "MG11 2nd statement of the witness",
    "PR1 alone is a district, not a postcode",
    # Dates without a birth word, and birth words without a date.
    "DOB not recorded; schedule received 12/03/2024",
    "DOB redacted on MG11",
    "Date of birth shown on MG9 only, as required",
    "The complainant was born abroad; ABE interview 2 of 3",
    "Defence statement served 3 March 2024; DRS not updated until 21 March",
    "Streamlined Disclosure Certificate signed 03/03/2024",
    # Numbers that are not phone numbers.
    "Items 01 02 03 04 05 not described",
    "Shifts 0700 0900 1230 per duty sheet",
    "999 call at 02:14, recording 00:03:15",
    "CAD 1234 of 12/03/2024 not scheduled",
    "Crime ref 24/123456/24",
    "Cellebrite extraction 256 GB, 4,312 messages",
    # NI-shaped but impossible: HMRC's own example prefix.
    "QQ 12 34 56 C",
    # Ordinary lead's prose.
    "Email from the OIC not scheduled; Tel. no. redacted on MG11",
    "BWV clip 3 of 7 (PC 1234) described only as 'BWV'",
    "Exhibit JS/1 and JS/2 not on the MG6C",
    "22% of MG6C schedules wholly inadequate; 54% endorsed without reasons",
    "Rebuttable presumption material (AG Guidelines 2024, Annex A) not revealed",
    "Para 3.4 of the CPIA Code; MG6E nil without explanation",
    "Witness statement, MG11 item 4",
    "Third-party material from social services requested 12/03/2024",
    "",
]


@pytest.mark.parametrize("text", MISSES)
def test_it_passes_ordinary_disclosure_prose(text):
    assert find_personal_data(text) == []
    screen_text(text, field="description")


def test_it_passes_none():
    assert find_personal_data(None) == []
    screen_text(None, field="description")


def test_it_masks_the_excerpt_and_gives_the_offset():
    text = "Witness can be contacted on 07700 900123 after 6pm"

    assert find_personal_data(text) == [
        Finding(kind="uk_phone", label="a UK phone number", excerpt="07**********", start=28)
    ]


def test_it_points_a_date_of_birth_at_the_date_itself():
    [finding] = find_personal_data("DOB: 12/05/1990")

    assert finding.start == 5
    assert finding.excerpt == "12********"


@pytest.mark.parametrize(
    ("text", "label", "secret"),
    [
        ("Witness can be contacted on 07700 900123", "a UK phone number", "900123"),
        ("V e-mail witness.one@example.org", "an e-mail address", "witness.one"),
        ("home postcode SW1A 1AA", "a UK postcode", "1AA"),
        ("NI AB 12 34 56 C", "a National Insurance number", "34 56"),
        ("DOB: 12/05/1990", "a date of birth", "1990"),
        ("lives at 12 Acacia Avenue", "a street address", "Acacia"),
    ],
)
def test_it_names_the_kind_and_never_repeats_the_data(text, label, secret):
    with pytest.raises(ValidationError) as raised:
        screen_text(text, field="description")

    [message] = raised.value.message_dict["description"]
    assert message.startswith(f"Looks like personal data of a victim or witness: {label} (")
    assert "describe the item instead (e.g. 'witness statement, MG11 item 4')" in message
    assert secret not in message
    # At most two characters of the match survive, then asterisks.
    assert re.search(r"\((.{0,2}\*+)\) at character \d+\.", message)


def test_it_reports_the_position_as_a_person_counts():
    with pytest.raises(ValidationError) as raised:
        screen_text("Witness can be contacted on 07700 900123", field="notes")

    assert "(07**********) at character 29." in raised.value.message_dict["notes"][0]


def test_it_reports_every_finding_in_one_field():
    text = "V lives at 12 Acacia Avenue, M1 1AE, tel 07700 900123, DOB 12/05/1990, witness.one@example.org"

    with pytest.raises(ValidationError) as raised:
        screen_text(text, field="description")

    assert kinds(text) == ["street_address", "postcode", "uk_phone", "date_of_birth", "email"]
    assert len(raised.value.message_dict["description"]) == 5
    assert {error.code for error in raised.value.error_dict["description"]} == {PERSONAL_DATA_CODE}


def test_it_reports_a_date_of_birth_once_when_labelled_on_both_sides():
    assert kinds("DOB 12/05/1990 (DOB)") == ["date_of_birth"]


def test_it_reports_every_bad_field_at_once():
    data = {
        "description": "Item 12 lists the witness's phone 0161 496 0000",
        "notes": "Address 4a Mill Lane on MG6C",
        "summary": "MG6C item 12 block listed",
        "response": None,
        "rating": 3,
    }

    with pytest.raises(ValidationError) as raised:
        screen_fields(data, ["description", "notes", "summary", "response", "rating", "absent"])

    assert set(raised.value.message_dict) == {"description", "notes"}
    assert "a UK phone number" in raised.value.message_dict["description"][0]
    assert "a street address" in raised.value.message_dict["notes"][0]


def test_it_passes_fields_without_personal_data():
    screen_fields({"description": "MG6D nil return not signed", "notes": ""}, ["description", "notes"])


class DefectInputSerializer(serializers.Serializer):
    description = serializers.CharField(validators=[NoPersonalData()])
    notes = serializers.CharField(validators=[NoPersonalData()], allow_blank=True)


def test_it_validates_a_drf_field_under_its_name():
    serializer = DefectInputSerializer(data={"description": "Item 4: MG11 gives 07700 900123", "notes": "ok"})

    assert not serializer.is_valid()
    assert set(serializer.errors) == {"description"}
    [error] = serializer.errors["description"]
    assert "a UK phone number (07**********)" in str(error)
    assert error.code == PERSONAL_DATA_CODE


def test_it_lets_a_drf_field_through_when_clean():
    serializer = DefectInputSerializer(data={"description": "MG6C item 12 block listed", "notes": ""})

    assert serializer.is_valid(), serializer.errors


def test_it_raises_drf_errors_from_the_validator():
    with pytest.raises(serializers.ValidationError) as raised:
        NoPersonalData()("DOB 12/05/1990 and SW1A 1AA")

    assert len(raised.value.detail) == 2


def test_it_screens_ten_thousand_characters_and_finds_the_planted_hit():
    prose = "MG6C item 12 block listed as 'various documents'; CCTV from 14:05 on 3 March not scheduled. "
    text = (prose * 110)[:5000] + " witness tel 07700 900123 " + (prose * 110)[:5000]

    assert len(text) > 10_000
    assert kinds(text) == ["uk_phone"]


@pytest.mark.parametrize(
    "text",
    [
        "7" * 10_000,
        "0 " * 5_000,
        "a" * 10_000 + "@",
        "a@" + "b-" * 5_000,
        "x." * 5_000 + "@example",
        "12 " + "Acacia " * 1_500,
        "DOB " * 2_500,
        "1/" * 5_000,
        "AB 12 " * 2_000,
    ],
)
def test_it_completes_on_pathological_text(text):
    # Catastrophic backtracking would hang here; the patterns are linear.
    assert find_personal_data(text) == []
