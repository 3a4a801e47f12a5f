"""Refuse free text that looks like a victim's or witness's personal data (defect X03 at source).

The portal holds quality data about schedules, never the people in them: names and addresses
belong on the back of the MG11 and on the MG9 (docs/domain.md). Every free-text field (defect
descriptions, item references, assessment notes, reopen reasons) is screened before it is saved:
services call ``screen_text`` / ``screen_fields`` and get Django's ``ValidationError``, which the
API turns into a 400 naming the field.

Detection lives only in ``find_personal_data``. The text is first normalised (``_normalise``):
Unicode NFKC (full-width digits and at signs, mathematical digits), every Unicode space to one
plain space, every dash to ``-``, zero-width and other invisible characters dropped. Offsets are
mapped back, so a finding points at the character the author typed.

The detectors look for shapes that ordinary disclosure prose ("MG6C item 12", "CCTV from 14:05",
"URN 06AB1234525", "the M6 J32 ANPR") never takes, so a lead is not nagged; they are a guard rail,
not a guarantee. Names are found only after a role word ("victim Jane Exampleton", "mother of
Mr A. Example"), never on their own: by pattern a name cannot be told from an officer's, a place or
an ordinary word. docs/operations/screening.md lists what is caught and the measured rates.

Every pattern is compiled once here, anchored by a look-behind so that it starts only at the
beginning of a run, and has only bounded repetition: screening stays linear on long text.
"""

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError

PERSONAL_DATA_CODE = "personal_data"

_KEPT_CHARACTERS = 2


@dataclass(frozen=True)
class Finding:
    """One stretch of text that looks like personal data.

    ``excerpt`` is already masked, so it may be logged or returned to the client; ``start`` is the
    0-based offset of the match in the text as given (before normalisation).
    """

    kind: str
    label: str
    excerpt: str
    start: int


def _mask(matched: str) -> str:
    # Two characters let the author find the spot again; too few to rebuild the data from a log.
    return matched[:_KEPT_CHARACTERS] + "*" * max(len(matched) - _KEPT_CHARACTERS, 0)


# --- Normalisation ---------------------------------------------------------------------------

_LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
# Letters that render as nothing; NFKC keeps them, so they are dropped like the format characters.
_INVISIBLE = frozenset("\u115f\u1160\u17b4\u17b5\u180e\u2800\u3164\uffa0")
_DASHES = frozenset("\u2212\u2043\ufe63\uff0d")  # minus signs and hyphen bullets are not category Pd
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u2032": "'", "\u201b": "'"})
_DOTS = frozenset("\u3002\uff61")  # ideographic full stops; NFKC leaves them alone
# Cyrillic and Greek letters drawn like Latin ones ("\u0420R1 2HE" with a Cyrillic Er). NFKC keeps
# them, and transliteration maps them by sound (Er to "R"), not by look, so they are listed here.
_LOOK_ALIKES = str.maketrans(
    "\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0423\u0425\u0405\u0406\u0408\u051a\u051c\u04ae"
    "\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0455\u0456\u0458\u051b\u051d\u04bb\u0501\u04cf"
    "\u0391\u0392\u0395\u0396\u0397\u0399\u039a\u039c\u039d\u039f\u03a1\u03a4\u03a5\u03a7\u03bf\u03bd\u03b9"
    "\u0131\u0237\u0585\u057d",
    "ABEKMHOPCTYXSIJQWYaeopcyxsijqwhdlABEZHIKMNOPTYXoviijou",
)


@functools.lru_cache(maxsize=4096)
def _normalise_character(character: str) -> str:
    """What one character counts as when screening: "" to drop it, " " for any space."""
    if character in _LINE_BREAKS:
        return "\n"
    category = unicodedata.category(character)
    if category == "Zs" or character == "\t":
        return " "
    if category in ("Cf", "Mn", "Me") or character in _INVISIBLE:
        # Zero-width spaces and joiners, soft hyphens, bidi controls, combining marks: "07700\u200b900123".
        return ""
    if category == "Pd" or character in _DASHES:
        return "-"
    if character in _DOTS:
        return "."
    folded = unicodedata.normalize("NFKC", character).translate(_QUOTES).translate(_LOOK_ALIKES)
    # NFKC can itself produce spaces or dashes ("\u2474" is "(1)"; "\ufe58" a small dash): fold those too.
    return "".join(_fold_part(part) for part in folded)


