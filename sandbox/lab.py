"""The demo lab: people, goals and wins as data, loaded through Benchmate's own paths.

Seeding drives Benchmate exactly as the page does: the coordinator sets the program
channel and imports the roster with `/program`, members set goals with `/goal` (the
real form, submitted), log wins with `/win` on the days they happened (the simulated
clock is moved back for them), and the coordinator pairs one mentor and mentee with
`/program pair`, and a mentor adds a credential with `/mentor credentials` (the
credential form). Nothing is written into Benchmate's database directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.rules.schedule import add_months
from sandbox.workspace import PROGRAM_CHANNEL

if TYPE_CHECKING:
    from sandbox.server import Sandbox

PROGRAM_CHANNEL_NAME = "lab-mentoring"


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    tz: str
    title: str
    role: str  # coordinator, mentor, mentee
    section: str  # roster value (bot/rules/catalog.py LAB_SECTIONS)
    level: str = ""
    certifications: str = ""
    interests: str = ""
    target: str = ""
    capacity: str = ""
    shift: str = "day"

    @property
    def email(self) -> str:
        first, last = self.name.lower().split()[0], self.name.lower().split()[-1]
        return f"{first}.{last}@lab.example.org"


COORDINATOR = "U0DANA"
PEOPLE: list[Person] = [
    Person(
        COORDINATOR,
        "Dana Whitfield",
        "America/Chicago",
        "Laboratory Education Coordinator",
        "coordinator",
        "management",
    ),
    Person(
        "U0MARCUS",
        "Marcus Reyes",
        "America/Chicago",
        "Senior MLS, Hematology",
        "mentor",
        "hematology",
        "senior",
        "MLS(ASCP); SH",
        "technical; development",
        capacity="2",
    ),
    Person(
        "U0PRIYA",
        "Priya Nair",
        "America/New_York",
        "Blood Bank Lead, SBB",
        "mentor",
        "blood_bank",
        "senior",
        "MLS(ASCP); SBB",
        "quality; development",
        capacity="2",
    ),
    Person(
        "U0GRACE",
        "Grace Okafor",
        "America/Chicago",
        "Microbiology Supervisor",
        "mentor",
        "microbiology",
        "senior",
        "MLS(ASCP); SM",
        "research; quality",
        capacity="1",
    ),
    Person(
        "U0TOM",
        "Tom Kowalski",
        "America/Denver",
        "MLS II, Chemistry",
        "mentor",
        "chemistry",
        "mid",
        "MLS(ASCP); SC",
        "technical; quality",
        capacity="1",
        shift="evening",
    ),
    Person(
        "U0LENA",
        "Lena Park",
        "America/Chicago",
        "MLS I, Hematology",
        "mentee",
        "hematology",
        "entry",
        "MLS(ASCP)",
        "technical; development",
        "SH",
    ),
    Person(
        "U0JAMAL",
        "Jamal Carter",
        "America/New_York",
        "MLT, Blood Bank",
        "mentee",
        "blood_bank",
        "entry",
        "MLT(ASCP)",
        "development; quality",
        "SBB",
        shift="evening",
    ),
    Person(
        "U0SOFIA",
        "Sofia Alvarez",
        "America/Los_Angeles",
        "Phlebotomist",
        "mentee",
        "phlebotomy",
        "entry",
        "PBT(ASCP)",
        "development; soft skills",
        "MLT",
    ),
    Person(
        "U0BEN",
        "Ben Tran",
        "America/Chicago",
        "MLS I, Microbiology",
        "mentee",
        "microbiology",
        "entry",
        "MLS(ASCP)",
        "research; technical",
        "SM",
        shift="night",
    ),
    Person(
        "U0AISHA",
        "Aisha Rahman",
        "America/Denver",
        "MLT, Chemistry",
        "mentee",
        "chemistry",
        "entry",
        "MLT(ASCP)",
        "quality; technical",
        "MLS",
        shift="evening",
    ),
]
BY_ID = {p.id: p for p in PEOPLE}
ACTIVE_PAIR = ("U0MARCUS", "U0LENA")  # mentor, mentee: the one pair at the start

# (member, title, category, target date offset in days, how it is measured)
GOALS = [
    (
        "U0LENA",
        "Earn the SH(ASCP) specialist certification",
        "development",
        300,
        "Pass the SH exam; log study hours as wins",
    ),
    (
        "U0JAMAL",
        "Get my SBB certification",
        "development",
        420,
        "Finish the SBB study plan and sit the exam",
    ),
    (
        "U0SOFIA",
        "Finish an MLT program and pass the MLT(ASCP) exam",
        "development",
        540,
        "Courses completed; exam passed",
    ),
    (
        "U0BEN",
        "Master MALDI-TOF identification",
        "technical",
        180,
        "Sign off on the competency with Grace",
    ),
    (
        "U0AISHA",
        "Cut turnaround time for critical potassium results",
        "quality",
        120,
        "Evening-shift median TAT under 45 minutes",
    ),
    (
        "U0MARCUS",
        "Lead the hematology analyzer replacement",
        "development",
        240,
        "Validation done and staff trained on schedule",
    ),
]

# (days before the start, member, win)
WINS = [
    (
        26,
        "U0LENA",
        "Ran my first bone marrow differential with Marcus checking it: "
        "we matched on every cell line",
    ),
    (24, "U0PRIYA", "Blood bank passed the AABB assessment with zero deficiencies"),
    (
        21,
        "U0TOM",
        "Recalibrated the troponin assay after the reagent lot change; QC back "
        "in range the same shift",
    ),
    (
        19,
        "U0BEN",
        "Caught a contaminated blood culture set before it was reported and "
        "walked the floor through recollection",
    ),
    (17, "U0JAMAL", "Worked up my first warm autoantibody using Priya's panel notes"),
    (14, "U0SOFIA", "No redraws on the early morning round all week"),
    (
        12,
        "U0AISHA",
        "Cut evening potassium TAT by 9 minutes by starting the centrifuge spin earlier",
    ),
    (10, "U0GRACE", "Presented our MRSA screening results at the infection control committee"),
    (8, "U0LENA", "Earned 3 CE points at the ASCLS hematology webinar"),
    (5, "U0MARCUS", "Trained two new techs on the new cell counter"),
    (3, "U0JAMAL", "Crossmatched units for a massive transfusion protocol without a delay"),
    (2, "U0BEN", "Finished the antimicrobial stewardship module (2 CE points)"),
    (1, "U0SOFIA", "Helped a nervous first-time donor through a difficult draw"),
]
PAIR_DAYS_AGO = 13  # so the pair's first meeting (every 2 weeks) is due tomorrow
# (member, catalog code, certificate number, days from the start to the cycle's end):
# 12 months and 10 days, so the 12-month lapse-prevention reminder comes 10 days after
# the start (a "+2 weeks" jump reaches it) and nothing is due at the start.
CREDENTIALS = [("U0PRIYA", "SBB", "SBB-204871", 10)]


def roster_csv() -> str:
    rows = [
        "user,role,career level,lab section,certifications,interests,target certification,"
        "mentor capacity,shift"
    ]
    for p in PEOPLE:
        if p.role not in ("mentor", "mentee"):
            continue
        rows.append(
            ",".join(
                [
                    p.id,
                    p.role,
                    p.level,
                    p.section,
                    f'"{p.certifications}"',
                    f'"{p.interests}"',
                    p.target,
                    p.capacity,
                    p.shift,
                ]
            )
        )
    return "\n".join(rows) + "\n"


def cycle_end(start: datetime, tz: str, days: int) -> date:
    """12 months and `days` days after the start, on the member's own calendar."""
    local = start.astimezone(ZoneInfo(tz)).date()
    return add_months(local, 12) + timedelta(days=days)


