"""Reading a roster CSV: every row checked against the catalog's vocabularies.

Pure: the text in, rows and every problem (with its line number) out. Resolving
e-mails to Slack users happens in the use case, which adds its own line-numbered
problems; nothing is imported unless there are none at all.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from bot.rules.catalog import (
    CAREER_LEVELS,
    CATEGORIES,
    CERTIFICATIONS,
    LAB_SECTIONS,
    ROLES,
    SHIFTS,
    vocabulary_key,
)

MAX_CAPACITY = 20
DEFAULT_CAPACITY = 1
MAX_ROWS = 5000

_USER_ID = re.compile(r"^<?@?([UW][A-Z0-9]{2,})(?:\|[^>]*)?>?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SPLIT = re.compile(r"[;,|]")

# Accepted header spellings, compared lower-case with spaces and punctuation removed.
HEADERS: dict[str, set[str]] = {
    "who": {
        "user",
        "userid",
        "slackuserid",
        "slackid",
        "slackuser",
        "email",
        "emailaddress",
        "slackuseridoremail",
        "useroremail",
        "member",
        "person",
    },
    "role": {"role"},
    "lab_section": {"labsection", "section", "lab", "discipline"},
    "career_level": {"careerlevel", "level"},
    "certifications": {"certifications", "certification", "certs", "credentials"},
    "interests": {
        "interests",
        "goalcategories",
        "goals",
        "categories",
        "interestsgoalcategories",
        "interestsorgoalcategories",
    },
    "target_certification": {"targetcertification", "targetcert", "workingtoward"},
    "capacity": {"mentorcapacity", "capacity"},
    "shift": {"shift"},
    "supervisor": {"supervisor", "supervisoremail", "supervisorid"},
}
REQUIRED = ("who", "role", "career_level")
COLUMN_HELP = (
    "Columns: user (Slack user id or e-mail), role, career level, lab section, "
    "certifications, interests, target certification, mentor capacity, shift, supervisor."
)


@dataclass(frozen=True)
class RosterRow:
    line: int
    who: str  # a Slack user id, or an e-mail to look up
    role: str
    career_level: str
    lab_section: str | None = None
    certifications: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    target_certification: str | None = None
    capacity: int = 0
    shift: str | None = None
    supervisor: str | None = None  # a Slack user id or an e-mail

    @property
    def mentors(self) -> bool:
        return self.role in ("mentor", "both")


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


def person_ref(text: str) -> str | None:
    """A Slack user id (also from a pasted `<@U123|name>`) or a lower-cased e-mail."""
    text = text.strip()
    if match := _USER_ID.match(text):
        return match.group(1)
    if _EMAIL.match(text):
        return text.lower()
    return None


def is_email(ref: str) -> bool:
    return "@" in ref


def _header_field(name: str) -> str | None:
    squashed = "".join(ch for ch in name.lower() if ch.isalnum())
    return next((field for field, names in HEADERS.items() if squashed in names), None)


Problems = list[tuple[str, str]]  # (field, why)


def _one(
    vocabulary: dict[str, str], values: dict[str, str], field: str, errors: Problems
) -> str | None:
    raw = values.get(field, "").strip()
    if not raw:
        return None
    key = vocabulary_key(vocabulary, raw)
    if key is None:
        what = field.replace("_", " ")
        errors.append((field, f"{what} {raw!r} is not one of {', '.join(vocabulary)}"))
    return key


def _many(
    vocabulary: dict[str, str], values: dict[str, str], field: str, errors: Problems
) -> tuple[str, ...]:
    keys: list[str] = []
    for part in _SPLIT.split(values.get(field, "")):
        key = _one(vocabulary, {field: part}, field, errors)
        if key and key not in keys:
            keys.append(key)
    return tuple(keys)


def check_row(line: int, values: dict[str, str]) -> RosterRow | Problems:
    """One person's roster entry from text values keyed by field (a CSV row, or the
    profile modal), or every (field, why) that is wrong with it."""
    errors: Problems = []
    raw_who = values.get("who", "").strip()
    who = person_ref(raw_who)
    if not raw_who:
        errors.append(("who", "no Slack user id or e-mail"))
    elif who is None:
        errors.append(("who", f"{raw_who!r} is neither a Slack user id (U…) nor an e-mail"))
    role = _one(ROLES, values, "role", errors)
    if not values.get("role", "").strip():
        errors.append(("role", "no role (mentor, mentee or both)"))
    level = _one(CAREER_LEVELS, values, "career_level", errors)
    if not values.get("career_level", "").strip():
        errors.append(("career_level", "no career level (entry, mid or senior)"))
    section = _one(LAB_SECTIONS, values, "lab_section", errors)
    certifications = _many(CERTIFICATIONS, values, "certifications", errors)
    interests = _many(CATEGORIES, values, "interests", errors)
    target = _one(CERTIFICATIONS, values, "target_certification", errors)
    shift = _one(SHIFTS, values, "shift", errors)

    capacity = 0
    raw_capacity = values.get("capacity", "").strip()
    if raw_capacity:
        if (
            not (raw_capacity.isascii() and raw_capacity.isdigit())
            or int(raw_capacity) > MAX_CAPACITY
        ):
            errors.append(
                (
                    "capacity",
                    f"mentor capacity {raw_capacity!r} is not a number from 0 to {MAX_CAPACITY}",
                )
            )
        elif role == "mentee" and int(raw_capacity) > 0:
            errors.append(
                (
                    "capacity",
                    "a mentee has no mentor capacity: leave it empty or make the role 'both'",
                )
            )
        else:
            capacity = int(raw_capacity)
    elif role in ("mentor", "both"):
        capacity = DEFAULT_CAPACITY

    supervisor = None
    raw_supervisor = values.get("supervisor", "").strip()
    if raw_supervisor:
        supervisor = person_ref(raw_supervisor)
        if supervisor is None:
            errors.append(
                (
                    "supervisor",
                    f"supervisor {raw_supervisor!r} is neither a Slack user id nor an e-mail",
                )
            )
        elif supervisor == who:
            errors.append(("supervisor", "a person cannot be their own supervisor"))
    if errors or who is None or role is None or level is None:
        return errors
    return RosterRow(
        line=line,
        who=who,
        role=role,
        career_level=level,
        lab_section=section,
        certifications=certifications,
        interests=interests,
        target_certification=target,
        capacity=capacity,
        shift=shift,
        supervisor=supervisor,
    )


def parse_roster(text: str) -> tuple[list[RosterRow], list[RowError]]:
    """Every good row and every problem. The first non-blank line names the columns."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), skipinitialspace=True)
    rows: list[RosterRow] = []
    errors: list[RowError] = []
    header: list[str | None] | None = None
    header_line = 0
    seen: dict[str, int] = {}
    try:
        while True:
            line = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                break
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header, header_line = [_header_field(c) for c in record], line
                for name, field in zip(record, header, strict=True):
                    if field is None and name.strip():
                        errors.append(
                            RowError(line, f"unknown column {name.strip()!r}. " + COLUMN_HELP)
                        )
                missing = [f for f in REQUIRED if f not in header]
                if missing:
                    names = ", ".join(m.replace("_", " ") for m in missing)
                    errors.append(RowError(line, f"missing column(s): {names}. " + COLUMN_HELP))
                if errors:
                    return [], errors
                continue
            if len(rows) + len(errors) >= MAX_ROWS:
                errors.append(RowError(line, f"more than {MAX_ROWS} rows: split the file"))
                break
            if len(record) > len(header):
                errors.append(
                    RowError(
                        line,
                        f"{len(record)} fields but the header has "
                        f"{len(header)} (a comma inside a value needs "
                        "quotes)",
                    )
                )
                continue
            values: dict[str, str] = {}
            for field, cell in zip(header, record, strict=False):
                if field and cell.strip() and not values.get(field):
                    values[field] = cell
            parsed = check_row(line, values)
            if isinstance(parsed, list):
                errors.extend(RowError(line, reason) for _, reason in parsed)
                continue
            if parsed.who in seen:
                errors.append(RowError(line, f"{parsed.who} is also on line {seen[parsed.who]}"))
                continue
            seen[parsed.who] = line
            rows.append(parsed)
    except csv.Error as exc:
        errors.append(RowError(reader.line_num, f"not readable as CSV ({exc})"))
    if header is None:
        errors.append(RowError(1, "the roster is empty. " + COLUMN_HELP))
    elif not rows and not errors:
        errors.append(RowError(header_line, "the roster has a header but no people"))
    return rows, errors
