"""Spot likely protected health information in free text before it is saved or shared.

Wins, goals, notes and comments are written by lab staff and may reach a mentor or a
channel, so anything that looks like it identifies a patient is flagged and the caller
holds the text until its author decides. The guard covers the HIPAA Safe Harbor
identifier kinds that turn up in lab writing (docs/patient-data.md lists every rule,
with an example and its switch):

- person names, found without a cue word: Census given-name and surname lists
  (bot/rules/phi_data/), the capitalised shape of a name, titles ("Mrs.", "pt") and
  clinical context ("drew", "Lopez's potassium");
- dates tied to a person (birth, admission, discharge, death, or any day-and-month
  date next to a patient's name or cue), ages over 89;
- record, accession, specimen, encounter, account and insurance numbers in their
  labelled and bare shapes, phone and fax numbers, e-mail, SSN, street addresses and
  ZIP codes, rooms and beds, URLs and IP addresses, patients' device serials,
  driver's licence and plate numbers, long digit runs.

Colleagues are not patients: a name that belongs to a workspace member (`Colleagues`,
gathered by the caller from the member directory) or that the context marks as a
colleague ("taught Maria", "with Dr. Okafor", "my mentor Sam Lee") is let through.

Everything here is pure: `Guard(rules, colleagues, names).find(text)` takes text and
returns findings. The deployer chooses the rules (`parse_rules`, BENCHMATE_PHI_RULES);
the caller builds the colleague set.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple


@dataclass(frozen=True)
class Finding:
    kind: str  # short human label, e.g. "medical record number"
    excerpt: str  # the exact substring of the input that matched
    rule: str = ""  # the switch that found it (RULES), for reports


# Switch name -> what a finding is called in the member's warning. The order is the
# order of docs/patient-data.md.
RULES: dict[str, str] = {
    "name": "person's name",
    "dob": "date of birth",
    "date": "date tied to a person",
    "age": "age over 89",
    "mrn": "medical record number",
    "accession": "accession or specimen number",
    "encounter": "encounter or account number",
    "insurance": "insurance member ID",
    "ssn": "social security number",
    "phone": "phone or fax number",
    "email": "email address",
    "address": "street address",
    "zip": "ZIP code",
    "room": "room or bed number",
    "url": "web or IP address",
    "device": "device serial number",
    "license": "licence or plate number",
    "number": "long ID number",
}


class RulesError(ValueError):
    """BENCHMATE_PHI_RULES names a rule that does not exist; the message is one line."""


def parse_rules(text: str) -> frozenset[str]:
    """The enabled rules from BENCHMATE_PHI_RULES.

    Empty: every rule. A comma-separated list of `-rule` turns those off and keeps the
    rest ("-zip,-url"); a list of plain names turns on only those ("mrn,ssn,name").
    Mixing both is refused: it would be unclear which wins.
    """
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        return frozenset(RULES)
    off = [p[1:].strip() for p in parts if p.startswith("-")]
    on = [p for p in parts if not p.startswith("-")]
    unknown = sorted({p for p in off + on if p not in RULES})
    if unknown:
        raise RulesError(
            f"BENCHMATE_PHI_RULES has {', '.join(repr(u) for u in unknown)}, which is not a "
            f"rule: use -rule to turn rules off (e.g. -zip,-url), from {', '.join(RULES)}"
        )
    if off and on:
        raise RulesError(
            "BENCHMATE_PHI_RULES mixes rules to turn off (-name) with rules to keep (name): "
            "use one kind, e.g. -zip,-url"
        )
    return frozenset(RULES) - frozenset(off) if off else frozenset(on)


# --- Name lists -------------------------------------------------------------------------

_DATA = Path(__file__).resolve().parent / "phi_data"


@dataclass(frozen=True)
class NameLists:
    given: frozenset[str]
    surnames: frozenset[str]
    # Names that are also English words ("rose", "cook", "will"): need more evidence.
    words: frozenset[str]
    # Capitalised words already classified (`_kind`), shared by every guard.
    kinds: dict[str, str] = field(default_factory=dict, compare=False, repr=False)


def _read(name: str) -> frozenset[str]:
    lines = (_DATA / name).read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


_LISTS_LOCK = threading.Lock()
_lists: NameLists | None = None


def name_lists() -> NameLists:
    """The shipped Census lists, read once per process (a quarter of a second of CPU).
    Threads that ask at once wait for one read: with a plain `functools.cache`, eight
    first `/win`s after a start each read the lists (two seconds of CPU, near Slack's
    3 s). `build_app` asks before the server listens, so requests find them read."""
    global _lists
    if _lists is None:
        with _LISTS_LOCK:
            if _lists is None:
                words = _read("name_words.txt") | _EXTRA_WORDS
                _lists = NameLists(_read("given_names.txt"), _read("surnames.txt"), words)
    return _lists


# Capitalised words in lab writing that the Census lists hold as names but that are
# never a person here, or only with a title or cue: eponyms of stains, tests, blood
# groups and QC rules, vendors and instruments, months and days, departments.
_EPONYMS = frozenset(
    """
    gram wright giemsa coombs kleihauer betke westgard levey jennings ziehl neelsen
    gomori papanicolaou romanowsky grunwald hansel kinyoun wintrobe westergren ishihara
    kirby bauer mueller hinton thayer martin macconkey sabouraud lowenstein jensen
    christensen simmons bence jones howell jolly auer dohle pappenheimer cabot heinz
    russell willebrand hodgkin epstein barr kell duffy kidd lewis lutheran diego dombrock
    colton cartwright landsteiner wiener kaposi wilson cushing addison graves hashimoto
    crohn down turner gaucher tay sachs marfan burkitt reed sternberg charcot leyden
    curschmann ehrlich kovac loeffler wayson gimenez warthin starry steiner grocott
    fontana masson verhoeff perls beckman coulter abbott hamilton fisher dickinson
    """.split()  # noqa: SIM905
)
# Surnames that name a stain, test, blood group or vendor: a name only next to a given
# name or after a patient title ("Gerald Simmons", "Mrs. Lewis"), never alone ("Kell").
_NOT_NAMES = _EPONYMS | frozenset(
    """
    rhesus schistocyte prussian congo sudan oil nile
    roche siemens sysmex ortho vitros cobas atellica alinity
    architect dimension radiometer nova tosoh sebia helena stago werfen cepheid biofire
    hologic bruker vitek maldi becton thermo quidel binax cerner
    epic meditech sunquest beaker soft orchard lifepoint haemonetics terumo grifols
    immucor bio rad biorad randox qiagen illumina luminex diasorin liaison snibe mindray
    horiba yumizen cellavision pyxis omnicell baxter alaris tecan eppendorf
    nurse doctor dr tech coach dean officer sister chaplain director manager supervisor
    patient baby boy girl twin mom dad mother father son daughter
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday christmas easter thanksgiving
    memorial labor veterans independence juneteenth halloween new year
    chemistry hematology microbiology blood bank core lab laboratory pathology histology
    cytology serology immunology virology toxicology transfusion phlebotomy coagulation
    urinalysis molecular flow send out outreach emergency department intensive care
    oncology pediatrics nursery labor delivery surgery cardiology
    quality safety council committee award week month team shift day night evening
    morning weekend holiday hospital health medical center clinic university college
    institute foundation association society program project system network group
    north south east west central general regional community county state national
    american american's cap clia ascp ascls aabb cls mls mlt asm fda cdc joint commission
    god lord jesus christ st saint mercy providence baptist methodist
    presbyterian lutheran adventist kaiser permanente mayo cleveland hopkins johns
    sloan kettering anderson cedars sinai mount sinai
    """.split()  # noqa: SIM905
)
_EXTRA_WORDS = frozenset(
    """
    patient nurse doctor tech stat rush pending positive negative critical normal
    april june august july may march autumn summer winter spring dawn eve
    """.split()  # noqa: SIM905
)

# --- Shapes -----------------------------------------------------------------------------

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
# A day-and-month date: 03/14/1962, 3-14-62, 3/14, 1962-03-14, 14 Mar 1962, March 14th.
_DATE = (
    r"(?:\d{1,2}/\d{1,2}(?:/(?:\d{4}|\d{2}))?(?![\d/.-]?\d)"
    r"|\d{1,2}-\d{1,2}-(?:\d{4}|\d{2})(?![\d/.-]?\d)|\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})(?![\d/.-]?\d)"
    r"|\d{4}-\d{2}-\d{2}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}(?:,?\s+\d{{4}})?"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}})?)"
)
_AGE_90_PLUS = r"(?:9\d|1[01]\d)"
# An identifier after a label: letters, digits and hyphens, at least one digit.
_ID = r"(?=[A-Za-z0-9-]*\d)[A-Za-z0-9][A-Za-z0-9-]{3,}\b"
_ID_LABEL = r"(?:\s*(?:#|no\.?|num(?:ber)?|id|ID|nbr))?"
_SEP = r"\s*(?:[:#=]|is|was)?\s*"


def _labelled(label: str) -> str:
    return r"\b(?:" + label + r")" + _ID_LABEL + _SEP + r"(?P<hit>" + _ID + r")"


@dataclass(frozen=True)
class _Pattern:
    """One shape of one rule, and where it is worth trying.

    Regexes tried at every position of a 4,000-character text cost milliseconds, so
    each pattern is tried only where it can start: at the label words in `starts`
    (lower case; "acc" also finds "accession"), or, with no `starts`, around the
    digits of the text (e-mail: where there is an "@"). Case-insensitive patterns are
    lower-cased and matched against the lower-cased text, which is faster again.
    """

    rule: str
    regex: re.Pattern[str]
    starts: tuple[str, ...] = ()
    lower: bool = False
    # Without `starts`: "runs" tries the pattern where each run of digits begins;
    # "numbers" searches around numbers of at least three digits (phone, SSN, record
    # numbers); "@" searches texts with an "@".
    at: str = "numbers"


def _p(
    rule: str, source: str, flags: int = 0, starts: tuple[str, ...] = (), at: str = "numbers"
) -> _Pattern:
    lower = bool(flags & re.I)
    if lower:
        # Lower-casing the source is safe only without upper-case escapes (\S, \W...).
        assert not re.search(r"\\[SWDBAZ]", source), source
        source = source.lower().replace("(?p<", "(?P<")
        flags &= ~re.I
    return _Pattern(rule, re.compile(source, flags), starts, lower, at)


# Most specific first: when two matches overlap, the one that starts first wins, then
# the longer, then the earlier pattern. A group named "hit" narrows the excerpt to the
# identifying part; the label is kept when it is short ("MRN 00123"). A leading
# look-ahead for the first character ("(?=\d)") is redundant but lets the regex engine
# reject most positions at once; the property test checks the patterns still match.
_PATTERNS: list[_Pattern] = [
    _p(
        "mrn",
        r"\b(?:MRN|M\.R\.N\.?|MR\s*#|EMPI|med(?:ical)?\.?\s*rec(?:ord)?s?\.?"
        r"|(?:hospital|unit|chart|patient|pt)\s*(?:#|no\.?|num(?:ber)?|id)"
        r"|record\s*(?:#|no\.?|number))"
        r"\s*(?:[:#=]|is|was)?\s*(?=[A-Z0-9-]*\d)[A-Z]{0,4}-?\d[\d-]{2,}[A-Z]?\b",
        re.I,
        ("mrn", "m.r", "mr", "empi", "med", "hospital", "unit", "chart", "patient", "pt", "record"),
    ),
    _p(
        "accession",
        _labelled(
            r"accession|acc\.?\s*(?:#|no\.?|num)|specimen|spec\.?\s*(?:#|id)|sample\s*id"
            r"|barcode|bar\s*code|case|container\s*id|tube\s*id|block|slide"
        ),
        re.I,
        ("acc", "spec", "sample", "bar", "case", "container", "tube", "block", "slide"),
    ),
    # Typical LIS and pathology shapes: S24-012345, SP-24-0001234, CH25-00042,
    # 24-CH-001234.
    _p(
        "accession",
        r"(?=[A-Z\d])\b(?:[A-Z]{1,4}-?\d{2}-\d{3,8}|\d{2}-[A-Z]{1,4}-\d{3,8}|[A-Z]{2}\d{8,})\b",
    ),
    _p(
        "encounter",
        _labelled(
            r"encounter|enc\.?|visit|account|acct\.?|FIN|CSN|HAR|billing|claim|admission"
            r"|episode|case\s*number"
        ),
        re.I,
        (
            "enc",
            "visit",
            "account",
            "acct",
            "fin",
            "csn",
            "har",
            "billing",
            "claim",
            "admission",
            "episode",
            "case",
        ),
    ),
    _p(
        "insurance",
        _labelled(
            r"member|subscriber|policy|insurance|medicaid|medicare|health\s+plan|MBI"
            r"|beneficiary|group"
        ),
        re.I,
        (
            "member",
            "subscriber",
            "policy",
            "insurance",
            "medicaid",
            "medicare",
            "health",
            "mbi",
            "beneficiary",
            "group",
        ),
    ),
    _p(
        "dob",
        r"\b(?:DOB|D\.O\.B\.?|date\s+of\s+birth|birth\s*date|birthday|born(?:\s+on)?|b\.)"
        r"\s*(?:[:=-]|is|was|of)?\s*" + _DATE,
        re.I,
        ("dob", "d.o", "date", "birth", "born", "b."),
    ),
    _p(
        "date",
        r"\b(?:admit(?:ted)?|admission|adm\.?|discharged?|d/c|DOD|died|death|deceased"
        r"|expired|passed\s+away|date\s+of\s+(?:service|death|admission|discharge)|DOS)"
        r"\b(?:\s+(?:date|on|was|is|of))?\s*[:=-]?\s*" + _DATE,
        re.I,
        (
            "adm",
            "discharge",
            "d/c",
            "dod",
            "died",
            "death",
            "deceased",
            "expired",
            "passed",
            "date",
            "dos",
        ),
    ),
    _p(
        "ssn",
        r"\b(?:SSN|SS\s*#|soc(?:ial)?\.?\s+sec(?:urity)?\.?(?:\s*(?:#|no\.?|number))?)"
        r"(?:\s+(?:ending(?:\s+in)?|last\s+(?:4|four)))?"
        r"\s*[:#]?\s*(?:\d{3}[-\s]?\d{2}[-\s]?\d{4}|\d{4})\b"
        r"|\blast\s+(?:4|four)\s+(?:of\s+(?:the|her|his|their)\s+)?(?:SSN|social)\w*"
        r"\s*(?:is|was|[:#])?\s*\d{4}\b",
        re.I,
        ("ss", "soc", "last"),
    ),
    _p("ssn", r"(?=\d)(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])"),
    # Area codes start 2-9 and separators are required, so "150-400" or a reference
    # range never qualifies; "+1"/"1-" prefixes and "(555) 123-4567" are allowed.
    _p(
        "phone",
        r"(?=[+(\d])(?<![\w.+-])(?:"
        r"(?:\+1|1-)[\s.-]?\(?[2-9]\d{2}\)?[\s.-]?\d{3}[\s.-]?\d{4}"
        r"|\([2-9]\d{2}\)\s?\d{3}[\s.-]\d{4}"
        r"|[2-9]\d{2}[-\s]\d{3}-\d{4}"
        r"|[2-9]\d{2}\.\d{3}\.\d{4}"
        r"|[2-9]\d{9}(?=\s*\(?(?:cell|mobile|home|fax)))"
        r"(?![\d-]|\.\d)",
    ),
    _p(
        "phone",
        r"\b(?:fax(?:ed)?|phone|cell|mobile|home\s+number|call(?:ed)?\s+(?:her|him|them)"
        r"\s+(?:at|on)|tel\.?)\s*(?:#|no\.?|number)?\s*(?:to|at|on)?\s*[:#]?\s*"
        r"(?P<hit>(?:\(?\d{3}\)?[\s.-]?)?\d{3}[\s.-]\d{4}|\d{10})\b",
        re.I,
        ("fax", "phone", "cell", "mobile", "home", "call", "tel"),
    ),
    _p("email", r"\b[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b", at="@"),
    _p(
        "address",
        r"\b\d{1,6}(?:\s+[NSEW]\.?)?(?:\s+[A-Z][A-Za-z]+|\s+\d{1,3}(?:st|nd|rd|th)){1,3}\s+"
        r"(?:St|Street|Ave|Avenue|Rd|Road|Blvd|Boulevard|Dr|Drive|Ln|Lane|Ct|Court|Way|Pl"
        r"|Place|Ter|Terrace|Pkwy|Parkway|Hwy|Highway|Cir|Circle|Trl|Trail|Sq|Square)\b\.?"
        r"(?:,?\s+(?:Apt|Unit|Suite|#)\.?\s*\w+)?",
        at="runs",
    ),
    _p("address", r"\bP\.?\s?O\.?\s+Box\s+\d+", 0, ("p.", "po")),
    _p(
        "address",
        r"\b(?:lives|living|resides|residing|home)\s+(?:on|at|in)\s+(?P<hit>[A-Z][a-z]+"
        r"(?:\s+[A-Z][a-z]+)?\s+(?:St|Street|Ave|Avenue|Rd|Road|Drive|Lane|Court|Way))\b",
        0,
        ("lives", "living", "resides", "residing", "home"),
    ),
    _p(
        "zip",
        r"\b(?:zip|zip\s*code|postal\s*code)\s*(?:is|was|[:#])?\s*(?P<hit>\d{5}(?:-\d{4})?)\b",
        re.I,
        ("zip", "postal"),
    ),
    _p(
        "zip",
        r"(?=[,\d])(?:,\s*(?:A[KLRZ]|C[AOT]|D[CE]|FL|GA|HI|I[ADLN]|K[SY]|LA|M[ADEINOST]|N[CDEHJMVY]"
        r"|O[HKR]|PA|RI|S[CD]|T[NX]|UT|V[AT]|W[AIVY])\s+(?P<hit>\d{5}(?:-\d{4})?)\b"
        r"|\b\d{5}-\d{4}\b)",
        re.I,
    ),
    _p(
        "room",
        r"\b(?:room|rm\.?)\s*#?\s*\d{1,4}[A-Z]?[\s,/-]*bed\s*#?\s*(?:\d{1,3}[A-Z]?|[A-F])\b"
        r"|\bbed\s*#?\s*\d{1,3}[A-Z]?\b(?!\s*(?:count|days|capacity|census))",
        re.I,
        ("room", "rm", "bed"),
    ),
    # A room number only counts next to a patient cue, so "moved the freezer to room
    # 112" stays unflagged; names and person-tied dates in the same sentence are
    # checked in `Guard.find`.
    _p(
        "room",
        r"\b(?:[Pp]atient|PATIENT|[Pp]t|Mrs?|Ms|Mx|Miss|(?i:his|her|their))\b[^.!?\n]{0,40}?"
        r"\b(?P<hit>(?i:room|rm)\.?\s*#?\s*\d{1,4}[A-Za-z]?)\b",
        0,
        ("patient", "pt", "mr", "ms", "mx", "miss", "his", "her", "their"),
    ),
    _p(
        "url",
        r"\bhttps?://[^\s<>|]*[?&;/](?i:mrn|pid|patient(?:id)?|pt|enc(?:ounter)?|acc"
        r"|accession|specimen|dob|ssn|fin|csn|person|member)[=/:][^\s<>|]+"
        r"|\b(?:https?://|www\.)[^\s<>|]+(?=[^.!?\n]{0,40}\b(?:[Pp]atient|pt|her|his)\b)",
        0,
        ("http", "www"),
    ),
    _p(
        "url",
        r"(?=\d)(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)"
        r"(?![\w.])(?=[^.!?\n]{0,40}\b(?:[Pp]atient|home|her|his)\b)",
    ),
    _p(
        "device",
        r"\b(?:pacemaker|defibrillator|ICD|implant(?:ed)?|insulin\s+pump|pump|CGM"
        r"|glucose\s+monitor|sensor|hearing\s+aid|prosthe\w+|stent|LVAD|port-a-cath"
        r"|cochlear|neurostimulator|VAD)"
        r"[^.!?\n]{0,30}?\b(?:serial|SN|S/N|UDI|device\s+id)\s*(?:#|no\.?|number)?\s*[:#]?\s*"
        r"(?P<hit>(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{4,})\b",
        re.I,
        (
            "pacemaker",
            "defibrillator",
            "icd",
            "implant",
            "insulin",
            "pump",
            "cgm",
            "glucose",
            "sensor",
            "hearing",
            "prosthe",
            "stent",
            "lvad",
            "port",
            "cochlear",
            "neurostimulator",
            "vad",
        ),
    ),
    _p(
        "license",
        r"\b(?:driver'?s\s+licen[cs]e|DL|licen[cs]e\s+plate|plate|tag|VIN)"
        r"\s*(?:#|no\.?|number)?\s*(?:is|was|[:#])?\s*"
        r"(?P<hit>(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{4,16})\b",
        re.I,
        ("driver", "dl", "licen", "plate", "tag", "vin"),
    ),
    _p(
        "age",
        r"\b" + _AGE_90_PLUS + r"(?:[-\s](?:years?|yrs?)(?:[-\s]old\b|\b)"
        r"|\s?(?:M|F)\b(?=[^.\n]{0,30}\b(?:pt|patient))|\s?(?:yo|y/o|y\.o\.|yr\s+old)(?!\w))",
        re.I,
        at="runs",
    ),
    _p(
        "age",
        r"\b(?:age|aged|age\s+of|turned|turning)\s*:?\s*" + _AGE_90_PLUS + r"\b"
        r"(?!\s*(?:days?|d\b|hours?|hrs?|h\b|min|minutes?|weeks?|wks?|months?|mos?|%|°|\+))"
        r"|\bin\s+(?:his|her|their)\s+(?:late\s+)?(?:90s|nineties)"
        r"|\b(?:centenarian|(?:one\s+)?hundred(?:\s+and\s+\w+)?[-\s]years?[-\s]old)",
        re.I,
        ("age", "turn", "in", "centenarian", "one", "hundred"),
    ),
    # A long digit run on its own is usually an MRN, account or accession number; runs
    # with commas or decimals ("1,240", "12.5") are counts and values.
    _p("number", r"(?=\d)(?<![\w.,/-])\d{8,}(?![\w,/-]|\.\d)"),
]

# "Patient <Noun>" phrases that name a team, program or process ("Patient Access",
# "patient identification"); masked before the rules run so no rule sees them as a cue.
_PATIENT_NOUNS = (
    "access|advocacy|advocate|appreciation|blood|care|centered|education|engagement|"
    "experience|family|financial|first|flow|identification|identifiers?|information|"
    "intake|labels?|labeling|liaison|management|navigation|navigator|outcomes|placement|"
    "portal|quality|records?|registration|relations|results?|rights|safety|samples?|"
    "satisfaction|services?|specimens?|support|testing|transport|wristbands?|zero|"
    "service\\s+center|week|day|volumes?"
)
_MASK = _p(
    "", r"\b(?:patients?|pts?)\.?[\s,:]+(?:" + _PATIENT_NOUNS + r")\b", re.I, ("pt", "patient")
)

# Numbers right after these labels are reagent lots, serials, catalogue numbers or
# instrument identifiers, never a patient's ("lot 24031", "serial: 12345678").
_NOT_AFTER = frozenset(
    """lot sn s/n serial ref cat catalog part p/n kit model version ver clia cap qc control
    calibrator instrument analyzer analyser po invoice ticket ext extension""".split()  # noqa: SIM905
)

# --- Names ------------------------------------------------------------------------------

_WORD = r"[A-ZÀ-Þ][a-zß-ÿ]+"
# "Lopez", "O'Brien", "McDonald", "Lopez-Garcia", "D'Souza"; an initial "J." or "J".
_TOKEN = rf"(?:(?:Mc|Mac|O['’]|D['’]|De|Di|La|Le|Van|Von)?{_WORD}(?:-{_WORD})?)"
# The look-ahead is redundant (every token starts with a capital) but lets the regex
# engine skip to the next capital instead of testing the look-behind at every position.
_RUN = re.compile(
    rf"(?=[A-ZÀ-Þ])(?<![\w'’@./-])(?:{_TOKEN}|[A-Z]\.)"
    rf"(?:[ \t]+(?:{_TOKEN}|[A-Z]\.|[A-Z](?=[ \t]{_WORD}))){{0,3}}(?![\w@])"
)
# "SMITH, JOHN" or "LOPEZ, MARIA J": how names are printed on labels and requisitions.
_CAPS_NAME = re.compile(r"\b(?P<hit>[A-Z]{2,}(?:-[A-Z]{2,})?,\s?[A-Z]{2,}(?:\s[A-Z]\b)?)")
# "Smith, John" in title case.
_COMMA_NAME = re.compile(rf"(?<![\w'’-])(?P<hit>{_TOKEN},[ \t]{_TOKEN})(?![\w'’-])")

# The words before a name, looked up as words (a regex searched backwards from each
# name costs more than everything else the guard does). Compared lower-case, without
# the punctuation around them, except the titles, which are compared as written so
# "MS" (mass spec) and "PT" (prothrombin time) never count.
_PATIENT_TITLES = frozenset({"Mr", "Mrs", "Ms", "Mx", "Miss", "Mstr", "Master"})
_PATIENT_CUES = frozenset(
    """patient patients pt pts newborn baby infant donor decedent mother father spouse
    husband wife daughter son guardian named called twin twins""".split()  # noqa: SIM905
)
_CLINICIAN_TITLES = frozenset(
    """dr drs doctor prof professor nurse dean director coach rev sister fr chaplain capt
    sgt officer dir""".split()  # noqa: SIM905
)
# Before a name: words that make it a colleague ("taught Maria", "my mentor Sam Lee",
# "thanks to Priya"). A patient title or cue wins over these.
_COLLEAGUE_STRONG = frozenset(
    """taught teach teaching train trained training mentor mentored mentoring mentors
    mentee precepted precepting preceptor oriented orienting shadow shadowed shadowing
    coached coaching thank thanked thanks kudos shoutout shout-out congrats
    congratulations relieved relieving swap swapped coworker coworkers co-worker
    co-workers colleague colleagues supervisor manager director lead tech techs
    technologist technologists technician technicians phlebotomist phlebotomists nurse
    nurses pathologist pathologists resident residents fellow fellows intern interns
    student students buddy teammate teammates staff hired interviewed onboard onboarded
    onboarding co-presented copresented nominated coordinator educator chief specialist
    courier rep representative vendor engineer scientist assistant mls mlt mt cls sbb rn
    lpn np rt dear hi hello cc""".split()  # noqa: SIM905
)
_COLLEAGUE_STRONG_TO = frozenset(
    "thanks thank kudos shout-out shoutout out congrats congratulations".split()  # noqa: SIM905
)
# Weaker cues ("with", "joined", "our"): a colleague unless the sentence tells of a
# patient's experience ("Stayed with Mabel Dunn while she fainted during the draw").
_COLLEAGUE_WEAK = frozenset(
    """with alongside asked told joined welcomed welcome introduced met paired presented
    published recognized praised partner team our my new per via and""".split()  # noqa: SIM905
)
# Before a name: clinical acts done to a patient ("drew Maria Lopez", "redraw on Lopez").
_PATIENT_BEFORE = frozenset(
    """drew draw drawing redrew redraw redrawing stuck stick sticking recollect
    recollected recollecting collected collect collecting transfused transfusing
    crossmatch crossmatched crossmatching typed bled for on from of to under labeled
    labelled mislabeled mislabelled named as patient pt identified registered admitted
    discharged visited consented calmed comforted reassured escorted wheeled
    treated""".split()  # noqa: SIM905
)
_WORD_PUNCT = ".,:;!?()[]\"'“”‘’"


class _Before(NamedTuple):
    """The (up to) three words before a position, and whether a sentence starts there.
    A named tuple: built for every name candidate, and three times cheaper to build
    than a frozen dataclass."""

    title: str  # the last word as written, without a trailing "." or ","
    words: tuple[str, ...]  # lower-case, punctuation stripped, nearest last
    at_start: bool

    @property
    def w1(self) -> str:
        return self.words[-1] if self.words else ""

    @property
    def w2(self) -> str:
        return self.words[-2] if len(self.words) > 1 else ""

    @property
    def patient_cue(self) -> bool:
        if self.title in _PATIENT_TITLES:
            return True
        if self.title == "PT" or self.title.startswith("PT"):
            return False  # prothrombin time
        w1, w2 = self.w1, self.w2
        return (
            w1 in _PATIENT_CUES
            or (w1 in ("boy", "girl") and w2 == "baby")
            or (w1 in ("a", "b") and w2 == "twin")
            or (w1 in ("is", "was") and w2 in _PATIENT_CUES)
        )

    @property
    def clinician(self) -> bool:
        return self.w1 in _CLINICIAN_TITLES

    @property
    def colleague(self) -> bool:
        w1, w2 = self.w1, self.w2
        return (
            w1 in _COLLEAGUE_STRONG
            or (w1 == "to" and w2 in _COLLEAGUE_STRONG_TO)
            or (w1 == "for" and w2 in ("covered", "cover", "covering"))
            or (w1 == "with" and w2 in ("shift", "shifts"))
        )


def _before(text: str, position: int, cache: dict[int, _Before] | None = None) -> _Before:
    """The words before `position`; `cache` (one per text) keeps them for the next rule
    that asks about the same position (a run's words are asked about up to three
    times)."""
    if cache is not None:
        before = cache.get(position)
        if before is None:
            before = cache[position] = _before(text, position)
        return before
    window = text[max(0, position - 40) : position]
    stripped = window.rstrip()
    parts = stripped.rsplit(None, 3)[-3:]
    title = parts[-1].rstrip(".,:;") if parts else ""
    words = tuple([p.strip(_WORD_PUNCT).lower() for p in parts])
    if not stripped:
        at_start = position <= len(window) or "\n" in window
    else:
        last = stripped[-1]
        at_start = "\n" in window[len(stripped) :] or (
            last in ".!?;:•*-"
            and not (
                last == "."  # "Mrs. Lopez", "Dr. Okafor", "J. Smith": an abbreviation
                and (
                    len(title) == 1
                    or title in _PATIENT_TITLES
                    or title.lower() in _CLINICIAN_TITLES
                )
            )
        )
    return _Before(title, words, at_start)


def _after(source: str) -> re.Pattern[str]:
    """A context pattern matched at a position of the lower-cased text (anchored by
    `match(text, pos)`): lower-cased here, since case-insensitive matching costs more."""
    assert not re.search(r"\\[SWDBAZ]", source), source
    return re.compile(source.lower())


_CLINICIAN_SUFFIX = re.compile(
    r",?\s*(?:MD|M\.D\.|DO|RN|LPN|NP|PA-C|PA|MLS|MT|MLT|CLS|SBB|PhD|DVM|PharmD|MBA|BSN"
    r"|CNA|RRT|MPH|DPM)\b"
)
# Searched through a whole sentence, so written as a trie by first letter (the same
# words as a flat alternation, which the regex engine tries one by one at every
# position: twice as slow).
_PATIENT_EVENT = _after(
    r"(?i:a(?:fraid|dmitted|rmband)|biopsy|c(?:ried|rying|ritical)"
    r"|d(?:raw|rew|ischarged|iagnos)|faint|h(?:er|is)\s+(?:arm|blood)|n(?:ervous|eedle)"
    r"|passed\s+out|r(?:edraw|esults?\b)|s(?:cared|tick|urgery|pecimen|ample)"
    r"|t(?:errified|ransfus|ube)|vein|wristband)"
)
# After a name: relatives and groups of patients ("the Hoang twins", "the Reyes family").
_FAMILY_AFTER = _after(r"\s+(?i:twins|triplets|family|baby|newborn|kids|children)\b")
# After a name: "Maria and I", "Sam taught me", "Okafor's team", "Lee from day shift".
_COLLEAGUE_AFTER = _after(
    r"\s*(?:['’]s?\s+)?(?i:and\s+I\b|and\s+me\b|&\s+I\b|taught|trained|showed|helped\s+me"
    r"|mentored|precepted|covered|(?:['’]s\s+)?(?:team|shift|crew|group|lab|class|lecture"
    r"|talk|presentation|poster|paper|idea|suggestion|help|advice|tip|workflow|protocol"
    r"|procedure|SOP|spreadsheet|tracker|dashboard|bench|section|department|office"
    r"|teaching|training|orientation|retirement|promotion|birthday\s+(?:party|cake|lunch)"
    r"|farewell|baby\s+shower|mentor(?:ship)?|mentee)\b"
    r"|from\s+(?:the\s+)?(?:day|night|evening|weekend|swing|morning|micro|chem|heme|blood"
    r"|core|IT|LIS|HR|pharmacy|nursing|admin|quality|the\s+\w+\s+(?:team|lab|shift))"
    r"|on\s+(?:days|nights|evenings|weekends)|(?:,\s*)?(?:our|my|the)\s+(?:new\s+)?"
    r"(?:lead|supervisor|manager|director|tech|MLS|MLT|phlebotomist|mentor|mentee|educator"
    r"|coordinator|pathologist|resident|fellow|student|colleague|coworker|intern)"
    r"|\(?(?:MLS|MLT|MT|CLS|SBB)\b|,?\s*(?:who|she|he)\s+(?:taught|trained|showed|runs|leads"
    r"|manages|works)|(?:says|said|suggested|proposed|presented|led|organized|asked|told"
    r"|noticed|spotted|caught|ran|validated|won|earned|passed|joined|started|finished"
    r"|wrote|built|fixed)\b)"
)
# After a name: possessive clinical nouns ("Lopez's potassium") and clinical facts.
_PATIENT_AFTER = _after(
    r"(?:['’]s?\s+(?:\w+\s+){0,2}?(?i:potassium|sodium|glucose|INR|PT|PTT|troponin|lactate"
    r"|hemoglobin|hgb|platelets?|WBC|CBC|BMP|CMP|culture|cultures|specimen|sample|tube"
    r"|tubes|blood|urine|draw|redraw|results?|labs?|values?|levels?|chart|record|MRN|DOB"
    r"|label|labels|armband|wristband|order|orders|crossmatch|type|antibody|antibodies"
    r"|unit|units|transfusion|biopsy|vein|veins|arm|line|IV|port|family|daughter|son"
    r"|wife|husband|mother|father|room|bed|hemolyzed|clotted|critical|diagnosis|case"
    r"|pregnancy|A1c|panel|smear|slide|gas|ABG|cortisol|ammonia|visit|appointment|stay"
    r"|admission|discharge|insurance|bill|prescription|meds|medication))"
    r"|,?\s*(?:\(?(?i:DOB|MRN|age|aged|born|\d{1,3}\s*(?:yo|y/o|M|F)\b|in\s+(?:room|bed)"
    r"|room|bed|the\s+patient|a\s+patient|our\s+patient|who\s+(?:was|is|had|has)"
    r"|was\s+(?:admitted|discharged|transfused|critical|a\s+hard\s+stick|hemolyzed|drawn"
    r"|redrawn|positive|negative)|had\s+a\s+(?:critical|positive|hemolyzed)))"
)
# Right after the run: lab or organisation nouns, so "Lopez Clinic" or "Kell antigen".
_NOT_PERSON_AFTER = _after(
    r"[ \t]+(?i:stain|stains|staining|test|tests|testing|rule|rules|reaction|antigen"
    r"|antibod(?:y|ies)|system|phenotype|typing|agar|medium|analy[sz]ers?|hospital|health"
    r"|healthcare|medical|clinic|center|centre|lab|labs|laboratory|laboratories|university"
    r"|college|institute|foundation|award|scholarship|lecture|hall|building|wing|tower"
    r"|pavilion|campus|street|st|avenue|ave|road|rd|county|diagnostics|scientific|inc"
    r"|corp|company|pharmacy|group|method|technique|procedure|chart|plot|curve|tube|tubes"
    r"|bodies|cells?|disease|syndrome|anomaly|classification|score|criteria|formula"
    r"|equation|scale|unit|units|effect|phenomenon|bottle|bottles|needle|solution)\b"
)


@dataclass(frozen=True)
class Colleagues:
    """Workspace members' names, looked up word by word.

    A candidate name is a colleague when every one of its words is a word of one
    member's name ("Maria", "Alvarez", "Maria Alvarez" and "M. Alvarez" for Maria
    Alvarez), so a patient who merely shares a colleague's given name with another
    surname ("Maria Smith") is still caught. Words are indexed, so a lookup costs the
    same for ten members or ten thousand.
    """

    people: tuple[frozenset[str], ...] = ()
    index: dict[str, frozenset[int]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, names: Iterable[str]) -> Colleagues:
        people: list[frozenset[str]] = []
        index: dict[str, set[int]] = {}
        for name in names:
            words = frozenset(_key(w) for w in re.findall(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", name))
            if not words:
                continue
            for word in words:
                index.setdefault(word, set()).add(len(people))
            people.append(words)
        return cls(tuple(people), {w: frozenset(ids) for w, ids in index.items()})

    def __contains__(self, words: object) -> bool:
        if not isinstance(words, tuple):
            return False
        full = [w for w in words if len(w) > 1]
        initials = [w for w in words if len(w) == 1]
        if not full:
            return False
        first = self.index.get(full[0])
        if not first:
            return False  # the common case: not a member's word
        ids = set(first)
        for word in full[1:]:
            ids &= self.index.get(word, frozenset())
        return any(all(any(t.startswith(i) for t in self.people[n]) for i in initials) for n in ids)


@dataclass(frozen=True)
class Guard:
    """The configured guard: enabled rules, the workspace's colleagues, the name lists."""

    rules: frozenset[str] = frozenset(RULES)
    colleagues: Colleagues = field(default_factory=Colleagues)
    names: NameLists | None = None

    def with_colleagues(self, names: Iterable[str]) -> Guard:
        return Guard(self.rules, Colleagues.of(names), self.names)

    def find(self, text: str) -> list[Finding]:
        """Likely identifiers in `text`, in order of appearance, without duplicates.

        An empty list means the text looks fine to save.
        """
        scan = _Scan(text)
        # (start, -end, order, rule): sorts by position, then longest, then pattern order.
        candidates: list[tuple[int, int, int, str]] = []
        for order, pattern in enumerate(_PATTERNS):
            if pattern.rule not in self.rules or not scan.may_match(pattern):
                continue
            hit = "hit" in pattern.regex.groupindex
            for match in scan.matches(pattern):
                start, end = match.span("hit" if hit and match.start("hit") >= 0 else 0)
                if pattern.rule == "device" or not scan.after_label(start):
                    candidates.append((start, -end, order, pattern.rule))
        names = _names(scan.masked, self.names or name_lists(), self.colleagues, scan.low)
        if "name" in self.rules:
            candidates.extend((s, -e, -1, "name") for s, e in names)
        if "date" in self.rules or "room" in self.rules:
            candidates.extend(_tied(scan, names, self.rules))
        return _resolve(text, candidates)


