"""Delivery waves: cut-offs, planning time, delivery windows, closed days (pure).

A wave is one cut-off on one open day. Orders placed before the cut-off go into
it; at cut-off + preparation the planning job routes them, and couriers deliver
within the window that starts then. A cut-off exactly at `now` has passed.

All datetimes returned are timezone-aware in the rules' zone (Asia/Seoul);
`now` may be given in any zone and is converted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

SEOUL = "Asia/Seoul"
SEARCH_DAYS_AHEAD = 14
KOREAN_WEEKDAYS = ("월요일", "화요일", "수요일", "목요일", "금요일", "토요일", "일요일")


@dataclass(frozen=True)
class WaveRules:
    cutoffs: Sequence[time]  # stored sorted, as a tuple
    preparation_minutes: int
    window_minutes: int
    closed_weekdays: frozenset[int] = field(default_factory=frozenset)
    observe_public_holidays: bool = True
    tz: str = SEOUL

    def __post_init__(self) -> None:
        cutoffs = tuple(sorted(self.cutoffs))
        if not cutoffs:
            raise ValueError("at least one cut-off time is required")
        if len(set(cutoffs)) != len(cutoffs):
            raise ValueError("cut-off times must be unique")
        if any(t.tzinfo is not None for t in cutoffs):
            raise ValueError("cut-off times are wall-clock times without tzinfo")
        if self.preparation_minutes < 0:
            raise ValueError("preparation_minutes must be >= 0")
        if self.window_minutes <= 0:
            raise ValueError("window_minutes must be > 0")
        if not all(0 <= d <= 6 for d in self.closed_weekdays):
            raise ValueError("closed_weekdays are Python weekdays 0 (Monday) to 6 (Sunday)")
        ZoneInfo(self.tz)  # fail early on an unknown zone
        object.__setattr__(self, "cutoffs", cutoffs)
        object.__setattr__(self, "closed_weekdays", frozenset(self.closed_weekdays))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)


@dataclass(frozen=True)
class Wave:
    date: date
    cutoff: datetime
    plan_at: datetime
    window_start: datetime
    window_end: datetime
    label: str

    @property
    def cutoff_time(self) -> time:
        return self.cutoff.timetz().replace(tzinfo=None)

    @property
    def key(self) -> str:
        """Stable name, e.g. "2026-11-24@14:00" (idempotency keys, logs)."""
        return f"{self.date.isoformat()}@{self.cutoff:%H:%M}"


class WaveError(Exception):
    """Base for wave errors; `str(error)` is a Korean message for the resident."""

    code = "wave_error"


class WaveClosed(WaveError):
    code = "wave_closed"


class MarketClosed(WaveError):
    code = "market_closed"


class UnknownWave(WaveError):
    code = "unknown_wave"


# --- calendar ---------------------------------------------------------------


@lru_cache(maxsize=16)
def _korean_holidays(year: int) -> holidays.HolidayBase:
    return holidays.KR(years=year, language="ko")


def public_holiday_name(day: date) -> str | None:
    """Korean name of a public holiday in South Korea, e.g. "추석", else None."""
    return _korean_holidays(day.year).get(day)


def closed_reason(rules: WaveRules, day: date) -> str | None:
    """Why the market does not deliver that day, in Korean, or None if open."""
    if day.weekday() in rules.closed_weekdays:
        return f"정기 휴무({KOREAN_WEEKDAYS[day.weekday()]})"
    if rules.observe_public_holidays:
        name = public_holiday_name(day)
        if name:
            return f"공휴일({name})"
    return None


def is_open_day(rules: WaveRules, day: date) -> bool:
    return closed_reason(rules, day) is None


# --- waves ------------------------------------------------------------------


def _to_local(rules: WaveRules, now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(rules.zone)


def _build_wave(rules: WaveRules, day: date, cutoff_time: time) -> Wave:
    cutoff = datetime.combine(day, cutoff_time, tzinfo=rules.zone)
    plan_at = cutoff + timedelta(minutes=rules.preparation_minutes)
    window_end = plan_at + timedelta(minutes=rules.window_minutes)
    label = f"{cutoff:%H:%M} 마감 · {plan_at:%H:%M}–{window_end:%H:%M} 배송"
    return Wave(day, cutoff, plan_at, plan_at, window_end, label)


def _waves_of_day(rules: WaveRules, day: date) -> list[Wave]:
    if not is_open_day(rules, day):
        return []
    return [_build_wave(rules, day, t) for t in rules.cutoffs]


def upcoming_waves(rules: WaveRules, now: datetime, limit: int = 4) -> list[Wave]:
    """The next `limit` waves still open for orders, today first, then the next open days."""
    local_now = _to_local(rules, now)
    found: list[Wave] = []
    for offset in range(SEARCH_DAYS_AHEAD + 1):
        day = local_now.date() + timedelta(days=offset)
        for wave in _waves_of_day(rules, day):
            if wave.cutoff > local_now:
                found.append(wave)
                if len(found) >= limit:
                    return found
    return found


def find_wave(rules: WaveRules, day: date, cutoff_time: time) -> Wave:
    """The wave at `cutoff_time` on `day`; UnknownWave or MarketClosed if there is none."""
    wall_time = cutoff_time.replace(tzinfo=None)
    if wall_time not in rules.cutoffs:
        raise UnknownWave("선택할 수 없는 배송 회차입니다. 다른 회차를 선택해 주세요.")
    reason = closed_reason(rules, day)
    if reason:
        raise MarketClosed(f"{day.month}월 {day.day}일은 시장이 쉬는 날입니다. ({reason})")
    return _build_wave(rules, day, wall_time)


def check_wave_open(rules: WaveRules, wave_date: date, cutoff_time: time, now: datetime) -> Wave:
    """The wave if it still takes orders at `now`, else WaveClosed/MarketClosed/UnknownWave.

    Waves further ahead than upcoming_waves searches are not offered, so they are unknown.
    """
    local_now = _to_local(rules, now)
    if wave_date > local_now.date() + timedelta(days=SEARCH_DAYS_AHEAD):
        raise UnknownWave("아직 주문을 받지 않는 배송 회차입니다. 가까운 회차를 선택해 주세요.")
    wave = find_wave(rules, wave_date, cutoff_time)
    if wave.cutoff <= local_now:
        raise WaveClosed(
            f"{wave.cutoff:%H:%M} 마감 회차는 이미 마감되었습니다. 다른 배송 회차를 선택해 주세요."
        )
    return wave


def due_waves(rules: WaveRules, now: datetime, lookback_days: int = 1) -> list[Wave]:
    """Waves of the last `lookback_days` days and today whose planning time has come.

    The planning job calls this on every run and skips waves it already planned,
    so the lookback lets it catch up after downtime around midnight.
    """
    local_now = _to_local(rules, now)
    due: list[Wave] = []
    for offset in range(lookback_days, -1, -1):
        day = local_now.date() - timedelta(days=offset)
        due.extend(w for w in _waves_of_day(rules, day) if w.plan_at <= local_now)
    return due


# --- settings text ----------------------------------------------------------

_CUTOFF_PATTERN = re.compile(r"^(\d{1,2}):(\d{2})$")


class CutoffFormatError(ValueError):
    """A cut-off list that cannot be read; the message says which item and why (Korean)."""

    def __init__(self, message: str, position: int | None = None, item: str | None = None):
        self.position = position
        self.item = item
        super().__init__(message)


def parse_cutoffs(text: str) -> list[time]:
    """Read "11:00,14:00,17:00" as [time(11), time(14), time(17)], sorted."""
    example = "예: 11:00,14:00,17:00"
    if not text or not text.strip():
        raise CutoffFormatError(f"마감 시각을 하나 이상 입력해 주세요 ({example}).")
    cutoffs: list[time] = []
    for position, raw in enumerate(text.split(","), start=1):
        item = raw.strip()
        if not item:
            raise CutoffFormatError(f"{position}번째 마감 시각이 비어 있습니다 ({example}).", position, item)
        match = _CUTOFF_PATTERN.match(item)
        if not match:
            raise CutoffFormatError(
                f"{position}번째 마감 시각 '{item}'을(를) 읽을 수 없습니다. HH:MM 형식으로 입력해 주세요.",
                position,
                item,
            )
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour > 23 or minute > 59:
            raise CutoffFormatError(
                f"{position}번째 마감 시각 '{item}'은(는) 없는 시각입니다 (00:00–23:59).",
                position,
                item,
            )
        cutoff = time(hour, minute)
        if cutoff in cutoffs:
            raise CutoffFormatError(
                f"{position}번째 마감 시각 '{item}'이(가) 이미 입력되어 있습니다.", position, item
            )
        cutoffs.append(cutoff)
    return sorted(cutoffs)


def format_cutoffs(cutoffs: Sequence[time]) -> str:
    """The inverse of parse_cutoffs: [time(11), time(14)] -> "11:00,14:00"."""
    return ",".join(f"{t:%H:%M}" for t in sorted(cutoffs))
