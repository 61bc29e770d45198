"""Domain vocabulary from the product brief: goal categories, career levels, lab
sections and goal templates. Keys are stored in the database; labels are shown."""

from __future__ import annotations

from dataclasses import dataclass

CATEGORIES: dict[str, str] = {
    "technical": "Technical proficiency",
    "quality": "Quality and compliance",
    "development": "Professional development and advancement",
    "research": "Research and innovation",
    "networking": "Networking and collaboration",
    "soft_skills": "Soft skills",
}

CAREER_LEVELS: dict[str, str] = {"entry": "Entry", "mid": "Mid-career", "senior": "Senior"}

LAB_SECTIONS: dict[str, str] = {
    "chemistry": "Chemistry",
    "hematology": "Hematology",
    "microbiology": "Microbiology",
    "blood_bank": "Blood bank (immunohematology)",
    "molecular": "Molecular",
    "immunology": "Immunology / serology",
    "urinalysis": "Urinalysis",
    "point_of_care": "Point-of-care",
    "phlebotomy": "Phlebotomy",
    "lis": "LIS / informatics",
    "management": "Management",
}


@dataclass(frozen=True)
class GoalTemplate:
    key: str
    title: str
    category: str
    measure: str
    levels: tuple[str, ...]  # career levels it is suggested for first


GOAL_TEMPLATES: tuple[GoalTemplate, ...] = (
    GoalTemplate(
        "cert_specialty",
        "Earn a specialty certification (e.g. molecular biology, blood bank)",
        "development",
        "Exam passed and credential listed",
        ("entry", "mid"),
    ),
    GoalTemplate(
        "qc_procedures",
        "Implement new quality-control procedures",
        "quality",
        "Procedure approved and in use; QC failures tracked",
        ("mid", "senior"),
    ),
    GoalTemplate(
        "advanced_technique",
        "Master an advanced technique (PCR, mass spectrometry)",
        "technical",
        "Signed off as competent by the section lead",
        ("entry", "mid"),
    ),
    GoalTemplate(
        "lis_upgrade",
        "Lead a laboratory information system (LIS) upgrade",
        "technical",
        "Upgrade live with validation documented",
        ("mid", "senior"),
    ),
    GoalTemplate(
        "collaboration",
        "Strengthen collaboration with other hospital departments",
        "networking",
        "Regular meeting set up; issues resolved together",
        ("mid", "senior"),
    ),
    GoalTemplate(
        "supervisor_role",
        "Move into a supervisor or manager role",
        "development",
        "Role applied for or taken on",
        ("mid",),
    ),
    GoalTemplate(
        "research",
        "Contribute to research or a clinical trial",
        "research",
        "Study protocol joined, poster or paper submitted",
        ("mid", "senior"),
    ),
    GoalTemplate(
        "continuing_ed",
        "Continuing education: workshops, seminars, conferences",
        "development",
        "CE credits earned toward credential maintenance",
        ("entry", "mid", "senior"),
    ),
    GoalTemplate(
        "tat",
        "Cut turnaround time for critical tests",
        "quality",
        "Median TAT before and after",
        ("mid", "senior"),
    ),
    GoalTemplate(
        "patient_safety",
        "Improve patient safety",
        "quality",
        "Incidents or near misses caught and reduced",
        ("entry", "mid", "senior"),
    ),
    GoalTemplate(
        "accreditation",
        "Regulatory compliance and inspection readiness",
        "quality",
        "Inspection passed with no deficiencies in my area",
        ("mid", "senior"),
    ),
    GoalTemplate(
        "patient_communication",
        "Communicate better with patients",
        "soft_skills",
        "Feedback from patients and colleagues",
        ("entry", "mid"),
    ),
    GoalTemplate(
        "new_service",
        "Launch a new test or service",
        "research",
        "Test validated and offered",
        ("senior",),
    ),
    GoalTemplate(
        "policy_advocacy",
        "Shape lab policy and advocate for the profession",
        "networking",
        "Committee joined or policy adopted",
        ("senior",),
    ),
)

TEMPLATES_BY_KEY: dict[str, GoalTemplate] = {t.key: t for t in GOAL_TEMPLATES}


def templates_for_level(level: str | None) -> list[GoalTemplate]:
    """Templates ordered for a career level: those meant for it first, the rest after."""
    if level not in CAREER_LEVELS:
        return list(GOAL_TEMPLATES)
    first = [t for t in GOAL_TEMPLATES if level in t.levels]
    return first + [t for t in GOAL_TEMPLATES if level not in t.levels]


# --- Mentorship program vocabulary (issue 4) -----------------------------------------

ROLES: dict[str, str] = {"mentor": "Mentor", "mentee": "Mentee", "both": "Mentor and mentee"}

SHIFTS: dict[str, str] = {
    "day": "Day",
    "evening": "Evening",
    "night": "Night",
    "rotating": "Rotating",
}

# ASCP Board of Certification credentials common in clinical labs (key = credential).
CERTIFICATIONS: dict[str, str] = {
    "mls": "MLS(ASCP) Medical Laboratory Scientist",
    "mlt": "MLT(ASCP) Medical Laboratory Technician",
    "pbt": "PBT(ASCP) Phlebotomy Technician",
    "sbb": "SBB(ASCP) Specialist in Blood Banking",
    "bb": "BB(ASCP) Technologist in Blood Banking",
    "mb": "MB(ASCP) Technologist in Molecular Biology",
    "sc": "SC(ASCP) Specialist in Chemistry",
    "c": "C(ASCP) Technologist in Chemistry",
    "sh": "SH(ASCP) Specialist in Hematology",
    "h": "H(ASCP) Technologist in Hematology",
    "sm": "SM(ASCP) Specialist in Microbiology",
    "m": "M(ASCP) Technologist in Microbiology",
    "si": "SI(ASCP) Specialist in Immunology",
    "htl": "HTL(ASCP) Histotechnologist",
    "ct": "CT(ASCP) Cytotechnologist",
    "dlm": "DLM(ASCP) Diplomate in Laboratory Management",
}

# Other spellings people type in a roster, after normalising (see `vocabulary_key`).
ALIASES: dict[str, str] = {
    "immunohematology": "blood_bank",
    "bloodbank": "blood_bank",
    "serology": "immunology",
    "immunologyserology": "immunology",
    "poc": "point_of_care",
    "pointofcare": "point_of_care",
    "informatics": "lis",
    "lisinformatics": "lis",
    "midcareer": "mid",
    "softskills": "soft_skills",
    "nights": "night",
    "days": "day",
    "evenings": "evening",
    "swing": "evening",
}


def _squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def vocabulary_key(vocabulary: dict[str, str], text: str) -> str | None:
    """The key in `vocabulary` that `text` names, forgiving case, spacing and
    punctuation; it may be the key, the label, a known alias, or a credential written
    as "MLS(ASCP)". None when it names nothing in the vocabulary."""
    wanted = _squash(text)
    if wanted.endswith("ascp"):
        wanted = wanted.removesuffix("ascp")
    if not wanted:
        return None
    for key, label in vocabulary.items():
        if wanted in (_squash(key), _squash(label)):
            return key
    alias = ALIASES.get(wanted)
    return alias if alias in vocabulary else None
