"""Refuse free text that looks like a victim's or witness's personal data (defect X03 at source).

The portal holds quality data about schedules, never the people in them: names and addresses
belong on the back of the MG11 and on the MG9 (docs/domain.md). Every free-text field (defect
descriptions, assessment notes, feedback summaries and responses) is screened before it is saved:

- services call ``screen_text`` / ``screen_fields`` and get Django's ``ValidationError``;
- serializers may add ``NoPersonalData()`` to a field's validators and get DRF's.

Detection lives only in ``find_personal_data``. The detectors look for shapes that ordinary
disclosure prose ("MG6C item 12", "CCTV from 14:05", "URN 06AB1234525", "the M6 J32 ANPR") never
takes, so a lead is not nagged; they are a guard rail, not a guarantee. Names are not detected:
by pattern a name cannot be told from an officer's, a place or an ordinary word.

Every pattern is compiled once here, anchored by a look-behind so that it starts only at the
beginning of a run, and has only bounded repetition: screening stays linear on long text.
"""

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from rest_framework import serializers

PERSONAL_DATA_CODE = "personal_data"

_KEPT_CHARACTERS = 2


@dataclass(frozen=True)
class Finding:
    """One stretch of text that looks like personal data.

    ``excerpt`` is already masked, so it may be logged or returned to the client; ``start`` is the
    0-based offset of the match in the screened text.
    """

    kind: str
    label: str
    excerpt: str
    start: int


def _mask(matched: str) -> str:
    # Two characters let the author find the spot again; too few to rebuild the data from a log.
    return matched[:_KEPT_CHARACTERS] + "*" * max(len(matched) - _KEPT_CHARACTERS, 0)


def _finding(kind: str, label: str, match: re.Match[str], group: str | int = 0) -> Finding:
    return Finding(kind=kind, label=label, excerpt=_mask(match.group(group)), start=match.start(group))


# --- UK phone numbers ------------------------------------------------------------------------

_PHONE = re.compile(
    r"""
    (?<![\w+])                                  # not the tail of a longer number, URN or word
    (?: (?:\+|00)44[ -]?(?:\(0\)[ -]?)?         # +44 7700 900123, 0044 ..., +44 (0)161 ...
      | \(?0 )                                  # 07700 900123, (0161) 496 0000
    (?P<national>[1237](?:(?:\)[ ]?|[ -])?\d){8,9})
    (?!\d)
    """,
    re.VERBOSE,
)
_DIGIT_RUN = re.compile(r"\d+")
_MAX_PHONE_GROUPS = 4


def _is_uk_number(national: str) -> bool:
    """Check the digits after the trunk 0 (or after +44) against the UK numbering plan."""
    # "01 02 03 04 05" (a list of item numbers) has the right digit count but no phone grouping.
    if len(_DIGIT_RUN.findall(national)) > _MAX_PHONE_GROUPS:
        return False
    digits = "".join(_DIGIT_RUN.findall(national))
    if digits[0] == "1":
        # A few small-town 01 numbers have nine digits after the 0; the rest have ten.
        return len(digits) in (9, 10)
    return len(digits) == 10


def _find_phones(text: str) -> Iterator[Finding]:
    for match in _PHONE.finditer(text):
        if _is_uk_number(match.group("national")):
            yield _finding("uk_phone", "a UK phone number", match)


# --- E-mail addresses ------------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}(?![\w-])")


def _find_emails(text: str) -> Iterator[Finding]:
    for match in _EMAIL.finditer(text):
        yield _finding("email", "an e-mail address", match)


# --- UK postcodes ----------------------------------------------------------------------------

