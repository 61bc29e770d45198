"""Credentials and CE credits: `/mentor credentials`, its two forms, the win form's CE
part, the "Record as CE credit" offer, and the reminder DMs."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date

from bot.blocks.common import (
    Block,
    actions,
    button,
    clip,
    context,
    escape,
    modal,
    multi_select_input,
    option,
    plain,
    section,
)
from bot.blocks.wins import select_input
from bot.rules.credentials import Catalog, Status, describe_owed, points_text
from bot.usecases.credentials import MAX_NUMBER, MAX_PROVIDER, MAX_TITLE, Held

CREDENTIAL_MODAL = "credential_modal"
CREDIT_MODAL = "ce_credit_modal"
ADD_CREDENTIAL = "credential_add"
ADD_CREDIT = "ce_credit_add"
RECORD_FROM_WIN = "ce_credit_from_win"
EDIT_CREDIT = "ce_credit_edit"
MAX_SHOWN = 8


def days_words(days: int) -> str:
    if days < 0:
        return "ended"
    return "ends today" if days == 0 else f"{days} day{'s' if days != 1 else ''} left"


def track_words(st: Status) -> str:
    if st.met:
        return ":white_check_mark: all met"
    return ":large_green_circle: on track" if st.on_track else ":warning: behind"


def status_text(held: Held, names: Mapping[str, str]) -> str:
    st, credential = held.status, held.credential
    unit = st.kind.unit
    lines = [
        f"*{escape(st.kind.name)}*"
        + (f"  ·  no. {escape(credential.number)}" if credential.number else ""),
        f"Cycle {st.start:%b %d, %Y} – {st.end:%b %d, %Y}: {days_words(st.days_left)}, "
        f"{track_words(st)}",
        f"Earned {points_text(st.earned)} of {points_text(st.kind.total)} {unit}"
        + (f", {points_text(st.owed)} still owed" if st.owed > 0 else ""),
    ]
    for area in st.kind.areas:
        got = st.earned_by_area.get(area.key, 0.0)
        owed = st.owed_by_area.get(area.key, 0.0)
        mark = "✓" if owed <= 0 else f"{points_text(owed)} owed"
        lines.append(
            f"• {escape(area.name)}: {points_text(got)} of {points_text(area.min)} ({mark})"
        )
    return "\n".join(lines)


def credentials_blocks(helds: Sequence[Held], names: Mapping[str, str]) -> list[Block]:
    """`/mentor credentials`: each credential with days left and points per area."""
    buttons = actions(
        button("Add credential", ADD_CREDENTIAL, style="primary"),
        button("Add credit", ADD_CREDIT),
    )
    if not helds:
        return [
            section(
                "*Your credentials*\nNo credential yet. Add your MLS(ASCP), MLT(ASCP), "
                "PBT(ASCP) or state licence with its cycle end date, and I'll count your "
                "continuing-education credits and remind you before it lapses."
            ),
            buttons,
        ]
    blocks: list[Block] = [section("*Your credentials*")]
    blocks += [section(status_text(h, names)) for h in helds[:MAX_SHOWN]]
    blocks.append(buttons)
    blocks.append(
        context(
            "Credits count inside the current cycle only, once each. Keep your certificates: "
            "CMP declarations are audited."
        )
    )
    return blocks


def home_section(helds: Sequence[Held]) -> list[Block]:
    """The Home tab's short credentials part (at most a few blocks)."""
    if not helds:
        return []
    lines = [
        f"• *{escape(h.status.kind.name)}*: {days_words(h.status.days_left)}, "
        f"{points_text(h.status.earned)} of {points_text(h.status.kind.total)} "
        f"{h.status.kind.unit}, {track_words(h.status)}"
        for h in helds[:MAX_SHOWN]
    ]
    return [
        section("*Credentials*\n" + "\n".join(lines)),
        actions(
            button("Add credit", ADD_CREDIT),
            button("Add credential", ADD_CREDENTIAL),
        ),
    ]


def mentee_status_line(partner: str, helds: Sequence[Held]) -> str:
    """What a mentor sees of a mentee's credentials: days left, on track or not."""
    parts = [
        f"{escape(h.status.kind.code)} {days_words(h.status.days_left)}, "
        f"{'all met' if h.status.met else ('on track' if h.status.on_track else 'behind')}"
        for h in helds[:MAX_SHOWN]
    ]
    return f"*<@{partner}>'s credentials:* " + "; ".join(parts)


def _area_choices(names: Mapping[str, str]) -> list[Block]:
    return [option(name, key) for key, name in list(names.items())[:100]]


def _areas_input(block_id: str, names: Mapping[str, str], chosen: Sequence[str]) -> Block:
    label = "CMP area(s) or required topic(s)"
    return multi_select_input(block_id, label, _area_choices(names), chosen)


def _text_input(
    block_id: str, label: str, value: str, max_length: int, *, optional: bool = True, hint: str = ""
) -> Block:
    element: Block = {"type": "plain_text_input", "action_id": "value", "max_length": max_length}
    if value:
        element["initial_value"] = value[:max_length]
    if hint:
        element["placeholder"] = plain(hint)
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": plain(label),
        "element": element,
    }


def _date_input(block_id: str, label: str, value: date | None) -> Block:
    element: Block = {"type": "datepicker", "action_id": "value"}
    if value:
        element["initial_date"] = value.isoformat()
    return {"type": "input", "block_id": block_id, "label": plain(label), "element": element}