def _fold_part(part: str) -> str:
    if part.isspace():
        return " "
    category = unicodedata.category(part)
    if category == "Pd":
        return "-"
    if category == "Nd" and not part.isascii():
        return str(unicodedata.decimal(part))  # Arabic-Indic, Devanagari ... digits: "\u0660\u0667" is "07"
    return part


def _normalise(text: str) -> tuple[str, list[int]]:
    """``text`` normalised for matching, and for each of its characters the offset it came from.

    Runs of spaces collapse to one, so patterns only ever allow a single space between parts.
    """
    characters: list[str] = []
    origins: list[int] = []
    for offset, character in enumerate(text):
        for part in _normalise_character(character):
            if part == " " and characters and characters[-1] == " ":
                continue
            characters.append(part)
            origins.append(offset)
    origins.append(len(text))
    return "".join(characters), origins


@dataclass(frozen=True)
class _Text:
    """The normalised text the detectors read, with the way back to the author's offsets."""

    value: str
    origins: list[int]

    def finding(self, kind: str, label: str, start: int, end: int) -> Finding:
        return Finding(kind=kind, label=label, excerpt=_mask(self.value[start:end]), start=self.origins[start])

    def from_match(self, kind: str, label: str, match: re.Match[str], group: str | int = 0) -> Finding:
        return self.finding(kind, label, match.start(group), match.end(group))


# --- Phone numbers ---------------------------------------------------------------------------

_PHONE_SEPARATOR = r"[ .-]"
_UK_PHONE = re.compile(
    rf"""
    (?<![\w+/])                                  # not the tail of a longer number, URN, reference or word
    (?: \(?(?:\+|00){_PHONE_SEPARATOR}?44\)?{_PHONE_SEPARATOR}?  # +44 7700 900123, 0044 ..., (+44) ...
        (?:\(0\){_PHONE_SEPARATOR}?|0{_PHONE_SEPARATOR}?)?       # +44 (0)161 ..., +44 07700 ... (a common slip)
      | \(?0{_PHONE_SEPARATOR}? )                # 07700 900123, (0161) 496 0000, 0 7 7 0 0 ...
    (?P<national>[1237](?:(?:\){_PHONE_SEPARATOR}?|{_PHONE_SEPARATOR}|/)?\d){{8,9}})
    (?![\d/])
    """,
    re.VERBOSE,
)
# "0161/496 0000", "07700/900123": a slash only after a dialling code of 2 to 4 digits (after the 0);
# "01/123456/25" is a crime reference.
_SLASHED_DIALLING_CODE = re.compile(r"^\d{2,4}/[^/]*$")
_DIGIT_RUN = re.compile(r"\d+")
_MAX_PHONE_GROUPS = 4


def _is_uk_number(national: str) -> bool:
    """Check the digits after the trunk 0 (or after +44) against the UK numbering plan."""
    if "/" in national and not _SLASHED_DIALLING_CODE.match(national):
        return False
    groups = _DIGIT_RUN.findall(national)
    # "01 02 03 04 05" (a list of item numbers) has the right digit count but no phone grouping;
    # "7 7 0 0 9 0 0 1 2 3" (one digit at a time) is a number spelt out to dodge the screen.
    if len(groups) > _MAX_PHONE_GROUPS and any(len(group) > 1 for group in groups):
        return False
    digits = "".join(groups)
    if digits[0] == "1":
        # A few small-town 01 numbers have nine digits after the 0; the rest have ten.
        return len(digits) in (9, 10)
    return len(digits) == 10


def _find_uk_phones(text: _Text) -> Iterator[Finding]:
    for match in _UK_PHONE.finditer(text.value):
        if _is_uk_number(match.group("national")):
            yield text.from_match("uk_phone", "a UK phone number", match)


