"""The one place that reads the wall clock; everything else takes `now`."""
from datetime import datetime
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")


def now() -> datetime:
    return datetime.now(SEOUL)


def to_seoul(value: datetime) -> datetime:
    return value.astimezone(SEOUL)