class _Scan:
    """One text being checked: masked, lower-cased, with its label words and digits
    found once for all the patterns."""

    def __init__(self, text: str) -> None:
        low = text.lower()
        if len(low) != len(text):  # "İ" lower-cases to two characters: keep offsets
            low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
        self.masked, self.low = text, low
        self._starts: dict[str, list[int]] | None = None
        # "Patient <Noun>" phrases are blanked out with same-length filler, so offsets
        # still index the original text and no rule sees them as a cue.
        spans = []
        for label in _MASK.starts:
            at = low.find(label)
            while at != -1:
                match = _MASK.regex.match(low, at) if _word_start(low, at) else None
                if match:
                    spans.append(match.span())
                at = low.find(label, at + 1)
        if spans:
            masked, lowered = list(text), list(low)
            for start, end in spans:
                masked[start:end] = lowered[start:end] = "_" * (end - start)
            self.masked, self.low = "".join(masked), "".join(lowered)
            self._starts = None
        # Where each run of digits starts, and the windows around numbers of three digits
        # or more, separators allowed ("555-213-4567", "S26-012345", "24-CH-123"): room
        # before for "S26-" or "+1 (", after for the rest of the shape.
        self.runs = [m.start() for m in _DIGITS.finditer(self.masked)]
        windows: list[list[int]] = []
        for match in _NUMBER.finditer(self.masked):
            if len(match.group().translate(_SEPARATORS)) < 3:  # digits only
                continue
            start, end = max(0, match.start() - 16), match.end() + 40
            if windows and start <= windows[-1][1]:
                windows[-1][1] = end
            else:
                windows.append([start, end])
        self.windows = windows

    def labels(self) -> dict[str, list[int]]:
        """Label word -> where a word starting with it begins (as a regex's \\b sees
        words), found once for all the patterns by one regex pass (`_LABEL_START`)."""
        if self._starts is None:
            found: dict[str, list[int]] = {}
            low = self.low
            for hit in _LABEL_START.finditer(low):
                at = hit.start()
                for label in _LABELS_BY_PREFIX[low[at : at + 2]]:
                    if low.startswith(label, at):
                        found.setdefault(label, []).append(at)
            self._starts = found
        return self._starts

    def may_match(self, pattern: _Pattern) -> bool:
        """False when the pattern has nowhere to start: most patterns, in a short win."""
        if pattern.starts:
            return not self.labels().keys().isdisjoint(pattern.starts)
        if pattern.at == "runs":
            return bool(self.runs)
        if pattern.at == "@":
            return "@" in self.masked
        return bool(self.windows)

    def matches(self, pattern: _Pattern) -> Iterator[re.Match[str]]:
        subject = self.low if pattern.lower else self.masked
        if pattern.starts:
            labels = self.labels()
            tried: set[int] = set()
            for prefix in pattern.starts:
                for at in labels.get(prefix, ()):
                    if at not in tried:
                        tried.add(at)
                        match = pattern.regex.match(subject, at)
                        if match:
                            yield match
        elif pattern.at == "runs":
            for at in self.runs:
                match = pattern.regex.match(subject, at)
                if match:
                    yield match
        elif pattern.at == "@":
            # An address is one run of word characters, ".+-" and "@": searched only in
            # the runs around each "@" (one past the run, so a closing \b sees the next
            # character), not through the whole text.
            at = subject.find("@")
            while at != -1:
                start, end = at, at + 1
                while start > 0 and _in_address(subject[start - 1]):
                    start -= 1
                while end < len(subject) and _in_address(subject[end]):
                    end += 1
                yield from pattern.regex.finditer(subject, start, end + 1)
                at = subject.find("@", end)
        else:
            for start, end in self.windows:
                yield from pattern.regex.finditer(subject, start, end)

    def after_label(self, start: int) -> bool:
        """Right after "lot", "serial", "cat #"...: a reagent's or instrument's number."""
        words = self.low[max(0, start - 24) : start].replace("#", " ").replace(":", " ").split()
        while words and words[-1] in ("no", "no.", "number", "id"):
            words.pop()
        return (
            bool(words)
            and words[-1].rstrip(".") in _NOT_AFTER
            and (self.low[start - 1 : start].isspace() or not self.low[start - 1 : start].isalnum())
        )