# Every postcode area in use (plus BF for BFPO and BX non-geographic): rules out "MG11 2AB"-like
# form references that otherwise have a postcode's shape.
_POSTCODE_AREAS = frozenset(
    """
    AB AL B BA BB BD BF BH BL BN BR BS BT BX CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT
    DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD
    LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK
    SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE
    """.split()  # noqa: SIM905 - the area codes read better as a block than one per line
)
# The inward part (digit + two letters, never C I K M O V) is required: "M6" or "PR1" alone is a
# motorway or a district, not somebody's home.
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])(?P<area>[A-Z]{1,2})[0-9][A-Z0-9]?[ ]{0,2}(?P<inward>[0-9][ABD-HJLNP-UW-Z]{2})(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_ORDINAL_ENDINGS = frozenset({"st", "nd", "rd", "th"})


def _is_postcode(match: re.Match[str]) -> bool:
    if match.group("area").upper() not in _POSTCODE_AREAS:
        return False
    # "the M62 3rd lane", "MG11 2nd": a lower-case ordinal is prose; a postcode like "M1 1ST" is typed in capitals.
    ending = match.group("inward")[1:]
    return not (ending.lower() in _ORDINAL_ENDINGS and not ending.isupper())


def _find_postcodes(text: str) -> Iterator[Finding]:
    for match in _POSTCODE.finditer(text):
        if _is_postcode(match):
            yield _finding("postcode", "a UK postcode", match)


# --- National Insurance numbers --------------------------------------------------------------

# HMRC: the first letter is never D F I Q U V, the second never D F I O Q U V. That makes HMRC's
# own example "QQ 12 34 56 C" pass, as it should.
_NI_NUMBER = re.compile(
    r"(?<![A-Za-z0-9])(?P<prefix>[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])"
    r"[ ]?\d{2}[ ]?\d{2}[ ]?\d{2}[ ]?[A-D](?![A-Za-z0-9])",
    re.IGNORECASE,
)
_NI_UNALLOCATED_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def _find_ni_numbers(text: str) -> Iterator[Finding]:
    for match in _NI_NUMBER.finditer(text):
        if match.group("prefix").upper() not in _NI_UNALLOCATED_PREFIXES:
            yield _finding("ni_number", "a National Insurance number", match)


# --- Dates of birth --------------------------------------------------------------------------

# A date alone is ordinary ("received 12/03/2024", "CCTV from 14:05 on 3 March"); only a date
# tied to a birth word is personal data.
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?:3[01]|[12]\d|0?[1-9])"
_MONTH_NUMBER = r"(?:1[0-2]|0?[1-9])"
_ORDINAL = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_DATE = (
    rf"(?:{_YEAR}-{_MONTH_NUMBER}-{_DAY}"  # 1990-05-12
    rf"|{_DAY}[/.-]{_MONTH_NUMBER}(?:[/.-](?:{_YEAR}|\d{{2}}))?"  # 12/05/1990, 1.5.90, 12-05
    rf"|{_DAY}{_ORDINAL}\s+(?:of\s+)?{_MONTH}(?:,?\s+(?:{_YEAR}|'?\d{{2}}))?"  # 3rd of March 1990
    rf"|{_MONTH}\s+{_DAY}{_ORDINAL}(?:,?\s+{_YEAR})?"  # March 3rd, 1990
    rf"|{_MONTH}\s+{_YEAR})"  # March 1990
    r"(?!\d)"
)
_DOB_ABBREVIATION = r"(?:d\.?o\.?b\b\.?|d/o/b|date\s+of\s+birth)"
_BIRTH_WORD = rf"(?:{_DOB_ABBREVIATION}|birth\s*date|birthday|born)"
_GAP = r"[\s:=(),\-\u2013\u2014]"
# Only these words may stand between the birth word and the date, so that
# "DOB not recorded; schedule received 12/03/2024" passes.
_CONNECTOR = (
    r"(?:on|is|was|of|the|in|as|given|recorded|stated|shown|listed|her|his|their"
    r"|victim(?:'s)?|witness(?:'s)?|complainant(?:'s)?|ip|v|w)"
)
_DOB_AFTER_BIRTH_WORD = re.compile(
    rf"(?<![A-Za-z]){_BIRTH_WORD}(?![A-Za-z]){_GAP}{{0,4}}(?:{_CONNECTOR}{_GAP}{{1,4}}){{0,4}}(?P<date>{_DATE})",
    re.IGNORECASE,
)
_DOB_BEFORE_BIRTH_WORD = re.compile(
    rf"(?<![A-Za-z0-9])(?P<date>{_DATE})[\s(\[,\-\u2013\u2014]{{0,3}}{_DOB_ABBREVIATION}(?![A-Za-z])",
    re.IGNORECASE,
)


def _find_dates_of_birth(text: str) -> Iterator[Finding]:
    for pattern in (_DOB_AFTER_BIRTH_WORD, _DOB_BEFORE_BIRTH_WORD):
        for match in pattern.finditer(text):
            # The finding points at the date itself: that is what the author must remove.
            yield _finding("date_of_birth", "a date of birth", match, "date")


# --- Street addresses ------------------------------------------------------------------------

_STREET_SUFFIXES = (
    *("Road", "Rd", "Street", "St", "Avenue", "Ave", "Lane", "Close", "Drive", "Way", "Crescent", "Court", "Place"),
    *("Grove", "Terrace", "Gardens", "Walk", "Square", "Mews"),
)
_SUFFIX = "|".join([*_STREET_SUFFIXES, *(suffix.upper() for suffix in _STREET_SUFFIXES)])
_CAPITALISED_WORD = r"[A-Z][A-Za-z'\u2019-]*\.?"  # Acacia, St., O'Neill, ACACIA
# A house number ("12", "4a", "12-14") and one to four capitalised words before the suffix:
# "item 12 Road traffic collision report" has no word between number and suffix, so it passes.
# Case-sensitive on purpose: "3 items on the way" is prose.
_STREET_ADDRESS = re.compile(
    rf"(?<![\w/.:-])\d{{1,4}}[A-Za-z]?(?:[ ]?[-\u2013][ ]?\d{{1,4}}[A-Za-z]?)?,?[ \t]+"
    rf"(?P<words>(?:{_CAPITALISED_WORD}[ \t]+){{1,4}})(?P<suffix>{_SUFFIX})\.?(?![A-Za-z'\u2019])"
)
# Phrases that end in a street word but name a thing, not a home: "item 3 Preston Crown Court
# transcript", "item 4 Hard Drive image", "item 5 Bus Lane camera".
_NOT_AN_ADDRESS = {
    "court": frozenset(
        {"crown", "magistrates", "magistrates'", "youth", "county", "family", "high", "supreme", "coroners"}
        | {"coroner's", "appeal", "appeals"}
    ),
    "drive": frozenset(
        {"hard", "flash", "pen", "thumb", "usb", "external", "internal", "network", "shared", "google", "one", "state"}
    ),
    "lane": frozenset({"bus", "cycle", "fast", "slow", "inside", "outside", "middle", "nearside", "offside"}),
    "way": frozenset({"one", "two", "either", "other", "same", "wrong", "right", "half", "no", "any", "some"}),
}
# "PC 4567 Sarah Lane": a rank and collar number introduce an officer, not a house.
_RANK_BEFORE = re.compile(
    r"(?<![A-Za-z])(?:PC|DC|PS|DS|DI|DCI|DSU|Sgt|Insp|PCSO|collar(?:\s+no|\s+number)?)\.?[ \t]*$", re.IGNORECASE
)
_RANK_WINDOW = 20


