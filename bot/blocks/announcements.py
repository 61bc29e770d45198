"""The announcement form, the announcement as posted, and the coordinator's report."""

from __future__ import annotations

from bot.blocks.common import Block, context, escape, modal, plain, section
from bot.blocks.goals import text_input
from bot.blocks.wins import checkbox_input, select_input
from bot.rules.announcements import DELIVERIES, MAX_TEXT, audience_choices
from bot.rules.phi import Finding, describe

ANNOUNCE_MODAL = "program_announce_modal"
WHEN = {"now": "Now", "later": "At a chosen time"}


def _choices(vocabulary: dict[str, str]) -> list[tuple[str, str]]:
    return [(label, key) for key, label in vocabulary.items()]


def announce_modal(
    *,
    text: str = "",
    audience: str = "everyone",
    delivery: str = "dm",
    when: str = "now",
    findings: list[Finding] | None = None,
    channel: str | None = None,
) -> Block:
    message = text_input("message", "Message", text, multiline=True, max_length=MAX_TEXT)
    message["optional"] = False
    blocks: list[Block] = [message]
    if findings:
        blocks.append(
            section(
                ":warning: This looks like it may contain patient information: "
                f"{escape(describe(findings))}. Patient data must stay in the clinical "
                "systems: edit it out, or tick the box if you're sure it's not patient data."
            )
        )
        blocks.append(
            checkbox_input("phi_ack", "Patient data", "I checked: no patient information")
        )
    pickers = [
        select_input("audience", "Audience", _choices(audience_choices()), audience),
        select_input("delivery", "Deliver to", _choices(DELIVERIES), delivery),
        select_input("when", "When", _choices(WHEN), when),
    ]
    for picker in pickers:
        picker["optional"] = False
    blocks += pickers
    blocks.append(
        {
            "type": "input",
            "block_id": "day",
            "optional": True,
            "label": plain("Date (if at a chosen time)"),
            "element": {"type": "datepicker", "action_id": "value"},
        }
    )
    blocks.append(
        {
            "type": "input",
            "block_id": "time",
            "optional": True,
            "label": plain("Time, in your time zone"),
            "element": {"type": "timepicker", "action_id": "value"},
        }
    )
    where = f"<#{channel}>" if channel else "not set yet (`/program channel #name`)"
    blocks.append(context(f"Program channel: {where}. Each person gets it once."))
    return modal(ANNOUNCE_MODAL, "Announcement", blocks, submit="Send")


def announcement_blocks(text: str) -> list[Block]:
    return [section(f":mega: *From the mentorship program*\n{escape(text)}")]


def report_text(
    *,
    announcement_id: int,
    sent: list[str],
    failed: list[tuple[str, str]],
    channel: str | None,
    channel_error: str | None,
) -> str:
    lines = [f":mailbox_with_mail: *Announcement #{announcement_id}: delivery report*"]
    if channel:
        lines.append(
            f"• Program channel <#{channel}>: "
            + (f"not posted ({channel_error})" if channel_error else "posted")
        )
    if sent or failed:
        lines.append(f"• DMs sent: {len(sent)} of {len(sent) + len(failed)}")
    for user, why in failed[:40]:
        lines.append(f"• Not delivered to <@{user}>: {why}")
    if len(failed) > 40:
        lines.append(f"• …and {len(failed) - 40} more not delivered")
    return "\n".join(lines)


WHY = {
    "deleted": "their Slack account is deactivated",
    "user_disabled": "their Slack account is deactivated",
    "account_inactive": "their Slack account is inactive",
    "channel_not_found": "Slack can't open a DM with them",
    "user_not_found": "Slack doesn't know them any more",
    "not_in_channel": "invite Benchmate to the channel first",
    "channel_not_found_channel": "the channel no longer exists",
}


def why(error: str) -> str:
    if error.startswith("unsure:"):  # bot/rules/once.py: never confirmed, never re-sent
        return "Slack never confirmed it, and Benchmate could not check whether it arrived"
    return WHY.get(error, f"Slack answered “{error}”")


def scheduled_modal(text: str) -> Block:
    done = modal("program_announce_done", "Announcement", [section(text)], submit=None)
    done["close"] = plain("Done")
    return done
