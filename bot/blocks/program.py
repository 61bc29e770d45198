"""Messages and modals for coordinators (`/program`) and pair introductions."""

from __future__ import annotations

from dataclasses import dataclass

from bot.blocks.common import (
    VIEW_BLOCKS_MAX,
    Block,
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
    "• `/program surveys`: match-survey results, all together (never who said what)\n"
    "• `/program announce`: a message to everyone, mentors, mentees or a lab section\n"
    "• `/program channel #name`: where announcements and the weekly digest go\n"
    "• `/program coordinators` · `… add @someone` · `… remove @someone`"
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