def _is_street_address(text: str, match: re.Match[str]) -> bool:
    last_word = match.group("words").split()[-1].rstrip(".").replace("\u2019", "'").lower()
    if last_word in _NOT_AN_ADDRESS.get(match.group("suffix").lower(), frozenset()):
        return False
    return not _RANK_BEFORE.search(text[max(match.start() - _RANK_WINDOW, 0) : match.start()])


def _find_street_addresses(text: str) -> Iterator[Finding]:
    for match in _STREET_ADDRESS.finditer(text):
        if _is_street_address(text, match):
            yield _finding("street_address", "a street address", match)


# --- Public API ------------------------------------------------------------------------------

_DETECTORS: tuple[Callable[[str], Iterator[Finding]], ...] = (
    _find_phones,
    _find_emails,
    _find_postcodes,
    _find_ni_numbers,
    _find_dates_of_birth,
    _find_street_addresses,
)


def _drop_repeats(findings: list[Finding]) -> list[Finding]:
    # "DOB 12/05/1990 (DOB)" is found from both sides; report the date once.
    unique = {(finding.kind, finding.start): finding for finding in findings}
    return sorted(unique.values(), key=lambda finding: (finding.start, finding.kind))


def find_personal_data(text: str | None) -> list[Finding]:
    """Every stretch of ``text`` that looks like a victim's or witness's personal data, in text order.

    The one place detection happens; ``screen_text``, ``screen_fields`` and ``NoPersonalData`` all
    call it. Empty or ``None`` text has no findings.
    """
    if not text:
        return []
    return _drop_repeats([finding for detect in _DETECTORS for finding in detect(text)])


def personal_data_message(finding: Finding) -> str:
    """The message shown to the author for one finding; it carries only the masked excerpt."""
    # 1-based, as a person counts characters.
    return (
        f"Looks like personal data of a victim or witness: {finding.label} ({finding.excerpt}) "
        f"at character {finding.start + 1}. The portal holds no names, addresses, phone numbers or "
        "dates of birth; describe the item instead (e.g. 'witness statement, MG11 item 4')."
    )


def _messages(text: object) -> list[str]:
    if not isinstance(text, str):
        return []
    return [personal_data_message(finding) for finding in find_personal_data(text)]


def _django_errors(messages: list[str]) -> list[ValidationError]:
    return [ValidationError(message, code=PERSONAL_DATA_CODE) for message in messages]


def screen_text(text: str | None, *, field: str) -> None:
    """Refuse ``text`` if it looks like personal data; for services and model ``clean()``.

    Raises Django's ``ValidationError({field: [one message per finding]})``. ``None`` and ""
    pass.
    """
    messages = _messages(text)
    if messages:
        raise ValidationError({field: _django_errors(messages)})


def screen_fields(data: Mapping[str, object], fields: Iterable[str]) -> None:
    """Screen several fields of ``data`` at once; for services taking a dict of input.

    Raises one Django ``ValidationError`` naming every field at fault. Fields missing from
    ``data``, ``None`` and non-text values are skipped (partial updates carry only some fields).
    """
    errors = {field: _django_errors(messages) for field in fields if (messages := _messages(data.get(field)))}
    if errors:
        raise ValidationError(errors)


class NoPersonalData:
    """DRF field validator: ``serializers.CharField(validators=[NoPersonalData()])``.

    Raises DRF's ``ValidationError`` with one message per finding; DRF files it under the field's
    name. Not for model fields (a model's ``full_clean`` expects Django's error): call
    ``screen_text`` from ``clean()`` instead.
    """

    def __call__(self, value: object) -> None:
        messages = _messages(value)
        if messages:
            raise serializers.ValidationError(messages, code=PERSONAL_DATA_CODE)

    def __repr__(self) -> str:
        return "NoPersonalData()"