# "+1 (202) 555-0143", "+353 20 910 0123", "0048 22 000 00 00": an international prefix, then
# groups of digits. Which lengths a country's numbers have is libphonenumber's knowledge.
_INTERNATIONAL_PHONE = re.compile(
    # Digit runs are possessive and so split one way only: the pattern stays linear on "+777...7".
    rf"(?<![\w+])(?:\+|00)(?P<number>{_PHONE_SEPARATOR}?\(?\d++(?:\)?{_PHONE_SEPARATOR}?\(?\d++){{0,7}})(?!\d)"
)
_PHONE_GROUP = re.compile(r"\d+")
_UK_COUNTRY_CODE = 44
_MIN_INTERNATIONAL_DIGITS = 8
_MAX_INTERNATIONAL_DIGITS = 15


def _international_number_end(candidate: str) -> int | None:
    """Where the longest possible international number at the start of ``candidate`` ends, or None.

    "+1 202 555 0143 3 items" reaches one group too far: shorter runs of groups are tried too.
    """
    groups = list(_PHONE_GROUP.finditer(candidate))
    for count in range(len(groups), 0, -1):
        digits = "".join(group.group() for group in groups[:count])
        if not _MIN_INTERNATIONAL_DIGITS <= len(digits) <= _MAX_INTERNATIONAL_DIGITS:
            continue
        try:
            number = phonenumbers.parse("+" + digits, None)
        except phonenumbers.NumberParseException:
            return None
        if number.country_code == _UK_COUNTRY_CODE:
            return None  # the UK detector knows the UK plan better (and reports it as such)
        if phonenumbers.is_possible_number(number):
            return groups[count - 1].end()
    return None


def _find_international_phones(text: _Text) -> Iterator[Finding]:
    for match in _INTERNATIONAL_PHONE.finditer(text.value):
        end = _international_number_end(match.group("number"))
        if end is not None:
            yield text.finding("phone", "a phone number", match.start(), match.start("number") + end)


# --- E-mail addresses ------------------------------------------------------------------------

_LOCAL_PART = r"[\w%+-](?:[\w.%+-]{0,62}[\w%+-])?"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_TLD = r"[A-Za-z]{2,24}"
_COMMON_TLD = r"(?:com|org|net|co|uk|gov|ac|nhs|police|sch|me|io|info|biz|ie|eu|edu)(?![A-Za-z])"
# "example . org" only before a common top-level domain: "CCTV @ Preston. Then ..." stays prose.
_DOT = rf"(?:\.|(?: \. ?|\. )(?={_COMMON_TLD})| ?[(\[{{]dot[)\]}}] ?| dot )"
_DOMAIN = rf"{_LABEL}(?:{_DOT}{_LABEL}){{0,5}}{_DOT}{_TLD}(?![\w-])"
# "@", " @ ", "(at)", "[at]", "{at}", "<at>"; the full-width and small "@" are folded to "@" by NFKC.
_EMAIL = re.compile(rf"(?<![\w.%+-]){_LOCAL_PART}(?: ?@ ?| ?[(\[{{<] ?at ?[)\]}}>] ?){_DOMAIN}", re.IGNORECASE)
# "jane.exampleton at example dot org": a bare " at " only with a spelt-out dot or a dotted local
# part, so that "guidance at cps.gov.uk" stays prose.
_EMAIL_BARE_AT = re.compile(
    rf"(?<![\w.%+-])(?:{_LOCAL_PART} at {_LABEL}(?:{_DOT}{_LABEL}){{0,5}}(?: ?[(\[{{]dot[)\]}}] ?| dot ){_TLD}(?![\w-])"
    rf"|[A-Za-z][A-Za-z0-9]*(?:[._][A-Za-z][A-Za-z0-9]+){{1,4}} at {_DOMAIN})",
    re.IGNORECASE,
)


