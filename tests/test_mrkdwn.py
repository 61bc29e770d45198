"""Slack message markup read as plain text."""

from __future__ import annotations

import pytest

from bot.rules.mrkdwn import mentioned_users, plain_text

NAMES = {"U1": "Ada Tech"}


@pytest.mark.parametrize(
    ("markup", "plain"),
    [
        ("thanks <@U1>!", "thanks @Ada Tech!"),
        ("thanks <@U1|ada>", "thanks @Ada Tech"),
        ("thanks <@U2|grace>", "thanks @grace"),
        ("thanks <@W2>", "thanks @W2"),
        ("in <#C1|qc-team>", "in #qc-team"),
        ("in <#C1>", "in #C1"),
        ("<!here> and <!channel>", "@here and @channel"),
        ("<!subteam^S1|@lab-leads> done", "@lab-leads done"),
        ("<!date^1392734382^{date}|Feb 18, 2014>", "Feb 18, 2014"),
        ("<https://x.org/sop|the SOP>", "the SOP (https://x.org/sop)"),
        ("<https://x.org/sop>", "https://x.org/sop"),
        ("<mailto:qa@lab.org|qa@lab.org>", "qa@lab.org"),
        ("5 &lt; 10 &gt; 2 &amp; &amp;lt;", "5 < 10 > 2 & &lt;"),
        ("no markup at all", "no markup at all"),
    ],
)
def test_plain_text(markup: str, plain: str) -> None:
    assert plain_text(markup, NAMES) == plain


def test_mentioned_users_are_listed_once_in_order() -> None:
    assert mentioned_users("<@U2> <@U1|ada> <@U2> <#C1> <@W3>") == ["U2", "U1", "W3"]
