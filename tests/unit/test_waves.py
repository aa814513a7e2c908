from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from market_app.delivery.waves import (
    CutoffFormatError,
    MarketClosed,
    UnknownWave,
    WaveClosed,
    WaveRules,
    check_wave_open,
    closed_reason,
    due_waves,
    find_wave,
    format_cutoffs,
    is_open_day,
    parse_cutoffs,
    public_holiday_name,
    upcoming_waves,
)

SEOUL = ZoneInfo("Asia/Seoul")
MONDAY = 0
RULES = WaveRules(
    cutoffs=[time(11), time(14), time(17)],
    preparation_minutes=30,
    window_minutes=120,
    closed_weekdays=frozenset({MONDAY}),
)


def seoul(*args: int) -> datetime:
    return datetime(*args, tzinfo=SEOUL)


def keys(waves) -> list[str]:
    return [w.key for w in waves]


def test_calendar_facts_used_below():
    """The dates these tests rely on are what we think they are."""
    assert date(2026, 11, 23).weekday() == MONDAY
    assert public_holiday_name(date(2026, 9, 25)) == "추석"
    assert public_holiday_name(date(2026, 9, 24)) == "추석 전날"
    assert public_holiday_name(date(2027, 1, 1)) is not None
    assert public_holiday_name(date(2026, 11, 24)) is None


def test_closed_reasons_in_korean():
    """Closed weekday and public holidays each give their reason; an ordinary day is open."""
    assert closed_reason(RULES, date(2026, 11, 23)) == "정기 휴무(월요일)"
    assert closed_reason(RULES, date(2026, 9, 25)) == "공휴일(추석)"
    assert closed_reason(RULES, date(2027, 1, 1)).startswith("공휴일(신정")
    assert closed_reason(RULES, date(2026, 11, 24)) is None
    assert is_open_day(RULES, date(2026, 11, 24))
    assert not is_open_day(RULES, date(2026, 11, 23))


def test_market_may_ignore_public_holidays():
    """Given a market that opens on holidays, Chuseok is an ordinary day."""
    rules = WaveRules([time(11)], 30, 120, frozenset({MONDAY}), observe_public_holidays=False)
    assert is_open_day(rules, date(2026, 9, 25))


def test_wave_times_and_label():
    """A 14:00 wave is planned at 14:30 and delivers 14:30–16:30, Seoul time."""
    wave = find_wave(RULES, date(2026, 11, 24), time(14))
    assert wave.cutoff == seoul(2026, 11, 24, 14, 0)
    assert wave.plan_at == seoul(2026, 11, 24, 14, 30)
    assert (wave.window_start, wave.window_end) == (seoul(2026, 11, 24, 14, 30), seoul(2026, 11, 24, 16, 30))
    assert wave.label == "14:00 마감 · 14:30–16:30 배송"
    assert wave.cutoff.utcoffset().total_seconds() == 9 * 3600
    assert wave.cutoff_time == time(14)


def test_upcoming_waves_start_with_todays_open_ones():
    """Given Tuesday 10:00, today's three waves come first, then Wednesday's first."""
    waves = upcoming_waves(RULES, seoul(2026, 11, 24, 10, 0))
    assert keys(waves) == ["2026-11-24@11:00", "2026-11-24@14:00", "2026-11-24@17:00", "2026-11-25@11:00"]


def test_cutoff_exactly_now_has_passed():
    """Given Tuesday 14:00:00 sharp, the 14:00 wave is no longer offered."""
    waves = upcoming_waves(RULES, seoul(2026, 11, 24, 14, 0), limit=2)
    assert keys(waves) == ["2026-11-24@17:00", "2026-11-25@11:00"]


def test_next_open_day_skips_closed_monday():
    """Given Sunday evening after the last cut-off, the next waves are Tuesday's, not Monday's."""
    waves = upcoming_waves(RULES, seoul(2026, 11, 22, 18, 0), limit=3)
    assert keys(waves) == ["2026-11-24@11:00", "2026-11-24@14:00", "2026-11-24@17:00"]


def test_next_open_day_skips_chuseok():
    """Given Wednesday evening before Chuseok (24–26 Sep 2026), the next waves are on the 27th."""
    waves = upcoming_waves(RULES, seoul(2026, 9, 23, 17, 30), limit=1)
    assert keys(waves) == ["2026-09-27@11:00"]


def test_now_in_another_zone_is_converted():
    """Given now in UTC (04:59 UTC = 13:59 KST), the 14:00 wave is still open."""
    waves = upcoming_waves(RULES, datetime(2026, 11, 24, 4, 59, tzinfo=timezone.utc), limit=1)
    assert keys(waves) == ["2026-11-24@14:00"]
    assert waves[0].cutoff.tzinfo == SEOUL


def test_naive_now_is_refused():
    """A naive datetime is ambiguous, so it is refused."""
    with pytest.raises(ValueError):
        upcoming_waves(RULES, datetime(2026, 11, 24, 10, 0))