def credential_modal(catalog: Catalog) -> Block:
    choices = [(k.name[:75], k.code) for k in catalog.kinds.values()][:100]
    kind = select_input("code", "Credential", choices, None)
    kind["optional"] = False
    blocks = [
        kind,
        _text_input("number", "Certificate or licence number", "", MAX_NUMBER),
        _date_input("cycle_end", "Current cycle ends on", None),
        context(
            "Your cycle end date is on your ASCP BOC account or your licence. "
            "Adding a credential you have already changes its number and date."
        ),
    ]
    return modal(CREDENTIAL_MODAL, "Add a credential", blocks)


def credit_modal(
    names: Mapping[str, str],
    *,
    today: date,
    credit_id: int | None = None,
    title: str | None = "",
    provider: str = "",
    points: float | None = None,
    areas: Sequence[str] = (),
    earned_on: date | None = None,
) -> Block:
    """Add (or edit) a credit. `title=None`: the credit comes from a win, whose words
    are its title (edited with the win)."""
    blocks: list[Block] = []
    if title is not None:
        blocks.append(
            _text_input(
                "title",
                "What was it",
                title,
                MAX_TITLE,
                optional=False,
                hint="e.g. Transfusion reactions webinar",
            )
        )
    blocks += [
        _text_input(
            "points",
            "Hours or points",
            points_text(points) if points else "",
            6,
            optional=False,
            hint="e.g. 1.5",
        ),
        _areas_input("areas", names, areas),
        _text_input("provider", "Provider", provider, MAX_PROVIDER, hint="e.g. ASCLS P.A.C.E."),
        _date_input("earned_on", "Completed on", earned_on or today),
    ]
    meta = json.dumps({"credit": credit_id}) if credit_id else ""
    title_text = "Edit CE credit" if credit_id else "Add a CE credit"
    return modal(CREDIT_MODAL, title_text, blocks, private_metadata=meta)


def win_form_ce_blocks(names: Mapping[str, str]) -> list[Block]:
    """The win form's optional continuing-education part."""
    return [
        context("*Continuing education* (optional): counts toward your credentials"),
        _text_input("ce_points", "CE hours or points", "", 6, hint="e.g. 2"),
        _areas_input("ce_areas", names, ()),
        _text_input("ce_provider", "CE provider", "", MAX_PROVIDER, hint="e.g. ASCLS P.A.C.E."),
    ]


def record_offer(
    win_key: str, points: float, areas: Sequence[str], names: Mapping[str, str]
) -> list[Block]:
    """Under a logged win whose words read like continuing education."""
    where = ", ".join(names.get(a, a) for a in areas) or "no area yet"
    return [
        section(
            f":mortar_board: That sounds like continuing education: {points_text(points)} "
            f"point(s), {escape(where)}.",
            button("Record as CE credit", RECORD_FROM_WIN, win_key),
        )
    ]


def recorded_text(
    points: float, areas: Sequence[str], names: Mapping[str, str], *, already: bool
) -> str:
    where = ", ".join(names.get(a, a) for a in areas) or "no area"
    if already:
        return f"That win is recorded as a CE credit already ({points_text(points)}, {where})."
    return (
        f":white_check_mark: Recorded as a CE credit: {points_text(points)} point(s), {where}. "
        "See `/mentor credentials`."
    )


def recorded_blocks(credit_id: int, text: str) -> list[Block]:
    return [section(escape(text), button("Edit credit", EDIT_CREDIT, str(credit_id)))]


def reminder_message(
    name: str, st: Status, months: int, names: Mapping[str, str], suggestions: Sequence[str]
) -> tuple[str, list[Block]]:
    """The lapse-prevention DM: what is missing by area, with suggestions."""
    missing = "\n".join(f"• {escape(line)}" for line in describe_owed(st, names))
    when = f"{months} month{'s' if months != 1 else ''}"
    text = f"Your {st.kind.code} cycle ends in about {when}"
    body = (
        f"*{escape(st.kind.name)}*: your cycle ends on {st.end:%B %d, %Y} "
        f"({days_words(st.days_left)}). You have {points_text(st.earned)} of "
        f"{points_text(st.kind.total)} {st.kind.unit}. Still missing:\n{missing}"
    )
    blocks: list[Block] = [section(body)]
    if suggestions:
        blocks.append(
            section("*Ideas*\n" + "\n".join(f"• {escape(clip(s, 200))}" for s in suggestions[:4]))
        )
    blocks.append(
        actions(
            button("Add credit", ADD_CREDIT, style="primary"),
            button("Add credential", ADD_CREDENTIAL),
        )
    )
    return text, blocks


def met_message(st: Status, names: Mapping[str, str]) -> tuple[str, list[Block]]:
    """Everything earned: the summary for the CMP declaration (the transcript follows)."""
    per_area = "\n".join(
        f"• {escape(a.name)}: {points_text(st.earned_by_area.get(a.key, 0.0))}"
        for a in st.kind.areas
    )
    text = f"Your {st.kind.code} requirements are met"
    body = (
        f":tada: *{escape(st.kind.name)}*: everything is met for the cycle ending "
        f"{st.end:%B %d, %Y}. {points_text(st.earned)} {st.kind.unit} in all "
        f"({points_text(st.kind.total)} needed).\n{per_area}\n"
        "Submit your declaration before the end date and keep your certificates for an "
        "audit. Your transcript of credits follows."
    )
    return text, [section(body)]
