"""The PHI guard: realistic wins that carry patient identifiers are flagged, and
ordinary lab wins are not (false positives teach people to ignore the warning)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.rules.phi import Finding, describe, find_phi, scan

# (text, kind that must be among the findings)
FLAGGED: list[tuple[str, str]] = [
    ("caught a mislabeled specimen for John Smith, MRN 00123456", "medical record number"),
    ("fixed the merge for MRN:00123456 in the LIS", "medical record number"),
    ("linked the duplicate chart MR# 123456 with registration", "medical record number"),
    ("found two charts under med rec 4455667 and merged them", "medical record number"),
    ("the record # 99887766 had the wrong blood type on file", "medical record number"),
    ("called the floor about accession # S24-012345 being hemolyzed", "accession number"),
    ("re-ran acc no. 24-778812 after the delta check fired", "accession number"),
    ("specimen ID 7781234 was missing a collection time", "accession number"),
    ("caught S24-012345 before it was verified with the wrong label", "accession number"),
    ("SP-25-0001234 frozen section back in 14 minutes", "accession number"),
    ("noticed DOB 03/14/1962 on the tube didn't match the order", "date of birth"),
    ("D.O.B. 1962-03-14 was swapped with another patient's", "date of birth"),
    ("she was born on 14 Mar 1962, so the pediatric range was wrong", "date of birth"),
    ("fixed the birth date: March 14, 1962 in the LIS", "date of birth"),
    ("registration typed SSN 123456789 into the comment field", "social security number"),
    ("saw 123-45-6789 printed on a requisition and shredded it", "social security number"),
    ("called the family back at (555) 123-4567 with the critical", "phone number"),
    ("reached the patient on 555-123-4567 to recollect", "phone number"),
    ("left a message at +1 555 123 4567 about the redraw", "phone number"),
    ("emailed results to maria.lopez@example.com by mistake and recalled it", "email address"),
    ("critical potassium for patient John Smith called in 5 minutes", "patient name"),
    ("pt Smith had a 6.8 K, redrawn and confirmed hemolyzed", "patient name"),
    ("Mrs. Garcia's sample was clotted, recollected before rounds", "patient name"),
    ("drew for patient Maria Lopez when the floor was short", "patient name"),
    ("Mr Nguyen thanked me for the painless draw", "patient name"),
    ("Pt: O'Brien, crossmatch done in 40 minutes", "patient name"),
    ("Ms. McDonald's INR was critical and I called it right away", "patient name"),
    ("drew the patient in room 412 twice after a clotted tube", "patient room or bed"),
    ("the patient in bed 3 was a hard stick but I got it first try", "patient room or bed"),
    ("ICU bed 7 had a critical lactate, called in 3 minutes", "patient room or bed"),
    ("room 412B bed 2 needed a stat redraw", "patient room or bed"),
    ("the lookup by 0012345678 turned up a duplicate chart", "long ID number"),
    ("verified member ID ABC123456 with the payer for the send-out", "insurance member ID"),
    ("Medicare number 1EG4TE5MK73 was on the requisition", "insurance member ID"),
    ("a 92-year-old with a critical sodium, called it in time", "age over 89"),
    ("age 93, hemoglobin 6.1, called the ED right away", "age over 89"),
    ("95 y/o with a positive blood culture, Gram stain called fast", "age over 89"),
    ("patient aged 101 had a critical glucose", "age over 89"),
]

# Ordinary wins, including numbers, names and the word "patient" in safe positions.
UNFLAGGED: list[str] = [
    "cut TAT for troponin by 12 minutes",
    "passed my MLS(ASCP) exam",
    "validated the new Cobas 8000 analyzer",
    "ran 1,240 CBCs on night shift",
    "QC on lot 24031 passed",
    "earned 12 CE credits",
    "caught a mislabeled specimen before it was released",
    "presented at ASCLS 2025",
    "trained 3 new phlebotomists",
    "hemoglobin 13.5 g/dL QC level 2 in range",
    "reduced hemolysis rate from 4.2% to 1.8%",
    "finished the CAP inspection checklist 2026-03-01",
    "Dr. Patel thanked me for the quick turnaround",
    "Patient safety huddle went well",
    "patient identification audit 100% compliant",
    "worked with Patient Access on registration errors",
    "joined the Patient Care council",
    "patient care rounds with the charge nurse were great",
    "started the run at 07:30 and finished by 09:15",
    "upgraded middleware to v2.3.1 without downtime",
    "swapped the probe on SN ABC-1234 and it passed verification",
    "new reagent lot 2403112345 crossed over within 2%",
    "PT INR calibration verified on the new lot",
    "reference range 3.5-5.0 mmol/L verified for potassium",
    "platelet linearity 10-1000 x10^3/uL verified",
    "moved the -80 freezer to room 112 without a temperature excursion",
    "aged reagents 90 days per the stability study",
    "stored the aliquots at -20 °C for 96 hours as required",
    "Patient Experience team recognized our outpatient lab",
    "accession errors down 30% this quarter",
    "Dr. Okafor and Dr. Lee praised our stat turnaround",
    "added Age 90+ reference ranges to the LIS",
    "Patient Access moved to room 210 and we helped them set up the printers",
    "calibrated 3 pipettes, serial 12345678 passed",
    "blood bank ran 48 type and screens before 06:00",
    "completed ISO 15189:2022 gap analysis",
    "CLIA 05D1234567 certificate renewed on time",
    "got 98% on the competency quiz",
    "ordered 2,000,000 µL of buffer without overspending",
    "cut the send-out backlog from 340 to 12",
    "my patient identification training hit 100% attendance",
    "Patient Service Center wait times dropped to 8 minutes",
]


@pytest.mark.parametrize(("text", "kind"), FLAGGED)
def test_flags_identifiers(text: str, kind: str) -> None:
    findings = find_phi(text)
    assert kind in {f.kind for f in findings}, findings
    # Every excerpt is a real substring, so the warning can quote it verbatim.
    assert all(f.excerpt in text for f in findings)


@pytest.mark.parametrize("text", UNFLAGGED)
def test_leaves_ordinary_wins_alone(text: str) -> None:
    assert find_phi(text) == []


@pytest.mark.parametrize("text", [text for text, _ in FLAGGED] + UNFLAGGED)
def test_quick_check_agrees_with_every_rule(text: str) -> None:
    assert find_phi(text) == scan(text)


@pytest.mark.parametrize(
    "text",
    [
        "wrote to jo.lopez@lab.org about the recall",  # "@" is its only trigger
        "MRN ١٢٣٤٥٦٧ was merged",  # digits other than 0-9 count as digits in the rules
        "Mx Rivera thanked the team",
        "Mrs Garcia's draw went well",
        "Ms Okafor came back for the redraw",
        "Mr Lee was a hard stick",
        "PATIENT Smith, crossmatch done",
        "Patient Jones was redrawn",
        "pt Smith was redrawn",
        "Pt: O'Brien was redrawn",
    ],
)
def test_the_quick_check_lets_each_kind_of_finding_through(text: str) -> None:
    assert scan(text), "a finding the quick check must not hide"
    assert find_phi(text) == scan(text)


# The quick check passes on any digit or "@", so the texts that test it have neither:
# cue words and their near misses ("PT", "pt" inside a word, "MS") often followed by a
# name, plus a few characters from anywhere in Unicode.
CUES = [
    "patient",
    "Patient",
    "PATIENT",
    "patients",
    "pt",
    "Pt",
    "PT",
    "pT",
    "attempt",
    "Mr",
    "Mrs",
    "Ms",
    "Mx",
    "MS",
    "MR",
    "mr",
    "mx",
    "MRN",
    "DOB",
    "born",
    "SSN",
    "room",
    "bed",
    "age",
    "accession",
    "member ID",
    "named",
    "The",
    "Patient Access",
    "Dr",
]
NAMES = ["John", "Smith", "O'Brien", "Lopez-Garcia", "McDonald", "Jo", "Al Li", "Ann"]
SEPARATORS = ["", " ", "  ", ".", ". ", ": ", ", ", ",", ":", "\n", "-", "#"]
cued_name = st.tuples(
    st.sampled_from(CUES), st.sampled_from(SEPARATORS), st.sampled_from(NAMES)
).map("".join)
pieces = st.one_of(cued_name, st.sampled_from(CUES + NAMES + SEPARATORS), st.text(max_size=3))
texts = st.lists(pieces, max_size=10).map(" ".join)


@given(texts)
@settings(max_examples=2000, deadline=None)
def test_quick_check_never_hides_a_finding(text: str) -> None:
    assert find_phi(text) == scan(text)


def test_table_sizes() -> None:
    assert len(FLAGGED) >= 35
    assert len(UNFLAGGED) >= 35


def test_excerpts_are_exact() -> None:
    assert find_phi("for patient John Smith, MRN 00123456") == [
        Finding("patient name", "John Smith"),
        Finding("medical record number", "MRN 00123456"),
    ]
    assert find_phi("drew the patient in room 412") == [Finding("patient room or bed", "room 412")]


def test_findings_in_order_of_appearance() -> None:
    kinds = [f.kind for f in find_phi("DOB 03/14/1962, call 555-123-4567, Mrs. Garcia")]
    assert kinds == ["date of birth", "phone number", "patient name"]


def test_no_duplicate_findings() -> None:
    text = "MRN 00123456 was merged into MRN 00123456; MRN 00123456 is gone"
    assert find_phi(text) == [Finding("medical record number", "MRN 00123456")]


def test_overlapping_rules_report_once() -> None:
    # The digits inside an MRN are also a long digit run; only the MRN is reported.
    assert find_phi("MRN 0012345678") == [Finding("medical record number", "MRN 0012345678")]
    assert find_phi("SSN 123-45-6789") == [Finding("social security number", "SSN 123-45-6789")]


@pytest.mark.parametrize(
    ("findings", "expected"),
    [
        ([], ""),
        (
            [Finding("medical record number", "MRN 00123456")],
            "a medical record number (“MRN 00123456”)",
        ),
        (
            [
                Finding("medical record number", "MRN 00123456"),
                Finding("patient name", "John Smith"),
            ],
            "a medical record number (“MRN 00123456”) and a patient name (“John Smith”)",
        ),
        (
            [
                Finding("accession number", "S24-012345"),
                Finding("email address", "a@b.org"),
                Finding("age over 89", "age 93"),
            ],
            "an accession number (“S24-012345”), an email address (“a@b.org”)"
            " and an age over 89 (“age 93”)",
        ),
        (
            [Finding("phone number", f"555-123-000{i}") for i in range(5)],
            "a phone number (“555-123-0000”), a phone number (“555-123-0001”),"
            " a phone number (“555-123-0002”) and 2 more",
        ),
    ],
)
def test_describe(findings: list[Finding], expected: str) -> None:
    assert describe(findings) == expected


def test_describe_round_trip() -> None:
    found = find_phi("caught a mislabeled specimen for patient John Smith, MRN 00123456")
    assert describe(found) == (
        "a patient name (“John Smith”) and a medical record number (“MRN 00123456”)"
    )
