"""The repository's documents stand on their own and agree with the data they describe."""

import importlib
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Notes that once lived outside the repository; spelled in pieces so that this file does not
# itself match the search it makes.
OUTSIDE_NOTES = re.compile(
    "|".join(re.escape(name) for name in ("../" + "shared", "DESIGN" + ".md", "DOMAIN" + ".md", "STYLE" + ".md"))
)


def _repository_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [ROOT / name for name in listed.split("\0") if name and (ROOT / name).is_file()]


def test_no_file_cites_notes_outside_the_repository():
    citing = []
    for path in _repository_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if OUTSIDE_NOTES.search(line):
                citing.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert citing == []


def _taxonomy_table() -> list[tuple[str, str, str, str]]:
    """The rows of the defect taxonomy table in docs/domain.md: (code, name, side, default severity)."""
    text = (ROOT / "docs" / "domain.md").read_text(encoding="utf-8")
    section = text.split("## The defect taxonomy", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and re.fullmatch(r"[A-Z][0-9]{2}", cells[0]):
            rows.append(tuple(cells))
    return rows


def test_the_documented_defect_taxonomy_is_the_seeded_one():
    seed = importlib.import_module("disclosure.migrations.0002_seed_reference_data")
    assert len(_taxonomy_table()) == 21
    assert _taxonomy_table() == [tuple(row) for row in seed.DEFECT_CATEGORIES]
