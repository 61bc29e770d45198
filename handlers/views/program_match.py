"""The proposed-pairs modal: approve the ticked pairs, then introduce them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from sqlalchemy import select

from bot.blocks import state
from bot.blocks.program import MATCH_MODAL, notice_modal
from bot.deps import Deps
from bot.rules.payloads import whole_number
from bot.slack.gateway import SlackGateway
from bot.store.models import MatchProposal
from bot.usecases.matching import approve_matches
from bot.usecases.pairs import active_pair, introduce
from handlers.context import team_id
from handlers.coordinator_only import coordinator_only


def numbers(values: Iterable[object]) -> set[int]:
    return {n for n in map(whole_number, values) if n is not None}


def picks(view: dict[str, Any]) -> tuple[set[int], set[int], bool]:
    """(ticked proposal ids, listed proposal ids, 'approve the unlisted too' ticked)."""
    ticked: set[int] = set()
    listed: set[int] = set()
    for block in view.get("blocks") or []:
        if not isinstance(block, dict):
            continue
        block_id = str(block.get("block_id", ""))
        if block_id.startswith("pick_") and block_id != "pick_rest":
            # The blocks come back with the submission: read them as carefully as input.
            element = block.get("element") if isinstance(block.get("element"), dict) else {}
            options = element.get("options") if isinstance(element.get("options"), list) else []
            listed |= numbers(o.get("value") for o in options if isinstance(o, dict))
            ticked |= numbers(state.multi_selected(view, block_id))
    return ticked, listed, bool(state.multi_selected(view, "pick_rest"))


def register(app: App, deps: Deps) -> None:
    def approve(ack: Any, view: dict[str, Any], context: BoltContext) -> None:
        ticked, listed, rest = picks(view)
        done = approve_matches(
            deps.db,
            team_id=team_id(context),
            batch=str(view.get("private_metadata") or ""),
            chosen=ticked,
            listed=listed,
            approve_unlisted=rest,
            actor=str(context.user_id),
            now=deps.clock.now(),
        )
        text = f":handshake: Approved {len(done.pair_ids)} pair(s)"
        text += "; I'm introducing them in group DMs now." if done.pair_ids else "."
        if done.declined:
            text += f"\n{done.declined} left out."
        if done.skipped:
            text += "\nNo longer possible: " + "; ".join(done.skipped[:20])
        ack(response_action="update", view=notice_modal("Proposed pairs", text))

    def introduce_all(view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        gateway = SlackGateway(client)
        guard = deps.phi.for_team(deps.db, team_id(context))
        with deps.db.begin() as session:
            approved = session.scalars(
                select(MatchProposal).where(
                    MatchProposal.batch == str(view.get("private_metadata") or ""),
                    MatchProposal.status == "approved",
                )
            )
            pairs = [active_pair(session, p.mentor_id, p.mentee_id) for p in approved]
            ids = [p.id for p in pairs if p is not None and p.channel_id is None]
        for pair_id in ids:
            introduce(deps.db, gateway, pair_id, guard)

    app.view(MATCH_MODAL, middleware=[coordinator_only(deps)])(ack=approve, lazy=[introduce_all])