def add_credential(sandbox: Sandbox, user: str, code: str, number: str, end: date) -> None:
    """`/mentor credentials`, *Add a credential*, the form filled in and saved."""
    dm = sandbox.dm_of(user)
    sandbox.expect_ok(sandbox.command(user, "/mentor", "credentials", dm))
    with sandbox.workspace.lock:
        listed = next(
            m
            for m in reversed(sandbox.workspace.messages)
            if m["channel"] == dm and m["bot"] and m["text"] == "Your credentials"
        )
    block = next(
        b
        for b in listed["blocks"]
        if any(e.get("action_id") == "credential_add" for e in b.get("elements", []))
    )
    view_id = sandbox.action_modal(
        {
            "member": user,
            "container": {"type": "message", "channel": dm, "ts": listed["ts"]},
            "action_id": "credential_add",
            "block_id": block["block_id"],
        }
    )
    values = {
        "code": {"value": {"type": "static_select", "selected_option": {"value": code}}},
        "number": {"value": {"type": "plain_text_input", "value": number}},
        "cycle_end": {"value": {"type": "datepicker", "selected_date": end.isoformat()}},
    }
    sandbox.expect_ok(sandbox.submit(user, view_id, values))
    sandbox.workspace.close_view(user, view_id)


def add_people(sandbox: Sandbox) -> None:
    workspace = sandbox.workspace
    for p in PEOPLE:
        workspace.add_user(
            p.id,
            p.name,
            p.tz,
            p.email,
            title=p.title,
            role=p.role,
            section=p.section,
            coordinator=p.role == "coordinator",
        )
    workspace.add_channel(PROGRAM_CHANNEL, PROGRAM_CHANNEL_NAME)
    for p in PEOPLE:
        workspace.channels[PROGRAM_CHANNEL].members.add(p.id)


