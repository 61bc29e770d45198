"""Message shortcut "Log as a win": any message becomes a win for the person who used it."""

from __future__ import annotations

from typing import Any

from tests.conftest import Running
from tests.scenario import block, open_modal, stored_wins

THANKS = {
    "type": "message",
    "user": "U200",
    "ts": "1700000123.000200",
    "text": "Huge thanks <@U100> for catching the mislabeled tubes &amp; calling the floor!",
}


def shortcut(bench: Running, message: dict[str, Any], user: str = "U100") -> dict[str, Any]:
    reply = bench.client.message_shortcut("log_message_as_win", message, user=user)
    assert reply.status == 200
    return open_modal(bench)


def test_shortcut_opens_the_form_with_the_message_and_keeps_a_link(bench: Running) -> None:
    view = shortcut(bench, THANKS)

    assert view["callback_id"] == "win_modal"
    assert block(view, "text")["element"]["initial_value"] == (
        "Huge thanks @Ada Tech for catching the mislabeled tubes & calling the floor!"
    )
    [link] = bench.slack.sent("chat.getPermalink")
    assert (link.args["channel"], link.args["message_ts"]) == ("C0GENERAL", "1700000123.000200")

    answer = bench.client.submit(view, {"category": "networking"}).json()

    assert answer["response_action"] == "update"
    [win] = stored_wins(bench)
    assert win.source == "shortcut"
    assert win.text.startswith("Huge thanks @Ada Tech")
    assert win.category == "networking"
    assert win.permalink == "https://lab.slack.com/archives/C0GENERAL/p1700000123000200"


def test_a_list_in_a_message_stays_one_win(bench: Running) -> None:
    view = shortcut(bench, {**THANKS, "text": "- fixed the centrifuge\n- ran QC"})
    bench.client.submit(view, {})
    [win] = stored_wins(bench)
    assert win.text == "- fixed the centrifuge\n- ran QC"


def test_links_channels_and_mentions_read_as_plain_text(bench: Running) -> None:
    text = (
        "<!here> see <https://lab.example.org/sop|the new SOP> in <#C0QC|qc-team>, "
        "thanks <@U200|grace> and <@U999>: 5 &lt; 10 &gt; 2"
    )
    view = shortcut(bench, {**THANKS, "text": text})
    assert block(view, "text")["element"]["initial_value"] == (
        "@here see the new SOP (https://lab.example.org/sop) in #qc-team, "
        "thanks @Grace Lead and @U999: 5 < 10 > 2"
    )


def test_a_message_with_patient_data_is_warned_about(bench: Running) -> None:
    view = shortcut(bench, {**THANKS, "text": "Thanks for the redraw on MRN 00123456"})
    answer = bench.client.submit(view, {}).json()
    assert answer["response_action"] == "update" and "phi_ack" in str(answer["view"])
    assert stored_wins(bench) == []

    bench.client.submit(answer["view"], {"phi_ack": True})
    [win] = stored_wins(bench)
    assert (win.source, win.is_private, win.shared_with_mentor) == ("shortcut", True, False)
    assert win.permalink is not None


def test_an_over_long_message_is_cut_to_fit_the_form(bench: Running) -> None:
    view = shortcut(bench, {**THANKS, "text": "thanks " * 600})
    assert len(block(view, "text")["element"]["initial_value"]) == 3000


def test_without_a_permalink_the_win_is_still_logged(bench: Running) -> None:
    bench.slack.fail("chat.getPermalink", "message_not_found")
    bench.client.submit(shortcut(bench, THANKS), {})
    [win] = stored_wins(bench)
    assert (win.source, win.permalink) == ("shortcut", None)
