"""Messages and modals for coordinators (`/program`) and pair introductions."""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.blocks.common import (
    MODAL_TITLE_MAX,
    VIEW_BLOCKS_MAX,
    Block,
    actions,
    button,
    clip,
    context,
    divider,
    escape,
    header,
    modal,
    mrkdwn,
    plain,
    section,
)
from bot.blocks.goals import text_input
from bot.blocks.wins import select_input
from bot.rules.program_settings import (
    WEEKDAYS,
    ProgramConfig,
    ReviewDates,
    review_dates_text,
)
from bot.rules.roster import COLUMN_HELP, MAX_ROWS
from bot.rules.upload import MAX_BYTES, megabytes

IMPORT_MODAL = "program_import_modal"
MATCH_MODAL = "program_match_modal"

PROGRAM_HELP = (
    "*Run the mentorship program with* `/program` (coordinators only)\n"
    "• `/program import`: upload the roster CSV (or drop it in your DM with Benchmate)\n"
    "• `/program remove @someone`: take someone off the roster (their pairs end)\n"
    "• `/program pair @mentor @mentee` · `/program unpair @mentor @mentee`\n"
    "• `/program match`: proposed pairs for everyone without a mentor, to approve\n"
    "• `/program report`: the impact report, with a chart in your DM\n"
    "• `/program surveys` (or `… from YYYY-MM-DD to YYYY-MM-DD`): match-survey results, "
    "all together (never who said what)\n"
    "• `/program announce`: a message to everyone, mentors, mentees or a lab section\n"
    "• `/program channel #name`: where announcements and the weekly digest go\n"
    "• `/program settings`: review dates, the digest's day, hour and time zone, the "
    "default meeting cadence\n"
    "• `/program coordinators` · `… add @someone` · `… remove @someone`\n"
    "• `/program programs` · `… add <name>`: several programs (a site, a department); "
    "`/program <name> …` acts on one"
)
REFUSAL = (
    "Sorry, that's only for the mentorship program's coordinators, so I haven't changed "
    "anything. If you think you should be one, ask a coordinator to add you."
)
# Slack's checkboxes element holds at most 10 options, a modal 100 blocks. Each group
# takes a divider, a section and its checkboxes; the summary and `pick_rest` take two.
OPTIONS_PER_GROUP = 10
BLOCKS_PER_GROUP = 3
MAX_GROUPS = (VIEW_BLOCKS_MAX - 2) // BLOCKS_PER_GROUP


# A roster file shared in the app DM by someone coordinating several programs: one
# button per program (Slack wants each button's action_id unique in its block).
ROSTER_PROGRAM_ACTION = "roster_upload_program"
BUTTONS_PER_ROW = 5


def roster_program_choice(
    file_id: str, file_name: str, programs: list[tuple[int, str]]
) -> tuple[str, list[Block]]:
    """Which program a shared roster file goes to: the question and its buttons. Each
    button carries the file and the program; the click is checked again (a value can be
    forged)."""
    text = f"Which program's roster is *{file_name}*? Nothing is imported until you choose."
    blocks: list[Block] = [section(text)]
    for start in range(0, len(programs), BUTTONS_PER_ROW):
        row = programs[start : start + BUTTONS_PER_ROW]
        blocks.append(
            actions(
                *(
                    button(
                        name,
                        f"{ROSTER_PROGRAM_ACTION}_{program_id}",
                        json.dumps({"file": file_id, "program": program_id}),
                    )
                    for program_id, name in row
                ),
                block_id=f"roster_program_{start // BUTTONS_PER_ROW}",
            )
        )
    return text, blocks


def refusal_modal() -> Block:
    done = modal("program_refused", "Coordinators only", [section(REFUSAL)], submit=None)
    done["close"] = plain("OK")
    return done


def notice_modal(title: str, text: str) -> Block:
    """A modal that only says something (no submit button)."""
    view = modal("program_notice", title, [section(text)], submit=None)
    view["close"] = plain("Done")
    return view


