"""Derive the patient-data guard's name lists (bot/rules/phi_data/*.txt).

Sources, both fetched with ordinary package clients and read from disk here:
- the `names` package 0.3.0 on PyPI (MIT licence), which ships the US Census Bureau's
  1990 name frequency files (dist.male.first, dist.female.first, dist.all.last): works
  of the US federal government, in the public domain;
- Debian's `wamerican` word list (SCOWL, Kevin Atkinson; permissive licence quoted in
  the output header), used only to mark names that are also English words.

Usage (from the repository root):
    pip download names==0.3.0 --no-deps && tar xzf names-0.3.0.tar.gz
    apt-get download wamerican && dpkg-deb -x wamerican_*.deb wam
    python tools/derive_phi_names.py names-0.3.0/names wam/usr/share/dict/american-english
"""

from __future__ import annotations

import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "bot" / "rules" / "phi_data"
# The most common surnames: the 1990 list's tail is mostly one-family spellings and
# English words; 30,000 covers about 82% of the people the Census counted.
SURNAMES = 30_000

CENSUS = (
    "# Derived by tools/derive_phi_names.py from the US Census Bureau's 1990 name\n"
    "# frequency files (public domain, as shipped in the `names` 0.3.0 package on PyPI,\n"
    "# MIT licence). One lower-case name a line.\n"
)
SCOWL = (
    "# Derived by tools/derive_phi_names.py: the Census given names and surnames above\n"
    "# that are also lower-case English words in Debian's wamerican list (SCOWL,\n"
    "# Copyright 2000-2011 Kevin Atkinson: permission to use, copy, modify, distribute\n"
    "# and sell these word lists ... is hereby granted without fee, provided that the\n"
    "# above copyright notice appears in all copies). One lower-case word a line.\n"
)


def column(path: Path, limit: int | None = None) -> list[str]:
    names = [line.split()[0].lower() for line in path.read_text().splitlines() if line.strip()]
    return names[:limit] if limit else names


def main(names_dir: str, words_file: str) -> None:
    src = Path(names_dir)
    given = sorted(set(column(src / "dist.male.first") + column(src / "dist.female.first")))
    surnames = sorted(set(column(src / "dist.all.last", SURNAMES)))
    words = {w for w in Path(words_file).read_text().split() if w.islower() and w.isalpha()}
    ambiguous = sorted((set(given) | set(surnames)) & words)
    (OUT / "given_names.txt").write_text(CENSUS + "\n".join(given) + "\n")
    (OUT / "surnames.txt").write_text(CENSUS + "\n".join(surnames) + "\n")
    (OUT / "name_words.txt").write_text(SCOWL + "\n".join(ambiguous) + "\n")
    print(f"{len(given)} given names, {len(surnames)} surnames, {len(ambiguous)} also words")


if __name__ == "__main__":
    main(*sys.argv[1:3])
