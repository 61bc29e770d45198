"""The credential and CE-credit forms' submissions."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.blocks import state
from bot.blocks.credentials import CREDENTIAL_MODAL, CREDIT_MODAL
from bot.blocks.program import notice_modal
from bot.deps import Deps
from bot.rules.credentials import parse_points, points_text
from bot.rules.localtime import local_date
from bot.rules.payloads import whole_number
from bot.usecases.credentials import (
    Problems,
    add_credit,
    check_credit_fields,
    own_credit,
    save_credential,
    update_credit,
)
from handlers.context import current_member


def register(app: App, deps: Deps) -> None:
    catalog = deps.settings.credential_catalog

    def save_credential_form(
        ack: Any, view: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        member = current_member(deps, client, context)
        saved = save_credential(
            deps.db,
            catalog,
            team_id=member.team_id,
            member_id=member.id,
            tz=member.tz,
            code=state.selected(view, "code"),
            number=state.text(view, "number"),
            cycle_end=state.picked_date(view, "cycle_end"),
            now=deps.clock.now(),
            guard=deps.phi.for_team(deps.db, member.team_id),
        )
        if isinstance(saved, Problems):
            ack(response_action="errors", errors=saved.errors)
            return
        kind = catalog.get(saved.code)
        assert kind is not None
        ack(
            response_action="update",
            view=notice_modal(
                "Credential saved",
                f":white_check_mark: {kind.name}, cycle ending {saved.cycle_end:%B %d, %Y}. "
                "See what you have and still owe with `/mentor credentials`.",
            ),
        )

    def save_credit_form(
        ack: Any, view: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        member = current_member(deps, client, context)
        now = deps.clock.now()
        today = local_date(now, member.tz)
        meta = state.metadata(view)
        credit_id = whole_number(meta.get("credit"))  # ours, but read back from a request
        has_title = any(b.get("block_id") == "title" for b in view.get("blocks", []))
        title = state.text(view, "title") if has_title or credit_id is None else None
        points_typed = state.text(view, "points")
        points = parse_points(points_typed)
        areas = state.multi_selected(view, "areas")
        provider = state.text(view, "provider")
        earned_on = state.picked_date(view, "earned_on") or today
        errors = check_credit_fields(
            title=title,
            provider=provider,
            points=points,
            points_text=points_typed or "?",
            areas=areas,
            earned_on=earned_on,
            today=today,
            catalog=catalog,
            guard=deps.phi.for_team(deps.db, member.team_id),
        )
        if errors:
            ack(response_action="errors", errors=errors)
            return
        assert points is not None and not isinstance(earned_on, str)
        if credit_id is not None:
            with deps.db.begin() as session:
                mine = own_credit(session, member.id, credit_id) is not None
            changed = mine and update_credit(
                deps.db,
                member_id=member.id,
                credit_id=credit_id,
                title=title,
                provider=provider,
                earned_on=earned_on,
                points=points,
                areas=areas,
            )
            if not changed:
                ack(response_action="errors", errors={"points": "That credit is no longer there."})
                return
        else:
            with deps.db.begin() as session:
                add_credit(
                    session,
                    team_id=member.team_id,
                    member_id=member.id,
                    title=title or "",
                    provider=provider,
                    earned_on=earned_on,
                    points=points,
                    areas=areas,
                    now=now,
                )
        ack(
            response_action="update",
            view=notice_modal(
                "CE credit saved",
                f":white_check_mark: {points_text(points)} point(s) on {earned_on:%B %d, %Y}. "
                "See your credentials with `/mentor credentials`.",
            ),
        )

    app.view(CREDENTIAL_MODAL)(save_credential_form)
    app.view(CREDIT_MODAL)(save_credit_form)