_SEPARATORS = str.maketrans("", "", " ()./+-")


def _in_address(char: str) -> bool:
    """Whether `char` can be part of an e-mail address (\\w is what isalnum() says, and
    "_")."""
    return char.isalnum() or char in "_.+-@"


def _word_start(low: str, at: int) -> bool:
    return at == 0 or not (low[at - 1].isalnum() or low[at - 1] == "_")


# Each run of digits, found whole: its start is where a run begins (a pattern that
# begins with a digit class lets the regex engine skip ahead, a look-behind does not).
_DIGITS = re.compile(r"\d+")
_NUMBER = re.compile(r"\d(?:\d|[ ()./+-]{1,2}(?=\d))*")


def _resolve(text: str, candidates: list[tuple[int, int, int, str]]) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[Finding] = set()
    taken_until = 0
    for start, negative_end, _, rule in sorted(candidates):
        if start < taken_until:
            continue  # overlaps a more specific finding, e.g. the digits inside "MRN 0012345"
        taken_until = -negative_end
        finding = Finding(RULES[rule], text[start:taken_until], rule)
        if finding not in seen:
            seen.add(finding)
            findings.append(finding)
    return findings


_ANY_DATES = (
    _p("date", r"(?<![\w/.-])" + _DATE + r"(?![\w/])", re.I, at="runs"),
    _p(
        "date",
        r"(?<![\w/.-])" + _DATE + r"(?![\w/])",
        re.I,
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
    ),
)
_ANY_ROOM = _p("room", r"\b(?:room|rm\.?)\s*#?\s*\d{1,4}[a-z]?\b", re.I, ("room", "rm"))
# Every label word (at least two letters), by its first two: `_Scan.labels` compares
# only these where a label may start.
_LABELS_BY_PREFIX: dict[str, tuple[str, ...]] = {}
for _label in sorted(
    {w for p in [*_PATTERNS, _MASK, _ANY_ROOM, *_ANY_DATES] for w in p.starts}, key=len
):
    assert len(_label) >= 2, _label
    _LABELS_BY_PREFIX[_label[:2]] = (*_LABELS_BY_PREFIX.get(_label[:2], ()), _label)