# --- introductions ----------------------------------------------------------------


def cadence_words(days: int) -> str:
    if days % 7 == 0:
        weeks = days // 7
        return "every week" if weeks == 1 else f"every {weeks} weeks"
    return f"every {days} days"


def intro_text(mentor: str, mentee: str, cadence_days: int) -> str:
    return (
        f"Meet your mentoring partner! <@{mentor}> (mentor) and <@{mentee}> (mentee): "
        f"plan to meet {cadence_words(cadence_days)}."
    )


def intro_blocks(mentor: str, mentee: str, cadence_days: int, agenda: list[str]) -> list[Block]:
    steps = "\n".join(f"{n}. {escape(item)}" for n, item in enumerate(agenda, 1))
    return [
        section(
            f":handshake: *Meet your mentoring partner!*\n<@{mentor}> will mentor "
            f"<@{mentee}>. The program asks you to meet *{cadence_words(cadence_days)}*: "
            "30 minutes is plenty, on a shift that suits you both."
        ),
        section(f"*A first agenda*\n{steps}"),
        context(
            "Only you two (and Benchmate) are in this conversation. Keep patient details "
            "out of it: they stay in the clinical systems."
        ),
    ]


# --- roster import --------------------------------------------------------------------


def import_modal(csv_text: str = "", problems: list[str] | None = None) -> Block:
    """Upload the roster file (up to MAX_BYTES, 5,000 rows), or paste a short one."""
    blocks: list[Block] = [
        section(
            f"Upload the roster as a CSV file (up to {megabytes(MAX_BYTES)}, "
            f"{MAX_ROWS:,} people), or paste a short one below. " + COLUMN_HELP + "\nNothing is "
            "imported unless every row is good; existing people are updated."
        ),
    ]
    if problems:
        listed = "\n".join(f"• {escape(p)}" for p in problems[:40])
        more = f"\n…and {len(problems) - 40} more" if len(problems) > 40 else ""
        blocks.append(
            section(f":warning: *Nothing imported: fix these and submit again*\n{listed}{more}")
        )
    blocks.append(
        {
            "type": "input",
            "block_id": "csv_file",
            "optional": True,
            "label": plain("Roster CSV file"),
            "element": {
                "type": "file_input",
                "action_id": "value",
                "filetypes": ["csv"],
                "max_files": 1,
            },
        }
    )
    field = text_input("csv", "…or paste the CSV", csv_text, multiline=True, max_length=3000)
    field["element"]["placeholder"] = plain(
        "user,role,career level,lab section,mentor capacity\nU012AB3CD,mentor,senior,hematology,2"
    )
    blocks.append(field)
    return modal(IMPORT_MODAL, "Import roster", blocks, submit="Import")


def import_result_text(added: int, updated: int, *, dry_run: bool = False) -> str:
    verb = "Would import" if dry_run else "Imported"
    return f"{verb} {added + updated} people: {added} new, {updated} updated."


# --- matching -------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalLine:
    id: int
    mentor: str  # Slack user ids
    mentee: str
    mentor_name: str
    mentee_name: str
    score: int
    reasons: tuple[str, ...]