def _find_emails(text: _Text) -> Iterator[Finding]:
    for pattern in (_EMAIL, _EMAIL_BARE_AT):
        for match in pattern.finditer(text.value):
            yield text.from_match("email", "an e-mail address", match)


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
# motorway or a district, not somebody's home. Any case, with or without the space.
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])(?P<area>[A-Z]{1,2})[0-9][A-Z0-9]?[ -]?(?P<inward>[0-9][ABD-HJLNP-UW-Z]{2})(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_ORDINAL_ENDINGS = frozenset({"st", "nd", "rd", "th"})


def _is_postcode(match: re.Match[str]) -> bool:
    if match.group("area").upper() not in _POSTCODE_AREAS:
        return False
    # "the M62 3rd lane", "MG11 2nd": a lower-case ordinal is prose; a postcode like "M1 1ST" is typed in capitals.
    ending = match.group("inward")[1:]
    return not (ending.lower() in _ORDINAL_ENDINGS and not ending.isupper())


def _find_postcodes(text: _Text) -> Iterator[Finding]:
    for match in _POSTCODE.finditer(text.value):
        if _is_postcode(match):
            yield text.from_match("postcode", "a UK postcode", match)


# --- National Insurance numbers --------------------------------------------------------------

# HMRC: the first letter is never D F I Q U V, the second never D F I O Q U V. That makes HMRC's
# own example "QQ 12 34 56 C" pass, as it should. The digits may be split anywhere by a space, dot or dash.
_NI_SEPARATOR = r"[ .-]?"
_NI_NUMBER = re.compile(
    rf"(?<![A-Za-z0-9])(?P<prefix>[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])"
    rf"{_NI_SEPARATOR}\d(?:{_NI_SEPARATOR}\d){{5}}{_NI_SEPARATOR}[A-D](?![A-Za-z0-9])",
    re.IGNORECASE,
)
_NI_UNALLOCATED_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def _find_ni_numbers(text: _Text) -> Iterator[Finding]:
    for match in _NI_NUMBER.finditer(text.value):
        if match.group("prefix").upper() not in _NI_UNALLOCATED_PREFIXES:
            yield text.from_match("ni_number", "a National Insurance number", match)


# --- Dates of birth --------------------------------------------------------------------------

# A date alone is ordinary ("received 12/03/2024", "CCTV from 14:05 on 3 March"); only a date
# tied to a birth word is personal data.
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s)?"
_DAY = r"(?:3[01]|[12]\d|0?[1-9])"
_MONTH_NUMBER = r"(?:1[0-2]|0?[1-9])"
_ORDINAL = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_SHORT_YEAR = r"(?:'?\d{2})"
_DATE_SEPARATOR = r"[/.-]"
_DATE = (
    rf"(?:{_WEEKDAY}"
    rf"(?:{_YEAR}{_DATE_SEPARATOR}{_MONTH_NUMBER}{_DATE_SEPARATOR}{_DAY}"  # 1990-05-12, 1990/05/12
    rf"|{_DAY}{_DATE_SEPARATOR}{_MONTH_NUMBER}(?:{_DATE_SEPARATOR}(?:{_YEAR}|\d{{2}}))?"  # 12/05/1990, 1.5.90
    rf"|{_DAY}{_ORDINAL}(?:\s|{_DATE_SEPARATOR})?(?:of\s)?{_MONTH}(?:,?(?:\s|{_DATE_SEPARATOR})?(?:{_YEAR}|{_SHORT_YEAR}))?"
    rf"|{_MONTH}\s?{_DAY}{_ORDINAL}(?:,?\s?(?:{_YEAR}|{_SHORT_YEAR}))?"  # March 3rd, 1990
    rf"|{_MONTH},?\s{_YEAR}"  # March 1990
    rf"|(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2]){_YEAR}))"  # 03031990
    r"(?!\d)"
)
_DOB_ABBREVIATION = r"(?:d\.?\s?o\.?\s?b\b\.?|d/o/b|date[\s_-]of[\s_-]birth)"
_BIRTH_WORD = rf"(?:{_DOB_ABBREVIATION}|birth[\s_-]?date|birthday|born|birth)"
_GAP = r"[\s:=(),\-]"
# Only these words may stand between the birth word and the date, so that
# "DOB not recorded; schedule received 12/03/2024" passes.
_CONNECTOR = (
    r"(?:on|is|was|of|the|in|as|given|recorded|stated|shown|listed|her|his|their|dd/mm/yy(?:yy)?"
    r"|victim(?:'s)?|witness(?:'s)?|complainant(?:'s)?|ip|v|w)"
)
_DOB_AFTER_BIRTH_WORD = re.compile(
    rf"(?<![A-Za-z]){_BIRTH_WORD}(?![A-Za-z]){_GAP}{{0,4}}(?:{_CONNECTOR}{_GAP}{{1,4}}){{0,4}}(?P<date>{_DATE})",
    re.IGNORECASE,
)
_DOB_BEFORE_BIRTH_WORD = re.compile(
    rf"(?<![A-Za-z0-9])(?P<date>{_DATE})[\s(\[,\-]{{0,3}}{_DOB_ABBREVIATION}(?![A-Za-z])",
    re.IGNORECASE,
)

