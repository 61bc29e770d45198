"""The pure credential rules: the catalog and its checks, cycles, counting credits once
and inside the cycle, which reminder is due, and CE detection in a win's words."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import ConfigError, load_settings
from bot.rules.credentials import (
    BUILTIN_CATALOG,
    CatalogError,
    Credit,
    allocate,
    cycle_start,
    detect_ce,
    load_catalog,
    parse_catalog,
    reminder_due,
    status,
)
from bot.rules.schedule import PromptPrefs

ROOT = Path(__file__).resolve().parents[1]
STATE_EXAMPLE = ROOT / "docs" / "credential-catalog.example.json"


def test_builtin_catalog_has_the_ascp_credentials_each_with_its_source() -> None:
    catalog = load_catalog()
    assert {"MLS", "MLT", "PBT", "SBB", "SC", "SH", "SM"} <= set(catalog.kinds)
    mls = catalog.get("MLS")
    assert mls is not None and mls.total == 36 and mls.cycle_years == 3
    assert {a.key: a.min for a in mls.areas} == {
        "safety": 1,
        "ethics": 1,
        "blood_bank": 2,
        "chemistry": 2,
        "hematology": 2,
        "microbiology": 2,
    }
    raw = json.loads(BUILTIN_CATALOG.read_text())
    for entry in raw["credentials"]:
        source = entry["source"]
        assert source["document"] and source["url"] and source["retrieved"]
        assert "not_confirmed" in source  # says what the stored sources did not confirm


def test_the_state_licence_example_in_docs_loads() -> None:
    catalog = load_catalog(STATE_EXAMPLE)
    licence = next(k for k in catalog.kinds.values() if k.unit == "hours")
    assert licence.cycle_years == 2 and licence.areas


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        ({"name": "x"}, 'needs a "code"'),
        ({"code": "CA-CLS", "name": "x", "cycle_years": 0}, '"cycle_years"'),
        ({"code": "CA-CLS", "name": "x", "cycle_years": 2, "total": -1}, '"total"'),
        (
            {
                "code": "CA-CLS",
                "name": "x",
                "cycle_years": 2,
                "total": 2,
                "areas": [{"key": "hiv", "name": "HIV", "min": 3}],
                "source": "s",
            },
            "add up to more",
        ),
        ({"code": "CA-CLS", "name": "x", "cycle_years": 2, "total": 24}, '"source"'),
    ],
)
def test_a_bad_catalog_entry_is_named(entry: dict, says: str) -> None:
    with pytest.raises(CatalogError, match=says):
        parse_catalog({"credentials": [entry]}, "extra.json")


def test_a_bad_catalog_file_stops_start_up_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "state.json"
    bad.write_text("{not json")
    with pytest.raises(ConfigError) as raised:
        load_settings({"BENCHMATE_CREDENTIAL_CATALOG": str(bad)}, env_file=None)
    message = str(raised.value)
    assert message.startswith("BENCHMATE_CREDENTIAL_CATALOG:") and "\n" not in message
    with pytest.raises(ConfigError, match="cannot be read"):
        load_settings({"BENCHMATE_CREDENTIAL_CATALOG": str(tmp_path / "nope.json")}, env_file=None)
    settings = load_settings({"BENCHMATE_CREDENTIAL_CATALOG": str(STATE_EXAMPLE)}, env_file=None)
    assert len(settings.credential_catalog.kinds) > len(load_catalog().kinds)


def test_cycle_is_three_years_to_the_end_date() -> None:
    assert cycle_start(date(2029, 6, 30), 3) == date(2026, 7, 1)


def mls_status(credits: list[Credit], today: date = date(2027, 1, 1)):  # type: ignore[no-untyped-def]
    kind = load_catalog().get("MLS")
    assert kind is not None
    return status(kind, date(2029, 6, 30), credits, today)


def test_credits_count_inside_the_cycle_and_once() -> None:
    inside = Credit(1, date(2026, 7, 1), 2.0, {"blood_bank": 1.0, "safety": 1.0})
    before = Credit(2, date(2026, 6, 30), 5.0, {"chemistry": 5.0})
    after = Credit(3, date(2029, 7, 1), 5.0, {"chemistry": 5.0})
    got = mls_status([inside, before, after, inside])
    assert got.earned == 2.0
    assert got.earned_by_area["blood_bank"] == 1.0 and got.earned_by_area["chemistry"] == 0.0
    assert got.owed_by_area["blood_bank"] == 1.0 and got.owed_by_area["safety"] == 0.0
    assert got.owed == 34.0 and not got.met


def test_an_allocation_over_the_points_is_scaled_down() -> None:
    greedy = Credit(1, date(2027, 1, 1), 1.0, {"blood_bank": 2.0, "chemistry": 2.0})
    got = mls_status([greedy])
    assert got.earned_by_area["blood_bank"] + got.earned_by_area["chemistry"] <= 1.0


@given(
    st.floats(min_value=0.25, max_value=500, allow_nan=False),
    st.lists(st.sampled_from(["safety", "ethics", "chemistry", "hematology"]), max_size=6),
)
def test_allocate_never_exceeds_the_points(points: float, areas: list[str]) -> None:
    split = allocate(points, areas)
    assert sum(split.values()) <= points + 1e-9
    assert all(v >= 0 for v in split.values())


def test_met_when_total_and_every_area_are_earned() -> None:
    areas = {"safety": 1, "ethics": 1, "blood_bank": 2, "chemistry": 2, "hematology": 2}
    credits = [
        Credit(i, date(2027, 1, 1), float(p), {k: float(p)})
        for i, (k, p) in enumerate(areas.items())
    ]
    credits.append(Credit(99, date(2027, 2, 1), 28.0, {}))
    got = mls_status(credits)
    assert got.earned == 36 and got.owed == 2.0  # microbiology still owed
    credits.append(Credit(100, date(2027, 3, 1), 2.0, {"microbiology": 2.0}))
    assert mls_status(credits).met


PREFS = PromptPrefs(tz="America/Chicago", at=time(14, 0), quiet_start=None, quiet_end=None)


def test_reminders_at_12_6_3_1_months_at_prompt_time() -> None:
    end = date(2029, 6, 30)
    assert reminder_due(end, datetime(2028, 6, 29, 23, 0, tzinfo=UTC), PREFS) is None
    # 14:00 in Chicago (CDT) is 19:00 UTC.
    assert reminder_due(end, datetime(2028, 6, 30, 18, 59, tzinfo=UTC), PREFS) is None
    due = reminder_due(end, datetime(2028, 6, 30, 19, 0, tzinfo=UTC), PREFS)
    assert due is not None and due.period_suffix == "12m"
    assert reminder_due(end, datetime(2029, 1, 1, tzinfo=UTC), PREFS).period_suffix == "6m"  # type: ignore[union-attr]
    assert reminder_due(end, datetime(2029, 4, 1, tzinfo=UTC), PREFS).period_suffix == "3m"  # type: ignore[union-attr]
    assert reminder_due(end, datetime(2029, 6, 1, tzinfo=UTC), PREFS).period_suffix == "1m"  # type: ignore[union-attr]
    assert reminder_due(end, datetime(2029, 7, 2, tzinfo=UTC), PREFS) is None  # ended


def test_reminder_waits_for_the_end_of_quiet_hours() -> None:
    quiet = PromptPrefs(
        tz="America/Chicago", at=time(3, 0), quiet_start=time(22, 0), quiet_end=time(7, 0)
    )
    end = date(2029, 6, 30)
    assert reminder_due(end, datetime(2028, 6, 30, 9, 0, tzinfo=UTC), quiet) is None  # 04:00
    assert reminder_due(end, datetime(2028, 6, 30, 12, 0, tzinfo=UTC), quiet) is not None  # 07:00


@pytest.mark.parametrize(
    ("text", "points", "areas"),
    [
        ("finished the 2-hour blood bank safety course (P.A.C.E.)", 2.0, ("safety", "blood_bank")),
        ("attended a webinar on coagulation, 1.5 contact hours", 1.5, ("hematology",)),
        ("earned 0.3 CEU in molecular diagnostics", 3.0, ("molecular",)),
        ("presented at the regional microbiology conference", 1.0, ("microbiology",)),
    ],
)
def test_ce_in_a_wins_words(text: str, points: float, areas: tuple[str, ...]) -> None:
    found = detect_ce(text)
    assert found is not None and found.points == points and found.areas == areas


@pytest.mark.parametrize(
    "text",
    [
        "caught a mislabeled specimen before release",
        "cut TAT for troponin by 12 minutes",
        "ran 2 hours of QC",
    ],
)
def test_ordinary_wins_are_not_ce(text: str) -> None:
    assert detect_ce(text) is None