def match_modal(batch: str, proposals: list[ProposalLine], unmatched: int) -> Block:
    """Proposed pairs, each with score and reasons, in groups of checkboxes (all ticked):
    untick any to leave it out; Cancel approves none."""
    shown = proposals[: OPTIONS_PER_GROUP * MAX_GROUPS]
    summary = f"*{len(proposals)} proposed pair(s).* Untick any you don't want, then Approve."
    if unmatched:
        summary += (
            f"\n{unmatched} mentee(s) could not be matched (no free mentor who is more "
            "senior, not their supervisor, and not a past partner)."
        )
    blocks: list[Block] = [section(summary)]
    for start in range(0, len(shown), OPTIONS_PER_GROUP):
        group = shown[start : start + OPTIONS_PER_GROUP]
        lines = "\n".join(
            escape(f"*{p.mentor_name} → {p.mentee_name}* · score {p.score}: {'; '.join(p.reasons)}")
            for p in group
        )
        options = [
            {
                "text": plain(f"{p.mentor_name} → {p.mentee_name} ({p.score})"),
                "value": str(p.id),
            }
            for p in group
        ]
        blocks.append(divider())
        blocks.append(section(clip(lines, 3000)))
        blocks.append(
            {
                "type": "input",
                "block_id": f"pick_{start // OPTIONS_PER_GROUP}",
                "optional": True,
                "label": plain("Approve"),
                "element": {
                    "type": "checkboxes",
                    "action_id": "value",
                    "options": options,
                    "initial_options": options,
                },
            }
        )
    rest = len(proposals) - len(shown)
    if rest:
        choice = {"text": plain(f"Also approve the {rest} pairs not listed"), "value": "rest"}
        blocks.append(
            {
                "type": "input",
                "block_id": "pick_rest",
                "optional": True,
                "label": plain("More"),
                "element": {"type": "checkboxes", "action_id": "value", "options": [choice]},
            }
        )
    return modal(MATCH_MODAL, "Proposed pairs", blocks, submit="Approve", private_metadata=batch)


def report_blocks(markdown_sections: list[tuple[str, list[str]]]) -> list[Block]:
    """The report as a message: a header, then one section per part."""
    blocks: list[Block] = [header("Mentorship program report")]
    for title, lines in markdown_sections:
        blocks.append({"type": "section", "text": mrkdwn(f"*{title}*\n" + "\n".join(lines))})
    return blocks[:50]


# --- program settings -------------------------------------------------------------

SETTINGS_MODAL = "program_settings_modal"


def settings_modal(
    config: ProgramConfig,
    *,
    dates_set_here: bool,
    env_dates: ReviewDates,
    program: int,
    name: str,
    main: bool,
) -> Block:
    """The `/program settings` form, showing what is in force. Goal review dates are
    the "main" program's (goals are a member's own, not a program's)."""
    default_dates = (
        f"the deployment's default, {review_dates_text(env_dates)}"
        if env_dates
        else "six months after each goal is set"
    )
    days = [(name, str(n)) for n, name in enumerate(WEEKDAYS)]
    hours = [(f"{h:02d}:00", str(h)) for h in range(24)]
    dates = [
        text_input(
            "review_dates",
            "Goal review dates (month-day)",
            review_dates_text(config.review_dates) if dates_set_here else "",
        ),
        context(f"For example 06-01, 12-01. Leave empty for {default_dates}."),
    ]
    blocks = [
        *(dates if main else [context("Goal reviews follow the `main` program's dates.")]),
        select_input("digest_weekday", "Weekly digest day", days, str(config.digest_weekday)),
        select_input("digest_hour", "Weekly digest hour", hours, str(config.digest_hour)),
        text_input("tz", "Program time zone", config.tz, max_length=64),
        context(
            "The digest hour and survey date ranges are read in this zone (e.g. America/Chicago)."
        ),
        text_input("cadence", "Default meeting cadence", cadence_words(config.cadence_days)),
        context("For new pairs, e.g. “every 2 weeks” or “every 10 days”."),
    ]
    title = "Program settings" if main else clip(f"Settings: {name}", MODAL_TITLE_MAX)
    return modal(SETTINGS_MODAL, title, blocks, private_metadata=json.dumps({"program": program}))


def settings_saved_modal(changed: dict[str, list[object]]) -> Block:
    if not changed:
        return notice_modal("Program settings", "Nothing changed.")
    names = {
        "review_dates": "Goal review dates",
        "digest_weekday": "Digest day",
        "digest_hour": "Digest hour",
        "tz": "Time zone",
        "cadence_days": "Default meeting cadence",
    }
    return notice_modal(
        "Program settings",
        ":white_check_mark: Saved: " + ", ".join(names[k] for k in changed) + ".",
    )