_LABELS = tuple(label for labels in _LABELS_BY_PREFIX.values() for label in labels)


def _prefix_trie(words: Iterable[str]) -> str:
    """A regex matching where any of `words` begins, as a trie ("a(?:cc|dm|ge)|b(?:...)"):
    Python's regex engine tries a flat alternation of 130 words branch by branch at
    every position, a trie one character at a time, which is three times faster."""
    rests: dict[str, list[str]] = {}
    for word in words:
        if not word:
            return ""  # a shorter word already matches wherever a longer one would
        rests.setdefault(word[0], []).append(word[1:])
    parts = [re.escape(first) + _prefix_trie(rest) for first, rest in sorted(rests.items())]
    return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"


# Where a word starts with a label word: a lookahead, so a label inside another's
# characters ("record" in "m.record") is still found.
_LABEL_START = re.compile(r"(?<!\w)(?=" + _prefix_trie(_LABELS) + ")")
_DATE_CUE = re.compile(
    r"\b(?:[Pp]atient|PATIENT|[Pp]t|Mrs?|Ms|Mx|Miss|(?i:her|his|newborn|baby|admitted|born"
    r"|mother|father|daughter|son|wife|husband))\b"
)


def _tied(
    scan: _Scan, names: list[tuple[int, int]], rules: frozenset[str]
) -> list[tuple[int, int, int, str]]:
    """Dates and rooms in the same sentence as a patient's name or a patient cue."""
    masked = scan.masked
    out: list[tuple[int, int, int, str]] = []
    for pattern in (*_ANY_DATES, _ANY_ROOM):
        if pattern.rule not in rules:
            continue
        for match in scan.matches(pattern):
            start, end = match.span()
            left = max(
                masked.rfind(". ", max(0, start - 80), start),
                masked.rfind("\n", max(0, start - 80), start),
                start - 80,
            )
            right = min(
                [
                    i
                    for i in (masked.find(". ", end, end + 80), masked.find("\n", end, end + 80))
                    if i >= 0
                ]
                or [end + 80]
            )
            near_name = any(s < right and e > left for s, e in names)
            tied = near_name or _DATE_CUE.search(masked, max(0, left), right)
            if tied and not scan.after_label(start):
                out.append((start, -end, 50, pattern.rule))
    return out


