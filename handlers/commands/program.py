"""`/program`: the coordinator's command. Every sub-command goes through the
`coordinator_only` middleware first."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.announcements import announce_modal
from bot.blocks.common import escape
from bot.blocks.program import (
    PROGRAM_HELP,
    import_modal,
    match_modal,
    notice_modal,
    report_blocks,
    settings_modal,
)
from bot.blocks.surveys import results_blocks
from bot.deps import Deps
from bot.rules.mentions import mentioned_users
from bot.rules.program_settings import DateRange, cadence_in, parse_range
from bot.rules.report import shown
from bot.slack.gateway import SlackGateway, error_code, in_words
from bot.store.models import MAIN_PROGRAM
from bot.usecases.announcements import program_channel, set_program_channel
from bot.usecases.coordinators import (
    add_coordinator,
    coordinator_ids,
    is_coordinator,
    record,
    remove_coordinator,
)
from bot.usecases.matching import propose_matches
from bot.usecases.members import ensure_member, find_member
from bot.usecases.pairs import (
    active_pair,
    create_pair,
    end_pair,
    introduce,
    member_left,
    profile_of,
    tell,
)
from bot.usecases.program_report import build_report, chart_png
from bot.usecases.program_settings import config_of, current, row_of
from bot.usecases.programs import create_program, main_program, programs_of, scope_of
from bot.usecases.surveys import results as survey_results
from handlers.context import team_id
from handlers.coordinator_only import coordinator_only

# Sub-commands that call Slack run after the ack; these need exactly two people.
TWO_PEOPLE = ("pair", "unpair")
_CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)(?:\|[^>]*)?>")
_CADENCE = re.compile(r"every\s+\d", re.I)


def cadence_days(text: str) -> int | None:
    """`every 3 weeks` / `every 10 days` in the command text; 0 when out of range;
    None when not given (the program's default cadence applies)."""
    if not _CADENCE.search(text):
        return None
    return cadence_in(text) or 0


def register(app: App, deps: Deps) -> None:
    def answer(ack: Any, command: dict[str, Any], context: BoltContext) -> None:
        """Runs before the ack: usage errors and the database-only sub-commands."""
        team, me, now = team_id(context), str(context.user_id), deps.clock.now()
        env = deps.settings.coordinators
        with deps.db.begin() as session:
            scope = scope_of(session, env, team, me, str(command.get("text") or ""))
        text, program = scope.text, scope.program_id
        words = text.split()
        word = words[0].lower() if words else "help"
        users = mentioned_users(text)

        if word == "coordinators":
            action = words[1].lower() if len(words) > 1 else "list"
            if action in ("add", "remove") and len(users) != 1:
                ack(
                    response_type="ephemeral",
                    text=f"Use `/program coordinators {action} "
                    "@someone` (pick them from the list).",
                )
                return
            with deps.db.begin() as session:
                if action == "add":
                    added = add_coordinator(
                        session,
                        env,
                        team_id=team,
                        user_id=users[0],
                        by=me,
                        now=now,
                        program_id=program,
                    )
                    reply = (
                        f"<@{users[0]}> is now a coordinator."
                        if added
                        else f"<@{users[0]}> is already a coordinator."
                    )
                elif action == "remove":
                    why = remove_coordinator(
                        session,
                        env,
                        team_id=team,
                        user_id=users[0],
                        by=me,
                        now=now,
                        program_id=program,
                    )
                    reply = why or f"<@{users[0]}> is no longer a coordinator."
                else:
                    listed = ", ".join(
                        f"<@{u}>" for u in coordinator_ids(session, env, team, program)
                    )
                    of = "" if scope.name == MAIN_PROGRAM else f" of `{scope.name}`"
                    reply = f"Coordinators{of}: {listed or 'nobody yet'}."
            ack(response_type="ephemeral", text=reply)
        elif word in TWO_PEOPLE and len(users) != 2:
            ack(
                response_type="ephemeral",
                text=f"Use `/program {word} @mentor @mentee`, picking both from the list.",
            )
        elif word in TWO_PEOPLE and cadence_days(text) == 0:
            ack(
                response_type="ephemeral",
                text="Pick a cadence between every day and every 13 weeks, e.g. `every 2 weeks`.",
            )
        elif word == "channel":
            found = _CHANNEL.search(text)
            if not found:
                ack(
                    response_type="ephemeral",
                    text="Use `/program channel #channel-name`, picking the channel from the list.",
                )
                return
            with deps.db.begin() as session:
                set_program_channel(
                    session,
                    team_id=team,
                    channel_id=found.group(1),
                    by=me,
                    now=now,
                    program_id=program,
                )
            ack(
                response_type="ephemeral",
                text=f"The program channel is now <#{found.group(1)}>: announcements and the "
                "weekly digest of shared wins go there. Invite me to it (`/invite @Benchmate`) "
                "if it is private.",
            )
        elif word == "surveys":
            period = parse_range(" ".join(words[1:]))
            if not isinstance(period, DateRange):
                ack(
                    response_type="ephemeral",
                    text=f"{escape(period)} Use `/program surveys` for all results, or "
                    "`/program surveys from 2026-01-01 to 2026-06-30` (either end may be "
                    "left out).",
                )
                return
            with deps.db.begin() as session:
                zone = current(session, program, deps.settings.review_dates).tz
                guard = deps.phi.in_session(session, team)
                found = survey_results(session, team, guard, period, zone, program)
                details = {"from": period.start, "to": period.end} if words[1:] else {}
                record(session, team, me, "surveys", details, now, program)
            ack(
                response_type="ephemeral",
                text="Match surveys",
                blocks=results_blocks(found, period.describe()),
            )
        elif word == "remove" and len(users) != 1:
            ack(response_type="ephemeral", text="Use `/program remove @someone`.")
        elif word in (
            "pair",
            "unpair",
            "remove",
            "import",
            "match",
            "report",
            "announce",
            "settings",
        ):
            ack()  # the rest happens after the ack
        elif word == "programs":
            ack(response_type="ephemeral", text=programs_answer(words[1:], team, me, now))
        elif word == "help":
            ack(response_type="ephemeral", text=PROGRAM_HELP)
        else:
            ack(
                response_type="ephemeral",
                text=f"I don't know `/program {escape(words[0])}`.\n{PROGRAM_HELP}",
            )

    def after(
        command: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        gateway = SlackGateway(client)
        team, me = team_id(context), str(context.user_id)
        with deps.db.begin() as session:
            scope = scope_of(
                session, deps.settings.coordinators, team, me, str(command.get("text") or "")
            )
        text, program = scope.text, scope.program_id
        words = text.split()
        word = words[0].lower() if words else "help"
        users = mentioned_users(text)
        trigger = str(command.get("trigger_id"))
        if word == "pair" and len(users) == 2:
            pair(gateway, respond, team, me, users[0], users[1], cadence_days(text), program)
        elif word == "unpair" and len(users) == 2:
            unpair(gateway, respond, team, me, users[0], users[1], program)
        elif word == "remove" and len(users) == 1:
            remove(gateway, respond, team, me, users[0], program)
        elif word == "import":
            view = import_modal()
            view["private_metadata"] = json.dumps({"program": program})
            open_modal(gateway, respond, trigger, view)
        elif word == "match":
            match(gateway, respond, team, me, trigger, program)
        elif word == "report":
            report(gateway, respond, team, me, program)
        elif word == "announce":
            with deps.db.begin() as session:
                channel = program_channel(session, team, program)
            view = announce_modal(channel=channel)
            view["private_metadata"] = json.dumps({"program": program})
            open_modal(gateway, respond, trigger, view)
            # The form's "later" time is in the coordinator's own zone: know it (after the
            # form is open, before they submit) rather than take UTC for a first contact.
            ensure_member(deps.db, gateway, team, me, deps.clock.now())
        elif word == "settings":
            env_dates = deps.settings.review_dates
            with deps.db.begin() as session:
                row = row_of(session, program)
                view = settings_modal(
                    config_of(row, env_dates),
                    dates_set_here=row is not None and row.review_dates is not None,
                    env_dates=env_dates,
                    program=program,
                    name=scope.name,
                    main=scope.name == MAIN_PROGRAM,
                )
            open_modal(gateway, respond, trigger, view)

    def programs_answer(words: list[str], team: str, me: str, now: datetime) -> str:
        """`/program programs` lists them; `… add <name>` creates one (coordinators of
        "main" only, which those from BENCHMATE_COORDINATORS are)."""
        with deps.db.begin() as session:
            if words and words[0].lower() == "add":
                main = main_program(session, team)
                if not is_coordinator(session, deps.settings.coordinators, team, me, main):
                    return "Only coordinators of the `main` program create programs."
                if len(words) != 2:
                    return "Use `/program programs add <name>`, e.g. `north-site`."
                made = create_program(session, team_id=team, name=words[1], by=me, now=now)
                if isinstance(made, str):
                    return made
                return (
                    f"Created the program `{made.name}`; you coordinate it. Run it with "
                    f"`/program {made.name} …`, e.g. `/program {made.name} import`."
                )
            names = ", ".join(f"`{p.name}`" for p in programs_of(session, team))
        return f"Programs: {names}. Act on one with `/program <name> …`."

    def open_modal(
        gateway: SlackGateway, respond: Respond, trigger: str, view: dict[str, Any]
    ) -> str | None:
        try:
            return gateway.open_view(trigger, view)
        except SlackApiError as exc:
            respond(
                response_type="ephemeral",
                text="Sorry, I couldn't open the form (Slack "
                f"said `{error_code(exc)}`). Try again.",
            )
            return None

    def pair(
        gateway: SlackGateway,
        respond: Respond,
        team: str,
        me: str,
        mentor_id: str,
        mentee_id: str,
        cadence: int | None,
        program: int,
    ) -> None:
        now = deps.clock.now()
        mentor = ensure_member(deps.db, gateway, team, mentor_id, now)
        mentee = ensure_member(deps.db, gateway, team, mentee_id, now)
        with deps.db.begin() as session:
            made = create_pair(
                session,
                mentor=mentor,
                mentee=mentee,
                by=me,
                now=now,
                cadence_days=cadence,
                program_id=program,
            )
        if isinstance(made, str):
            respond(response_type="ephemeral", text=made)
            return
        notes = "".join(f"\n• Note: {n}" for n in made.notes)
        respond(
            response_type="ephemeral",
            text=f":handshake: Paired <@{mentor_id}> (mentor) "
            f"with <@{mentee_id}> (mentee); I'm introducing them now.{notes}",
        )
        guard = deps.phi.for_team(deps.db, made.pair.team_id)
        if not introduce(deps.db, gateway, made.pair.id, guard):
            respond(
                response_type="ephemeral",
                text="The pair is saved, but I couldn't open "
                "their group DM; please introduce them.",
            )

    def unpair(
        gateway: SlackGateway,
        respond: Respond,
        team: str,
        me: str,
        mentor_id: str,
        mentee_id: str,
        program: int,
    ) -> None:
        now = deps.clock.now()
        with deps.db.begin() as session:
            mentor = find_member(session, team, mentor_id)
            mentee = find_member(session, team, mentee_id)
            pair = active_pair(session, mentor.id, mentee.id) if mentor and mentee else None
            if pair is not None and pair.program_id != program:
                pair = None  # another program's pair is its coordinators' to end
            if pair is not None:
                end_pair(session, pair, reason="unpaired", now=now)
                record(
                    session,
                    team,
                    me,
                    "unpair",
                    {"pair": pair.id, "mentor": mentor_id, "mentee": mentee_id},
                    now,
                    program,
                )
        if pair is None:
            respond(
                response_type="ephemeral",
                text=f"<@{mentor_id}> does not mentor <@{mentee_id}> right now.",
            )
            return
        for user, other in ((mentor_id, mentee_id), (mentee_id, mentor_id)):
            tell(
                gateway,
                user,
                f"Your mentoring pair with <@{other}> has been closed by the "
                "program coordinator. Thank you for the time you gave each other!",
            )
        respond(
            response_type="ephemeral",
            text=f"Unpaired <@{mentor_id}> and <@{mentee_id}>; I let them both know.",
        )

    def remove(
        gateway: SlackGateway, respond: Respond, team: str, me: str, user_id: str, program: int
    ) -> None:
        now = deps.clock.now()
        with deps.db.begin() as session:
            member = find_member(session, team, user_id)
            profile = profile_of(session, member.id, program) if member else None
            on_roster = profile is not None and profile.left_at is None
            if on_roster:
                record(session, team, me, "roster_remove", {"user": user_id}, now, program)
        if member is None or not on_roster:
            respond(response_type="ephemeral", text=f"<@{user_id}> is not on the roster.")
            return
        left = member_left(
            deps.db,
            gateway,
            member,
            now,
            env_coordinators=deps.settings.coordinators,
            program_id=program,
        )
        respond(
            response_type="ephemeral",
            text=f"Took <@{user_id}> off the roster; "
            f"{left.ended} pair(s) ended and their partners were told.",
        )

    def match(
        gateway: SlackGateway, respond: Respond, team: str, me: str, trigger: str, program: int
    ) -> None:
        # Open a modal at once (the trigger expires in 3 s), then fill it in.
        view_id = open_modal(
            gateway,
            respond,
            trigger,
            notice_modal("Proposed pairs", ":hourglass: Finding matches…"),
        )
        if view_id is None:
            return
        proposed = propose_matches(
            deps.db, team_id=team, actor=me, now=deps.clock.now(), program_id=program
        )
        if proposed.lines:
            view = match_modal(proposed.batch, proposed.lines, proposed.unmatched)
        elif proposed.unmatched:
            view = notice_modal(
                "Proposed pairs",
                f"{proposed.unmatched} mentee(s) have no "
                "mentor, but no free mentor fits the rules (more senior, not "
                "their supervisor, not a past partner).",
            )
        else:
            view = notice_modal("Proposed pairs", "Every mentee on the roster has a mentor. :tada:")
        gateway.update_view(view_id, view)

    def report(gateway: SlackGateway, respond: Respond, team: str, me: str, program: int) -> None:
        now = deps.clock.now()
        built = build_report(deps.db, team, now, program)
        with deps.db.begin() as session:
            record(session, team, me, "report", {"format": "slack"}, now, program)
        lines = [f"• *{f.label}*: {shown(f)}" for f in built.figures]
        respond(
            response_type="ephemeral",
            text="Mentorship program report",
            blocks=report_blocks([("Impact so far", lines)]),
        )
        try:
            gateway.upload_to_dm(
                me,
                [
                    (
                        f"wins-and-meetings-{now:%Y-%m-%d}.png",
                        "Wins and meetings per week",
                        chart_png(built.weeks, built.meeting_weeks, built.credit_months),
                    )
                ],
                "The program's wins and meetings per week "
                "(weeks about fewer than five people show 0).",
            )
        except SlackApiError as exc:
            respond(
                response_type="ephemeral",
                text=f"I couldn't upload the chart: {in_words(exc)}.",
            )

    app.command("/program", middleware=[coordinator_only(deps)])(ack=answer, lazy=[after])