# "born 1990", "DOB: 1990": a year alone only straight after the birth word ("DOB recorded in 2019
# schedules" is prose).
_BIRTH_YEAR = re.compile(
    rf"(?<![A-Za-z])(?:{_DOB_ABBREVIATION}|born)(?![A-Za-z]){_GAP}{{0,3}}(?:in )?(?P<date>{_YEAR})(?![\d/.-]?\d)",
    re.IGNORECASE,
)


def _find_dates_of_birth(text: _Text) -> Iterator[Finding]:
    for pattern in (_DOB_AFTER_BIRTH_WORD, _DOB_BEFORE_BIRTH_WORD, _BIRTH_YEAR):
        for match in pattern.finditer(text.value):
            # The finding points at the date itself: that is what the author must remove.
            yield text.from_match("date_of_birth", "a date of birth", match, "date")


# --- Street addresses ------------------------------------------------------------------------

_STREET_SUFFIXES = (
    *("Road", "Rd", "Street", "St", "Avenue", "Ave", "Lane", "Ln", "Close", "Drive", "Dr", "Way", "Crescent"),
    *("Court", "Ct", "Place", "Pl", "Grove", "Terrace", "Gardens", "Gdns", "Walk", "Square", "Sq", "Mews"),
    *("Row", "Hill", "Rise", "Parade", "Boulevard", "Park", "Green", "Vale", "View", "Wharf", "Yard", "Gate"),
)
_SUFFIX = "|".join(_STREET_SUFFIXES)
_WORD = r"[A-Za-z][A-Za-z'-]*\.?"  # Acacia, St., O'Neill, ACACIA, high
# A house number ("12", "4a", "12-14") and one to four words before the suffix: "item 12 Road
# traffic collision report" has no word between number and suffix, so it passes.
_STREET_ADDRESS = re.compile(
    rf"(?<![\w/.:-])\d{{1,4}}[A-Za-z]?(?: ?- ?\d{{1,4}}[A-Za-z]?)?,? "
    rf"(?P<words>(?:{_WORD} ){{1,4}})(?P<suffix>{_SUFFIX})\.?(?![A-Za-z'])",
    re.IGNORECASE,
)
# Phrases that end in a street word but name a thing, not a home: "item 3 Preston Crown Court
# transcript", "item 4 Hard Drive image", "item 5 Bus Lane camera".
_NOT_AN_ADDRESS = {
    "court": frozenset(
        {"crown", "magistrates", "magistrates'", "youth", "county", "family", "high", "supreme", "coroners"}
        | {"coroner's", "appeal", "appeals", "the", "in", "at", "to", "of", "civil", "criminal", "military"}
        | {"district", "sheriff", "juvenile", "open", "previous", "earlier", "later", "next", "last", "first"}
        | {"different", "other", "separate", "further", "trial", "remand"}
    ),
    "drive": frozenset(
        {"hard", "flash", "pen", "thumb", "usb", "external", "internal", "network", "shared", "google", "one", "state"}
    ),
    "lane": frozenset(
        {"bus", "cycle", "fast", "slow", "inside", "outside", "middle", "nearside", "offside", "overtaking"}
        | {"northbound", "southbound", "eastbound", "westbound", "inbound", "outbound", "left", "right", "turning"}
    ),
    "way": frozenset({"one", "two", "either", "other", "same", "wrong", "right", "half", "no", "any", "some"}),
    "park": frozenset({"car", "retail", "business", "industrial", "trading", "theme", "country", "national", "skate"}),
    "view": frozenset({"street", "overview", "full", "plan", "side", "rear", "front", "aerial", "google"}),
    "green": frozenset({"bright", "dark", "light", "pale", "lime", "olive", "racing", "bottle"}),
    "gate": frozenset({"security", "toll", "rear", "front", "side", "electric", "main"}),
    "row": frozenset({"front", "back", "middle", "first", "second", "third", "last", "top", "bottom", "death"}),
    "hill": frozenset({"the", "a"}),
}
# With a lower-case word between number and suffix the phrase must still read as a street name:
# "12 high street" and "4 mill lane" do, "3 items on the way" and "a 5 minute walk" do not.
_PROSE_WORDS = frozenset(
    """
    a an the and or of on in at to for by with from via into onto per each every this that these those
    its his her their our my your no not is was were be been has had have did do does it he she they we
    same other another next last first second third all any some many few more most less several both
    one two three four five six seven eight nine ten half whole entire separate further extra only
    item items page pages statement statements exhibit exhibits document documents clip clips call calls
    message messages photo photos photograph photographs image images officer officers witness witnesses
    victim victims suspect suspects defendant defendants person persons people day days week weeks month
    months year years hour hours minute minutes min mins second seconds mile miles metre metres meter meters
    yard yards foot feet time times case cases schedule schedules box boxes bag bags file files folder
    folders disc discs disk disks cd cds dvd dvds phone phones device devices vehicle vehicles car cars
    line lines entry entries copy copies version versions part parts lane lanes road roads street streets
    camera cameras frame frames still stills screenshot screenshots video videos footage recording
    recordings journey journeys trip trips way ways hard usb bus cycle car short long quick brief slow
    """.split()  # noqa: SIM905 - one vocabulary block reads better than a long literal
)
# "PC 4567 Sarah Lane": a rank and collar number introduce an officer, not a house.
_RANK_BEFORE = re.compile(
    r"(?<![A-Za-z])(?:PC|DC|PS|DS|DI|DCI|DSU|Sgt|Insp|PCSO|collar(?: no| number)?)\.? ?$", re.IGNORECASE
)
_RANK_WINDOW = 20


