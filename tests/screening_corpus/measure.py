"""Hit rate and false-positive rate of backend/screening.py on the corpora beside this file.

    .venv/bin/python -m tests.screening_corpus.measure

prints the rates and every miss and false positive (masked: the corpus is invented, but the report
prints as the portal would). ``hits.txt`` lines are ``kind | text``; ``prose.txt`` lines are text.
In both, blank lines and lines starting with ``#`` are skipped, and ``\\uXXXX`` / ``\\UXXXXXXXX``
stand for that character. tests/test_screening.py reads the same files.
"""

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from backend.screening import find_personal_data

CORPUS = Path(__file__).resolve().parent
HITS = CORPUS / "hits.txt"
PROSE = CORPUS / "prose.txt"
LIMITS = CORPUS / "limits.txt"

_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})|\\t")
_KIND_SEPARATOR = " | "


def _character(match: re.Match[str]) -> str:
    if match.group(0) == r"\t":
        return "\t"
    return chr(int(match.group(1) or match.group(2), 16))


def _unescape(line: str) -> str:
    return _ESCAPE.sub(_character, line)


def _lines(path: Path) -> list[tuple[int, str]]:
    numbered = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if raw.strip() and not raw.startswith("#"):
            numbered.append((number, _unescape(raw)))
    return numbered


@dataclass(frozen=True)
class Hit:
    line: int
    kind: str
    text: str


def load_hits() -> list[Hit]:
    hits = []
    for number, line in _lines(HITS):
        kind, separator, text = line.partition(_KIND_SEPARATOR)
        if not separator:
            raise ValueError(f"{HITS.name}:{number}: expected 'kind | text'")
        hits.append(Hit(line=number, kind=kind.strip(), text=text))
    return hits


def load_prose() -> list[tuple[int, str]]:
    return _lines(PROSE)


def load_limits() -> tuple[list[tuple[int, str]], list[Hit]]:
    """The known false positives (``flagged | text``) and known misses (``missed | kind | text``)."""
    flagged, missed = [], []
    for number, line in _lines(LIMITS):
        verdict, _, rest = line.partition(_KIND_SEPARATOR)
        if verdict == "flagged":
            flagged.append((number, rest))
        elif verdict == "missed" and _KIND_SEPARATOR in rest:
            kind, _, text = rest.partition(_KIND_SEPARATOR)
            missed.append(Hit(line=number, kind=kind.strip(), text=text))
        else:
            raise ValueError(f"{LIMITS.name}:{number}: expected 'flagged | text' or 'missed | kind | text'")
    return flagged, missed


def _kinds(text: str) -> set[str]:
    return {finding.kind for finding in find_personal_data(text)}


def main() -> int:
    hits, prose = load_hits(), load_prose()
    missed = [hit for hit in hits if hit.kind not in _kinds(hit.text)]
    flagged = [(number, findings) for number, text in prose if (findings := find_personal_data(text))]
    caught = len(hits) - len(missed)
    print(f"hits:  {caught}/{len(hits)} caught ({100 * caught / len(hits):.1f}%)")
    print(f"prose: {len(flagged)}/{len(prose)} flagged ({100 * len(flagged) / len(prose):.1f}% false positives)")
    for kind in sorted({hit.kind for hit in hits}):
        of_kind = [hit for hit in hits if hit.kind == kind]
        print(f"  {kind:<15} {sum(hit not in missed for hit in of_kind)}/{len(of_kind)}")
    for hit in missed:
        print(f"MISSED {HITS.name}:{hit.line} ({hit.kind})")
    for number, findings in flagged:
        print(f"FALSE POSITIVE {PROSE.name}:{number}: " + ", ".join(f"{f.kind} {f.excerpt}" for f in findings))

    known_flagged, known_missed = load_limits()
    still_flagged = sum(bool(find_personal_data(text)) for _, text in known_flagged)
    still_missed = sum(hit.kind not in _kinds(hit.text) for hit in known_missed)
    print(f"known limits ({LIMITS.name}): {still_flagged}/{len(known_flagged)} ordinary lines refused, ", end="")
    print(f"{still_missed}/{len(known_missed)} personal-data lines let through")
    return 1 if missed or flagged else 0


if __name__ == "__main__":
    sys.exit(main())