def _names(
    masked: str, lists: NameLists, colleagues: Colleagues, low: str = ""
) -> list[tuple[int, int]]:
    """Spans of likely patients' names (colleagues left out). `low` is `masked`
    lower-cased, offset for offset (computed when not given)."""
    if not low:
        low = masked.lower()
        if len(low) != len(masked):
            low = "".join(c.lower() if len(c.lower()) == 1 else c for c in masked)
    spans: list[tuple[int, int]] = []
    # (verdict, end) of the last candidate: "with Sam Lee and Priya Nair" makes both
    # colleagues, "drew Maria Lopez and John Smith" both patients.
    last: tuple[str, int] = ("", -1)
    befores: dict[int, _Before] = {}
    for match in _RUN.finditer(masked):
        run = match.group()
        if " " not in run and "\t" not in run:
            # One word, the common case ("Repeated", "Sysmex"): judged only when it is a
            # known name or follows a patient title or cue.
            kind = _kind(run, lists)
            if kind == "S" or (kind in "UE" and not _cue_before(masked, match.start(), befores)):
                continue
        for verdict, span in _judge_run(
            masked, low, match.start(), run, lists, colleagues, befores
        ):
            if last[0] and _LIST_JOIN.fullmatch(masked, last[1], span[0]):
                verdict = last[0] if verdict != "patient-titled" else verdict
            if verdict.startswith("patient"):
                spans.append(span)
            last = (verdict.removesuffix("-titled"), span[1]) if verdict else ("", -1)
    # "SMITH, JOHN" and "Smith, John": tried only where a word ends with a comma.
    comma = masked.find(",")
    while comma != -1:
        head = masked[max(0, comma - 30) : comma].split()
        word = head[-1] if head and not masked[comma - 1].isspace() else ""
        match = None
        if len(word) > 1 and word[0].isupper():
            at = comma - len(word)
            match = _CAPS_NAME.match(masked, at) or _COMMA_NAME.match(masked, at)
        comma = masked.find(",", comma + 1)
        if match is None:
            continue
        first, _, second = match.group("hit").partition(",")
        words = (first.strip().lower(), second.strip().split()[0].lower())
        if words[0] in _NOT_NAMES or words[1] in _NOT_NAMES or words in colleagues:
            continue
        if words[0] in lists.surnames and words[1] in lists.given:
            spans.append(match.span("hit"))
    return spans