def seed(sandbox: Sandbox, start: datetime) -> None:
    """Load the demo lab; the clock ends at `start`."""
    dm = sandbox.dm_of
    sandbox.set_clock(start - timedelta(days=28))
    sandbox.expect_ok(
        sandbox.command(
            COORDINATOR, "/program", f"channel #{PROGRAM_CHANNEL_NAME}", PROGRAM_CHANNEL
        )
    )
    opened = sandbox.command_modal(COORDINATOR, "/program", "import", dm(COORDINATOR))
    sandbox.expect_ok(
        sandbox.submit(
            COORDINATOR,
            opened,
            {"csv": {"value": {"type": "plain_text_input", "value": roster_csv()}}},
        )
    )
    sandbox.quiet()
    for user, title, category, days, measure in GOALS:
        view_id = sandbox.command_modal(user, "/goal", title, dm(user))
        target = (start + timedelta(days=days)).date().isoformat()
        values = {
            "category": {
                "value": {
                    "type": "static_select",
                    "selected_option": {
                        "text": {"type": "plain_text", "text": category},
                        "value": category,
                    },
                }
            },
            "target_date": {"value": {"type": "datepicker", "selected_date": target}},
            "measure": {"value": {"type": "plain_text_input", "value": measure}},
        }
        sandbox.expect_ok(sandbox.submit(user, view_id, values))
    pair_at = start - timedelta(days=PAIR_DAYS_AGO)
    paired = False
    for days, user, text in WINS:
        at = (start - timedelta(days=days)).replace(minute=30)
        if not paired and at >= pair_at:
            sandbox.set_clock(pair_at)
            mentor, mentee = ACTIVE_PAIR
            sandbox.expect_ok(
                sandbox.command(
                    COORDINATOR,
                    "/program",
                    f"pair @{sandbox.handle(mentor)} @{sandbox.handle(mentee)} every 2 weeks",
                    dm(COORDINATOR),
                )
            )
            sandbox.quiet()  # the pair is made after the answer, at this instant
            paired = True
        sandbox.set_clock(at)
        sandbox.expect_ok(sandbox.command(user, "/win", text, dm(user)))
    sandbox.set_clock(start)
    for user, code, number, days in CREDENTIALS:
        add_credential(sandbox, user, code, number, cycle_end(start, BY_ID[user].tz, days))
    # The scheduler ran all along in a real deployment: one pass at the start settles
    # what the seeded past left due: nothing from it is sent late.
    sandbox.tick()
    for p in PEOPLE:
        sandbox.open_home(p.id)
    # The seeded forms' confirmations ("Imported 9 people", "Goal set") are closed, as a
    # person would have closed them: the page opens with no modal nobody asked for.
    for user, stack in list(sandbox.workspace.stacks.items()):
        if stack:
            sandbox.workspace.close_view(user, stack[0])
