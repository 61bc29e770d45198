"""The survey DM, its form, and the coordinators' results."""

from __future__ import annotations

import json

from bot.blocks.common import (
    Block,
    actions,
    button,
    clip,
    context,
    escape,
    modal,
    plain,
    section,
)
from bot.blocks.goals import text_input
from bot.blocks.wins import checkbox_input, select_input
from bot.rules.phi import Finding, describe
from bot.rules.report import MIN_PEOPLE
from bot.rules.surveys import CLOSING, MAX_COMMENT_CHARS, Results, Score

SURVEY_MODAL = "survey_modal"
OPEN_ACTION = "survey_open"
SCORES = [
    ("5 · Excellent", "5"),
    ("4 · Good", "4"),
    ("3 · OK", "3"),
    ("2 · Not great", "2"),
    ("1 · Poor", "1"),
]
SECTION_CHARS = 2900  # under Slack's 3000 per section, with room for a heading
MAX_COMMENT_SECTIONS = 20


def survey_dm(*, pair_id: int, label: str, partner: str) -> tuple[str, list[Block]]:
    if label == CLOSING:
        text = f"Your mentoring pair with <@{partner}> has ended. How did it go?"
    else:
        text = f"How is your mentoring with <@{partner}> going?"
    return text, [
        section(f":bar_chart: *{text}*\nOne question and an optional comment: a minute at most."),
        actions(button("Answer", OPEN_ACTION, f"{pair_id}:{label}", style="primary")),
        context(
            "Only the program's coordinators see answers, and only all together; "
            "your comment only if you allow it, and never with your name."
        ),
    ]


def survey_modal(
    *,
    pair_id: int,
    label: str,
    partner: str,
    satisfaction: int | None = None,
    comment: str = "",
    shareable: bool = False,
    findings: list[Finding] | None = None,
) -> Block:
    """The survey form. With `findings`, the patient-data warning and its choice."""
    score = select_input(
        "satisfaction",
        "How satisfied are you with this match?",
        SCORES,
        str(satisfaction) if satisfaction else None,
    )
    score["optional"] = False
    blocks = [
        section(f"About your mentoring with <@{partner}>."),
        score,
        text_input(
            "comment", "Comment (optional)", comment, multiline=True, max_length=MAX_COMMENT_CHARS
        ),
    ]
    if findings:
        blocks.append(
            section(
                ":warning: Your comment looks like it may contain patient information: "
                f"{escape(describe(findings))}. Edit it out, or tick the box to send it "
                "anyway: it is then kept, but never shown to anyone."
            )
        )
        blocks.append(checkbox_input("phi_ack", "Patient data", "Send anyway, never shown"))
    blocks.append(
        checkbox_input(
            "share",
            "Your comment",
            "Coordinators may read my comment (never with my name)",
            checked=shareable,
        )
    )
    return modal(
        SURVEY_MODAL,
        "Match survey",
        blocks,
        submit="Send",
        private_metadata=json.dumps({"pair_id": pair_id, "label": label}),
    )


def thanks_modal(*, replaced: bool) -> Block:
    text = ":pray: Thank you! Your earlier answer is replaced." if replaced else ":pray: Thank you!"
    done = modal("survey_thanks", "Match survey", [section(text)], submit=None)
    done["close"] = plain("Done")
    return done


def score_line(score: Score) -> str:
    if score.average is None:
        return (
            f"*{score.title}*: {score.answers} answer(s); shown once at least "
            f"{MIN_PEOPLE} people have answered"
        )
    return (
        f"*{score.title}*: {score.average:.1f} / 5 "
        f"({score.answers} answers from {score.people} people)"
    )


def results_blocks(results: Results, period: str = "all time") -> list[Block]:
    """Aggregates only; comments without names, in alphabetical order (not the order
    they came in, which could tell who wrote them), in sections under Slack's limits."""
    lines = [score_line(results.overall)]
    if results.overall.average is not None:
        lines += [score_line(s) for s in results.by_kind]
        lines += [
            f"{s} · " + (f"{'▇' * n} {n}" if n is not None else f"fewer than {MIN_PEOPLE}")
            for s, n in sorted(results.distribution.items(), reverse=True)
        ]
    title = ":bar_chart: *Match surveys*" + ("" if period == "all time" else f", {period}")
    blocks = [section(title + "\n" + "\n".join(lines))]
    chunk: list[str] = []
    for comment in results.comments:
        line = clip("• " + escape(comment).replace("\n", " "), SECTION_CHARS)
        if chunk and len("\n".join([*chunk, line])) > SECTION_CHARS:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(section("\n".join(chunk)))
    if len(blocks) > 1:
        blocks.insert(1, section("*Comments members allowed you to read*"))
    return blocks[: MAX_COMMENT_SECTIONS + 2]
