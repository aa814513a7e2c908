"""Signed, expiring links to a courier's route page (the credential in the courier's SMS).

The token carries the route id and the plan revision that built the route; it is signed
with the app secret (itsdangerous), so a courier cannot edit it to open another route, and
it expires after ROUTE_LINK_MAX_AGE_HOURS. Pure: no Flask, no database.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer

SALT = "route-link"


class RouteLinkError(Exception):
    """A link that does not open a route; `str()` is the Korean message for the courier."""


class RouteLinkExpired(RouteLinkError):
    pass


class RouteLinkInvalid(RouteLinkError):
    pass


@dataclass(frozen=True)
class RouteLinkClaims:
    route_id: int
    revision: int


class _SignerAt(TimestampSigner):
    """Signs with the given time instead of the wall clock, so the app's `now` decides expiry."""

    def __init__(self, secret: str, timestamp: int):
        super().__init__(secret, salt=SALT)
        self._timestamp = timestamp

    def get_timestamp(self) -> int:
        return self._timestamp


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=SALT)


def make_route_token(route_id: int, revision: int, secret: str, now: datetime) -> str:
    """A token for the route page; the expiry counts from `now`."""
    payload = _serializer(secret).dump_payload({"r": route_id, "v": revision})
    return _SignerAt(secret, int(now.timestamp())).sign(payload).decode("ascii")


def read_route_token(token: str, secret: str, max_age_hours: int, now: datetime) -> RouteLinkClaims:
    """The route id and revision in a valid token; RouteLinkExpired / RouteLinkInvalid otherwise."""
    signer = TimestampSigner(secret, salt=SALT)
    try:
        payload, signed_at = signer.unsign(token.encode("ascii"), return_timestamp=True)
        data = _serializer(secret).load_payload(payload)
        claims = RouteLinkClaims(route_id=int(data["r"]), revision=int(data["v"]))
    except (BadSignature, UnicodeEncodeError, KeyError, TypeError, ValueError):
        raise RouteLinkInvalid("잘못된 배송 경로 링크입니다. 문자로 받은 링크를 다시 확인해 주세요.") from None
    age_seconds = now.timestamp() - signed_at.timestamp()
    if age_seconds > max_age_hours * 3600 or age_seconds < -300:
        raise RouteLinkExpired("배송 경로 링크의 사용 기간이 지났습니다. 배송센터에 새 링크를 요청해 주세요.")
    return claims