_LIST_JOIN = re.compile(r",?\s+(?:and|&)\s+|,\s*")


def _judge_run(
    text: str,
    low: str,
    offset: int,
    run: str,
    lists: NameLists,
    colleagues: Colleagues,
    befores: dict[int, _Before],
) -> list[tuple[str, tuple[int, int]]]:
    """Split a run of capitalised words into name candidates and keep the patients'.

    Known names (Census lists) and initials form a candidate; an unknown capitalised
    word joins only in a surname's place right after a given name or initial ("Maria
    Okonkwo"), or before a known surname mid-sentence ("Xiomara Lopez"), so a sentence's
    first word ("Repeated Maria...") never does.
    """
    tokens = []
    at = offset
    for word in run.split():
        at = text.index(word, at)
        tokens.append((at, at + len(word), word))
        at += len(word)
    kinds = [_kind(t[2], lists) for t in tokens]
    if len(tokens) == 1 and kinds[0] == "S":
        return []
    spans: list[tuple[str, tuple[int, int]]] = []
    i = 0
    while i < len(tokens):
        if kinds[i] in "UE" and _cue_before(text, tokens[i][0], befores):
            kinds[i] = "K"  # "Mrs. Okonkwo", "pt Lewis": the title makes it a name
        if (
            kinds[i] == "E"
            and i > 0
            and kinds[i - 1] == "K"
            and _key(tokens[i - 1][2]) in lists.given
        ):
            kinds[i] = "K"  # "Gerald Simmons"
        if kinds[i] == "U" and i + 1 < len(tokens) and kinds[i + 1] == "U":
            # Two unknown capitalised words mid-sentence with a clinical context
            # ("Nikolai Ivanov's blood type"): judged like known names.
            after = tokens[i + 1][1]
            at_start = _before(text, tokens[i][0], befores).at_start
            if not at_start and _PATIENT_AFTER.match(low, after):
                kinds[i] = kinds[i + 1] = "K"
        if kinds[i] not in "KI":
            i += 1
            continue
        j = i
        while j < len(tokens) and (
            kinds[j] in "KI" or (kinds[j] == "E" and _key(tokens[j - 1][2]) in lists.given)
        ):
            j += 1
        first = i
        if (
            i > 0
            and kinds[i - 1] == "U"
            and _key(tokens[j - 1][2]) in lists.surnames
            and not _before(text, tokens[i - 1][0], befores).at_start
        ):
            first = i - 1
        last = j
        if (
            j < len(tokens)
            and kinds[j] == "U"
            and (_key(tokens[j - 1][2]) in lists.given or kinds[j - 1] == "I")
        ):
            last = j + 1
        verdict = _judge(text, low, tokens[first:last], lists, colleagues, befores)
        if verdict:
            spans.append((verdict, (tokens[first][0], tokens[last - 1][1])))
        i = last
    return spans