# In lower case only these street words make an address: "3 previous court hearings", "a 10
# minute walk", "2 other ways" are prose, and "12 high st" is missed.
_LOWER_CASE_SUFFIXES = frozenset(
    {"road", "street", "avenue", "lane", "close", "drive", "crescent", "terrace", "gardens", "grove", "mews"}
    | {"parade", "boulevard"}
)


def _is_street_address(text: str, match: re.Match[str]) -> bool:
    words = [word.rstrip(".").lower() for word in match.group("words").split()]
    suffix = match.group("suffix").lower()
    if words[-1] in _NOT_AN_ADDRESS.get(suffix, frozenset()):
        return False
    capitalised = all(word[0].isupper() for word in match.group("words").split())
    if not capitalised and (suffix not in _LOWER_CASE_SUFFIXES or any(word in _PROSE_WORDS for word in words)):
        return False
    return not _RANK_BEFORE.search(text[max(match.start() - _RANK_WINDOW, 0) : match.start()])


def _find_street_addresses(text: _Text) -> Iterator[Finding]:
    for match in _STREET_ADDRESS.finditer(text.value):
        if _is_street_address(text.value, match):
            yield text.from_match("street_address", "a street address", match)


# --- Names after a role word -----------------------------------------------------------------

_RELATION = (
    r"(?:mother|father|mum|dad|parent|daughter|son|child|brother|sister|partner|ex-partner|wife|husband"
    r"|girlfriend|boyfriend|fianc[eé]e?|friend|neighbour|carer|guardian|grandmother|grandfather|aunt|uncle"
    r"|cousin|niece|nephew|stepmother|stepfather|stepson|stepdaughter)"
)
_ROLE = (
    rf"(?:(?i:victims?|witness(?:es)?|complainants?|injured[ -]part(?:y|ies)|{_RELATION}[ -]of)|IP|IPs)"
    r"(?:'s?)?"
    r"(?i: (?:full |sur|first |given |fore)?names?| named| called| known as)?"
)
_TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Master|Sir|Dame|Lady|Lord|Prof|Rev)\.?"
_INITIAL = r"[A-Z]\.?"
_NAME_WORD = r"[A-Z](?:'[A-Z])?[a-z]+(?:[A-Z][a-z]+)?(?:-[A-Z][a-z]+)?"  # Jane, O'Neill, McDonald, Smith-Jones
_CAPS_WORD = r"[A-Z]{2,}(?:-[A-Z]{2,})?"  # a surname in capitals, after a first name: Jane EXAMPLETON
_ROLE_NAME = re.compile(
    rf"(?<![A-Za-z]){_ROLE}(?: ?[,:(-] ?| )"
    rf"(?P<name>{_TITLE}(?: (?:{_INITIAL}|{_NAME_WORD}|{_CAPS_WORD})){{1,4}}"
    rf"|(?:{_INITIAL} ){{0,2}}(?P<first>{_NAME_WORD})(?: (?:{_INITIAL}|{_NAME_WORD}|{_CAPS_WORD})){{0,3}}"
    rf"|{_CAPS_WORD}, ?(?P<given>{_NAME_WORD})(?: (?:{_INITIAL}|{_NAME_WORD})){{0,2}})"  # EXAMPLETON, Jane
    r"(?![A-Za-z0-9])"
)
# A capitalised word after a role word that starts a domain phrase ("Witness Statement MG11",
# "Victim Personal Statement", "Witness Care Unit", "Victim Code"), a common word, or a calendar
# word. Compared lower-cased with the first capitalised word after the role word.
_NOT_A_NAME = frozenset(
    """
    statement statements personal code codes care support service services liaison summons right rights
    contact needs impact anonymity intermediary intermediaries protection profile profiles assessment
    assessments interview interviews details detail list lists schedule information communication box room
    suite evidence account accounts testimony availability warning warnings form forms officer officers
    unit units team teams coordinator co-ordinator hub management notification advocate advocates champion
    special measures familiarisation expenses attendance withdrawal retraction declaration identification
    charter commissioner commissioners satisfaction strategy strategies plan plans policy policies scheme
    schemes portal letter letters report reports record records log logs note notes summary summaries
    address addresses camera cameras phone telephone number numbers category categories type types
    credibility reliability intimidation harassment timeline timelines issues issue matters matter
    enquiry enquiries referral referrals request requests review reviews consent questionnaire
    vulnerability vulnerable intimidated anonymous unnamed unknown unidentified redacted withheld
    none nil yes no n/a not tbc male female adult adults child children juvenile youth elderly
    and or the a an of in on at to for by with from as is was were are be been has had have did
    he she they it his her their its who whom whose which that this these those there then than
    said says states stated reports reported gave refused declined attended confirmed told
    police officer oic cps court crown magistrates defence prosecution prosecutor counsel judge jury
    sgt sergeant insp inspector constable detective supt superintendent chief pcso
    victim victims witness witnesses complainant complainants suspect suspects defendant defendants
    one two three four five six seven eight nine ten first second third fourth fifth
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday
    sexual domestic abuse violence offences offence crime crimes
    medical health counselling therapy therapist social school education employment financial bank
    mobile download downloads photographs photos images injuries injury clothing clothes vehicle property
    previous history background character bad antecedents convictions cautions relationship communications
    messages texts emails media diary diaries notebook description descriptions identity safeguarding risk
    dash marac isva idva video recording recordings exhibit exhibits initial further additional
    supplementary key main independent expert professional lay civilian eye significant
    blood dna forensic sample samples swabs google facebook whatsapp snapchat instagram apple samsung
    """.split()  # noqa: SIM905 - the allow-list reads better as a block than one word per line
)


