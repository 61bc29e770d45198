"""Spot likely protected health information in free text before it is saved.

Wins and goals are written by lab staff and may be shown to mentors or posted to a
channel, so anything that looks like it identifies a patient (a record number, a date of
birth, "patient John Smith") is flagged and the caller warns before saving. The rules are
deliberately narrow: a guard that cries wolf at "QC on lot 24031 passed" gets ignored.

Known gaps: a bare name with no cue word ("specimen for John Smith") cannot be told from
a colleague's or a vendor's name without a name list, so only cued names are caught.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    kind: str  # short human label, e.g. "medical record number"
    excerpt: str  # the exact substring of the input that matched


# A surname or given name: "Smith", "O'Brien", "McDonald", "Lopez-Garcia". At least one
# lowercase letter, so acronyms after "pt" ("pt INR", "Pt ID") never look like names.
_NAME = r"[A-Z][a-z]*(?:['’-]?[A-Z]?[a-z]+)+"
_DATE = (
    r"(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}"  # 03/14/1962, 3-14-62
    r"|\d{4}-\d{2}-\d{2}"  # 1962-03-14
    r"|\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?,?\s+\d{4}"
    r"|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}"
    r"(?:st|nd|rd|th)?,?\s+\d{4})"
)
# Capitalised words that can follow "patient"/"pt" in a sentence without being a name.
_NOT_A_NAME = (
    "The|This|That|He|She|They|His|Her|And|But|Who|Was|Is|With|From|For|In|On|At|After|"
    "Before|When|While|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
)
_AGE_90_PLUS = r"(?:9\d|1[01]\d)"
# An identifier after a label: letters and digits, at least one digit ("errors" is no id).
_ID = r"(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{3,}"
_ID_LABEL = r"\s*(?:#|no\.?|num(?:ber)?|id)"  # "#", "no.", "number", "ID"
_ACCESSION_LABEL = rf"(?:accession(?:{_ID_LABEL})?|acc\.?{_ID_LABEL}|specimen{_ID_LABEL})"
_MEMBER_LABEL = (
    rf"(?:(?:member|subscriber|policy|insurance|medicaid|medicare|health\s+plan){_ID_LABEL}"
    r"|MBI)"
)

# (kind, pattern), most specific first: when two matches overlap, the one that starts
# first wins, then the longer, then the earlier rule. A group named "hit" narrows the
# excerpt to the identifying part ("room 412" rather than "patient in room 412").
_RULES: list[tuple[str, re.Pattern[str]]] = [
    (
        "medical record number",
        re.compile(r"\b(?:MRN|M\.R\.N\.?|MR\s*#)\s*[:#]?\s*[A-Z]{0,3}\d{3,}\b", re.I),
    ),
    (
        "medical record number",
        re.compile(
            r"\b(?:med(?:ical)?\.?\s*rec(?:ord)?s?\.?(?:" + _ID_LABEL + r")?"
            r"|record\s*(?:#|no\.?|number))\s*[:#]?\s*[A-Z]{0,3}\d{5,}\b",
            re.I,
        ),
    ),
    (
        "accession number",
        re.compile(r"\b" + _ACCESSION_LABEL + r"\s*[:#]?\s*" + _ID, re.I),
    ),
    # Typical LIS accession shapes: S24-012345, SP-24-0001234, CH25-00042.
    ("accession number", re.compile(r"\b[A-Z]{1,3}-?\d{2}-\d{4,8}\b")),
    (
        "date of birth",
        re.compile(
            r"\b(?:DOB|D\.O\.B\.?|date\s+of\s+birth|birth\s*date|birthday|born(?:\s+on)?)"
            r"\s*(?:[:=-]|is|was|of)?\s*" + _DATE,
            re.I,
        ),
    ),
    (
        "social security number",
        re.compile(
            r"\b(?:SSN|SS\s*#|soc(?:ial)?\.?\s+sec(?:urity)?\.?(?:\s*(?:#|no\.?|number))?)"
            r"\s*[:#]?\s*\d{3}[-\s]?\d{2}[-\s]?\d{4}\b",
            re.I,
        ),
    ),
    ("social security number", re.compile(r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])")),
    (
        "phone number",
        # Area codes start 2-9 and separators are required, so "150-400" or a reference
        # range never qualifies; "+1"/"1-" prefixes and "(555) 123-4567" are allowed.
        re.compile(
            r"(?<![\w.+-])(?:"
            r"(?:\+1|1-)[\s.-]?\(?[2-9]\d{2}\)?[\s.-]?\d{3}[\s.-]?\d{4}"
            r"|\([2-9]\d{2}\)\s?\d{3}[\s.-]\d{4}"
            r"|[2-9]\d{2}-\d{3}-\d{4}"
            r"|[2-9]\d{2}\.\d{3}\.\d{4}"
            r")(?![\d-]|\.\d)"
        ),
    ),
    (
        "email address",
        re.compile(r"\b[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"),
    ),
    (
        "insurance member ID",
        re.compile(r"\b" + _MEMBER_LABEL + r"\s*[:#]?\s*" + _ID, re.I),
    ),
    # "patient John Smith", "pt Smith": the cue is case-insensitive except all-caps "PT",
    # which in a lab means prothrombin time.
    (
        "patient name",
        re.compile(
            r"\b(?:[Pp]atient|PATIENT|[Pp]t\.?)[\s,:]+(?:(?i:named|called)\s+)?"
            r"(?!(?:" + _NOT_A_NAME + r")\b)(?P<hit>" + _NAME + r"(?:\s+" + _NAME + r")?)"
        ),
    ),
    # Honorifics are case-sensitive so "MRN" or "MS" (mass spec) never count.
    ("patient name", re.compile(r"\b(?:Mrs?|Ms|Mx)\.?\s+" + _NAME + r"(?:\s+" + _NAME + r")?")),
    (
        "patient room or bed",
        re.compile(
            r"\b(?i:room|rm\.?)\s*#?\s*\d{1,4}[A-Za-z]?[\s,/-]*(?i:bed)\s*#?\s*\d{1,3}[A-Za-z]?\b"
            r"|\b(?i:bed)\s*#?\s*\d{1,3}[A-Za-z]?\b"
        ),
    ),
    # A room number only counts when a patient cue precedes it in the same sentence, so
    # "moved the freezer to room 112" stays unflagged.
    (
        "patient room or bed",
        re.compile(
            r"\b(?:[Pp]atient|PATIENT|[Pp]t|Mrs?|Ms|Mx)\b[^.!?\n]{0,40}?"
            r"\b(?P<hit>(?i:room|rm)\.?\s*#?\s*\d{1,4}[A-Za-z]?)\b"
        ),
    ),
    (
        "age over 89",
        re.compile(
            r"\b" + _AGE_90_PLUS + r"(?:[-\s](?:years?|yrs?)[-\s]old\b|\s?(?:yo|y/o|y\.o\.)(?!\w))"
            r"|\b(?:age|aged|age\s+of)\s*:?\s*" + _AGE_90_PLUS + r"\b"
            r"(?!\s*(?:days?|d\b|hours?|hrs?|h\b|min|minutes?|weeks?|wks?|months?|mos?|%|°|\+))",
            re.I,
        ),
    ),
    # A long digit run on its own is usually an MRN, account or accession number; runs
    # with commas or decimals ("1,240", "12.5") are counts and values.
    ("long ID number", re.compile(r"(?<![\w.,/-])\d{8,}(?![\w,/-]|\.\d)")),
]

# "Patient <Noun>" phrases that name a team, program or process ("Patient Access",
# "patient identification"); masked before the rules run so no rule sees them as a cue.
_NOT_NAMES = (
    "access|advocacy|advocate|appreciation|blood|care|centered|education|engagement|"
    "experience|family|financial|first|flow|id|identification|identifiers?|information|"
    "intake|labels?|labeling|liaison|management|navigation|navigator|outcomes|placement|"
    "portal|quality|records?|registration|relations|results?|rights|safety|samples?|"
    "satisfaction|services?|specimens?|support|testing|transport|wristbands?|zero"
)
_MASK = re.compile(r"\b(?:patients?|pts?)\.?[\s,:]+(?:" + _NOT_NAMES + r")\b", re.I)

# Numbers right after these labels are reagent lots, serials or catalogue numbers.
_NOT_AFTER = re.compile(
    r"\b(?:lot|sn|s/n|serial|ref|cat|catalog|part|p/n|kit|model|version|ver)\.?"
    r"\s*(?:#|no\.?|number)?\s*[:#]?\s*$",
    re.I,
)


# Every rule above needs at least one of these: a digit, an "@", or a name cue ("patient",
# "pt", "Mr", "Mrs", "Ms", "Mx", in the rules' own letter case). Most wins have none, and
# this one search costs a twentieth of running all the rules. Masking only blanks text
# out, so it cannot create one. Adding a rule that can match without any of these means
# widening this pattern too: tests/test_phi.py checks that it never hides a finding.
_MAY_MATCH = re.compile(r"[\d@]|(?:[Pp]atient|PATIENT|[Pp]t|Mrs?|Ms|Mx)\b")


def find_phi(text: str) -> list[Finding]:
    """Likely identifiers in `text`, in order of appearance, without duplicates.

    An empty list means the text looks fine to save.
    """
    if not _MAY_MATCH.search(text):
        return []
    return scan(text)


def scan(text: str) -> list[Finding]:
    """`find_phi` without the quick pre-check: every rule, every time."""
    # Mask with same-length filler so match offsets still index the original text.
    masked = _MASK.sub(lambda m: "_" * len(m.group()), text)
    # (start, -end, rule order, kind): sorts by position, then longest, then rule order.
    candidates: list[tuple[int, int, int, str]] = []
    for order, (kind, pattern) in enumerate(_RULES):
        group = "hit" if "hit" in pattern.groupindex else 0
        for match in pattern.finditer(masked):
            start, end = match.span(group)
            if not _NOT_AFTER.search(text[max(0, start - 20) : start]):
                candidates.append((start, -end, order, kind))

    findings: list[Finding] = []
    taken_until = 0
    for start, negative_end, _, kind in sorted(candidates):
        if start < taken_until:
            continue  # overlaps a more specific finding, e.g. the digits inside "MRN 0012345"
        taken_until = -negative_end
        finding = Finding(kind, text[start:taken_until])
        if finding not in findings:
            findings.append(finding)
    return findings


def describe(findings: list[Finding]) -> str:
    """One clause for a Slack warning: 'a medical record number (“MRN 00123456”)'.

    Lists at most three findings so the warning stays readable; "" for no findings.
    """
    parts = [f"{_article(f.kind)} {f.kind} (“{f.excerpt}”)" for f in findings]
    if len(parts) > 3:
        parts = [*parts[:3], f"{len(parts) - 3} more"]
    if len(parts) <= 2:
        return " and ".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _article(kind: str) -> str:
    return "an" if kind[0].lower() in "aeiou" else "a"