def _key(word: str) -> str:
    """The lookup form of a word: "O'Sullivan" -> "osullivan" (as the Census spells it)."""
    return word.rstrip(".").lower().replace("'", "").replace("’", "")


def _cue_before(text: str, position: int, befores: dict[int, _Before]) -> bool:
    """`_before(text, position).patient_cue`, quickly ruling out the common case: a
    sentence's first word."""
    j = position - 1
    while j >= 0 and text[j] in " \t":
        j -= 1
    if j < 0 or not (text[j].isalpha() or text[j] in ".,:"):
        return False
    if text[j] == ".":
        previous = text[max(0, j - 6) : j].split()
        return bool(previous) and previous[-1] in _PATIENT_TITLES
    return _before(text, position, befores).patient_cue


def _kind(word: str, lists: NameLists) -> str:
    """K: a known name, I: an initial, U: an unknown capitalised word, S: not a name,
    E: an eponym (a name only next to a given name or after a patient title)."""
    kind = lists.kinds.get(word)
    if kind is None:
        kind = _classify(word, lists)
        if len(lists.kinds) < 100_000:  # bounded: texts can be anything
            lists.kinds[word] = kind
    return kind


def _classify(word: str, lists: NameLists) -> str:
    low = _key(word)
    if low in _EPONYMS:
        return "E"
    if low in _NOT_NAMES or any(p in _NOT_NAMES for p in low.split("-")):
        return "S"
    if len(low) == 1:
        return "I"
    parts = low.split("-")
    if all(p in lists.given or p in lists.surnames for p in parts):
        return "K"
    return "S" if low in lists.words else "U"