# A later word that makes the capitalised words a place or an organisation: "witness Preston Crown
# Court listing", "victim Exampleton Primary School". A name may still contain a month or a number
# word ("Jane May"), so these are not the allow-list above.
_NOT_A_PERSON = frozenset(
    """
    court crown magistrates police station hospital school academy college university council bank
    ltd limited plc llp group shop store stores supermarket services service centre center unit team
    trust nhs surgery practice clinic prison hmp yoi office department authority agency partnership
    """.split()  # noqa: SIM905 - as above
)


def _is_name(match: re.Match[str]) -> bool:
    # After a title ("witness Mr A. Khan") anything capitalised is a person; otherwise the first
    # capitalised word must not start a domain phrase.
    first = match.group("first") or match.group("given")
    if first is not None and first.lower() in _NOT_A_NAME:
        return False
    return not any(word.rstrip(".").lower() in _NOT_A_PERSON for word in match.group("name").split())


def _find_role_names(text: _Text) -> Iterator[Finding]:
    for match in _ROLE_NAME.finditer(text.value):
        if _is_name(match):
            yield text.from_match("name", "a name after a role word", match, "name")


# --- Public API ------------------------------------------------------------------------------

_DETECTORS: tuple[Callable[[_Text], Iterator[Finding]], ...] = (
    _find_uk_phones,
    _find_international_phones,
    _find_emails,
    _find_postcodes,
    _find_ni_numbers,
    _find_dates_of_birth,
    _find_street_addresses,
    _find_role_names,
)


