"""Credential buttons: add a credential, add (or edit) a credit, record a win as CE."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks import credentials as blocks
from bot.deps import Deps
from bot.rules.credentials import clean_allocation, from_json
from bot.rules.localtime import local_date
from bot.usecases.credentials import own_credit, record_win_credit
from handlers.actions.wins import keys
from handlers.context import ack_only, action_number, current_member
from handlers.reply import open_or_explain, tell


def register(app: App, deps: Deps) -> None:
    catalog = deps.settings.credential_catalog

    def add_credential(
        body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        open_or_explain(body, respond, client, blocks.credential_modal(catalog))

    def add_credit(
        body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        member = current_member(deps, client, context)
        today = local_date(deps.clock.now(), member.tz)
        open_or_explain(
            body, respond, client, blocks.credit_modal(catalog.area_names(), today=today)
        )

    def edit_credit(
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        respond: Respond,
    ) -> None:
        member = current_member(deps, client, context)
        today = local_date(deps.clock.now(), member.tz)
        with deps.db.begin() as session:
            credit = own_credit(session, member.id, action_number(action))
            if credit is None:
                view = None
            else:
                view = blocks.credit_modal(
                    catalog.area_names(),
                    today=today,
                    credit_id=credit.id,
                    title=None if credit.win_id is not None else credit.title,
                    provider=credit.provider,
                    points=credit.points,
                    areas=list(clean_allocation(credit.points, from_json(credit.allocation))),
                    earned_on=credit.earned_on,
                )
        if view is None:
            tell(body, respond, client, "I can't find that credit among yours.")
            return
        open_or_explain(body, respond, client, view)

    def record(
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        respond: Respond,
    ) -> None:
        member = current_member(deps, client, context)
        win_keys = keys(str(action.get("value") or ""))
        done = (
            record_win_credit(
                deps.db, member_id=member.id, win_key=win_keys[0], now=deps.clock.now()
            )
            if win_keys
            else None
        )
        if done is None:
            tell(
                body, respond, client, "I can't find that win among yours; it may have been undone."
            )
            return
        text = blocks.recorded_text(
            done.points, done.areas, catalog.area_names(), already=done.already
        )
        respond(
            response_type="ephemeral",
            replace_original=False,
            blocks=blocks.recorded_blocks(done.credit_id, text),
            text=text,
        )

    app.action(blocks.ADD_CREDENTIAL)(ack=ack_only, lazy=[add_credential])
    app.action(blocks.ADD_CREDIT)(ack=ack_only, lazy=[add_credit])
    app.action(blocks.EDIT_CREDIT)(ack=ack_only, lazy=[edit_credit])
    app.action(blocks.RECORD_FROM_WIN)(ack=ack_only, lazy=[record])