def test_no_open_day_within_the_search_gives_no_waves():
    """Given a market closed every weekday, nothing is offered."""
    rules = WaveRules([time(11)], 30, 120, frozenset(range(7)))
    assert upcoming_waves(rules, seoul(2026, 11, 24, 10, 0)) == []


# --- checkout checks --------------------------------------------------------


def test_open_wave_passes_the_check():
    """Given 13:59, ordering for today's 14:00 wave is allowed."""
    wave = check_wave_open(RULES, date(2026, 11, 24), time(14), seoul(2026, 11, 24, 13, 59))
    assert wave.key == "2026-11-24@14:00"


def test_passed_wave_is_closed():
    """Given 14:00 sharp, the 14:00 wave refuses orders with code wave_closed."""
    with pytest.raises(WaveClosed) as error:
        check_wave_open(RULES, date(2026, 11, 24), time(14), seoul(2026, 11, 24, 14, 0))
    assert error.value.code == "wave_closed"
    assert "14:00 마감 회차는 이미 마감되었습니다" in str(error.value)


def test_wave_on_a_closed_day_is_market_closed():
    """Given Monday or Chuseok, the wave does not exist: market_closed with the reason."""
    with pytest.raises(MarketClosed) as error:
        check_wave_open(RULES, date(2026, 11, 23), time(11), seoul(2026, 11, 22, 9, 0))
    assert error.value.code == "market_closed"
    assert "정기 휴무(월요일)" in str(error.value)
    with pytest.raises(MarketClosed, match="공휴일\\(추석\\)"):
        find_wave(RULES, date(2026, 9, 25), time(11))


def test_cutoff_not_in_the_rules_is_unknown():
    """Given 12:00, which is no cut-off of this market, the wave is unknown."""
    with pytest.raises(UnknownWave) as error:
        check_wave_open(RULES, date(2026, 11, 24), time(12), seoul(2026, 11, 24, 9, 0))
    assert error.value.code == "unknown_wave"


def test_wave_beyond_the_booking_horizon_is_unknown():
    """Given a date more than 14 days ahead, the wave is not offered yet."""
    with pytest.raises(UnknownWave):
        check_wave_open(RULES, date(2026, 12, 15), time(11), seoul(2026, 11, 24, 9, 0))


# --- planning job -----------------------------------------------------------


def test_due_waves_are_those_whose_planning_time_has_come():
    """Given Tuesday 14:30 (Monday closed), the 11:00 and 14:00 waves are due."""
    assert keys(due_waves(RULES, seoul(2026, 11, 24, 14, 30))) == ["2026-11-24@11:00", "2026-11-24@14:00"]


def test_wave_is_not_due_before_preparation_ends():
    """Given 14:29, the 14:00 wave is still being prepared."""
    assert keys(due_waves(RULES, seoul(2026, 11, 24, 14, 29))) == ["2026-11-24@11:00"]


def test_due_waves_look_back_over_midnight():
    """Given Wednesday 00:10, yesterday's waves are still returned for a late run."""
    assert keys(due_waves(RULES, seoul(2026, 11, 25, 0, 10))) == [
        "2026-11-24@11:00",
        "2026-11-24@14:00",
        "2026-11-24@17:00",
    ]


# --- settings text ----------------------------------------------------------


def test_parse_cutoffs_reads_and_sorts():
    """Given cut-offs with spaces and out of order, they come back sorted."""
    assert parse_cutoffs(" 17:00, 11:00,14:00 ") == [time(11), time(14), time(17)]
    assert parse_cutoffs("9:30") == [time(9, 30)]
    assert format_cutoffs(parse_cutoffs("17:00,11:00")) == "11:00,17:00"


@pytest.mark.parametrize(
    "text, position, fragment",
    [
        ("", None, "하나 이상"),
        ("11:00,,17:00", 2, "2번째 마감 시각이 비어"),
        ("11:00,14시", 2, "'14시'"),
        ("11:00,24:00", 2, "없는 시각"),
        ("11:60", 1, "없는 시각"),
        ("11:00,11:00", 2, "이미 입력"),
        ("11:00;14:00", 1, "읽을 수 없습니다"),
    ],
)
def test_parse_cutoffs_says_which_item_is_wrong(text, position, fragment):
    """Given a bad list, the error names the item and its position."""
    with pytest.raises(CutoffFormatError) as error:
        parse_cutoffs(text)
    assert error.value.position == position
    assert fragment in str(error.value)


def test_rules_refuse_nonsense():
    """Rules without cut-offs, or with impossible weekdays, cannot be built."""
    with pytest.raises(ValueError):
        WaveRules([], 30, 120)
    with pytest.raises(ValueError):
        WaveRules([time(11)], 30, 120, frozenset({7}))
    with pytest.raises(ValueError):
        WaveRules([time(11), time(11)], 30, 120)