def _drop_repeats(findings: list[Finding]) -> list[Finding]:
    # "DOB 12/05/1990 (DOB)" is found from both sides; report the date once.
    unique = {(finding.kind, finding.start): finding for finding in findings}
    return sorted(unique.values(), key=lambda finding: (finding.start, finding.kind))


def find_personal_data(text: str | None) -> list[Finding]:
    """Every stretch of ``text`` that looks like a victim's or witness's personal data, in text order.

    The one place detection happens; ``screen_text`` and ``screen_fields`` call it. Empty or
    ``None`` text has no findings.
    """
    if not text:
        return []
    normalised = _Text(*_normalise(text))
    return _drop_repeats([finding for detect in _DETECTORS for finding in detect(normalised)])


def personal_data_message(finding: Finding) -> str:
    """The message shown to the author for one finding; it carries only the masked excerpt."""
    # 1-based, as a person counts characters.
    return (
        f"Looks like personal data of a victim or witness: {finding.label} ({finding.excerpt}) "
        f"at character {finding.start + 1}. The portal holds no names, addresses, phone numbers or "
        "dates of birth; describe the item instead (e.g. 'witness statement, MG11 item 4')."
    )


def _django_errors(text: object) -> list[ValidationError]:
    if not isinstance(text, str):
        return []
    return [
        ValidationError(personal_data_message(finding), code=PERSONAL_DATA_CODE) for finding in find_personal_data(text)
    ]


def screen_text(text: str | None, *, field: str) -> None:
    """Refuse ``text`` if it looks like personal data; for services and model ``clean()``.

    Raises Django's ``ValidationError({field: [one message per finding]})``. ``None`` and ""
    pass.
    """
    errors = _django_errors(text)
    if errors:
        raise ValidationError({field: errors})


def screen_fields(data: Mapping[str, object], fields: Iterable[str]) -> None:
    """Screen several fields of ``data`` at once; for services taking a dict of input.

    Raises one Django ``ValidationError`` naming every field at fault. Fields missing from
    ``data``, ``None`` and non-text values are skipped (partial updates carry only some fields).
    """
    errors = {field: field_errors for field in fields if (field_errors := _django_errors(data.get(field)))}
    if errors:
        raise ValidationError(errors)