def _judge(
    text: str,
    low: str,
    tokens: list[tuple[int, int, str]],
    lists: NameLists,
    colleagues: Colleagues,
    befores: dict[int, _Before],
) -> str:
    """'patient-titled', 'patient', 'colleague', or '' (not judged a name)."""
    start, end = tokens[0][0], tokens[-1][1]
    words = tuple(_key(t[2]) for t in tokens)
    if all(len(w) == 1 for w in words):
        return ""
    member = words in colleagues
    full_member = member and sum(len(w) > 1 for w in words) >= 2
    if full_member:
        return "colleague"
    before = _before(text, start, befores)
    if _NOT_PERSON_AFTER.match(low, end):
        return ""
    if before.clinician or _CLINICIAN_SUFFIX.match(text, end):
        return "colleague"
    # A title or cue beats a member's surname alone: "Mr. Tran" is a patient even with
    # Emily Tran in the workspace (a false hold costs a click, a miss costs more).
    if before.patient_cue:
        return "patient-titled"
    if member:
        return "colleague"
    if before.colleague or _COLLEAGUE_AFTER.match(low, end):
        return "colleague"
    clinical = bool(_PATIENT_AFTER.match(low, end)) or before.w1 in _PATIENT_BEFORE
    if (
        before.w1 in _COLLEAGUE_WEAK
        and not clinical
        and not _PATIENT_EVENT.search(low, *_sentence(low, start, end))
    ):
        return "colleague"
    known = [all(p in lists.given or p in lists.surnames for p in w.split("-")) for w in words]
    plain = [k and w not in lists.words for w, k in zip(words, known, strict=True)]
    initial = [len(w) == 1 for w in words]
    at_start = before.at_start
    full = [w for w, i in zip(words, initial, strict=True) if not i]
    if len(words) >= 2 and len(full) >= 1:
        if any(initial) and any(known):
            return "patient"  # "J. Smith", "Maria L."
        if len(full) >= 2 and any(plain):
            return "patient"  # "Maria Lopez", "Maria Okonkwo"
        if len(full) >= 2 and all(known) and not at_start:
            return "patient"  # "Grace Young" mid-sentence
    if not any(known):
        return ""
    # One word: only with clinical context around it.
    if clinical or _FAMILY_AFTER.match(low, end):
        return "patient"
    return ""


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """Where the sentence around text[start:end] begins and ends (at most 120 characters
    either side)."""
    left = max(
        text.rfind(". ", max(0, start - 120), start), text.rfind("\n", max(0, start - 120), start)
    )
    stops = [
        i for i in (text.find(". ", end, end + 120), text.find("\n", end, end + 120)) if i >= 0
    ]
    return max(0, left, start - 120), min([*stops, end + 120])


_DEFAULT = Guard()


def find_phi(text: str, guard: Guard | None = None) -> list[Finding]:
    """`guard.find(text)`; without a guard, every rule and no colleagues."""
    return (guard or _DEFAULT).find(text)


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
