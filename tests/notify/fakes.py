"""A scripted SMS gateway for dispatcher tests, and an outbox factory."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from market_app.notify.gateways import SendOutcome, SendResult, SmsGatewayError
from market_app.notify.outbox import queue_sms
from tests.conftest import FROZEN_NOW

RESIDENT_PHONE = "+821012345678"


@dataclass
class FakeGateway:
    """Sends succeed unless ``script[to]`` holds the next results; ``found`` answers find_sent."""

    name: str = "fake"
    script: dict[str, list[SendResult]] = field(default_factory=dict)
    found: dict[tuple[str, str], str] = field(default_factory=dict)
    lookup_fails: bool = False
    sent: list[tuple[str, str]] = field(default_factory=list)
    lookups: list[tuple[str, str, datetime]] = field(default_factory=list)

    def send(self, to: str, body: str) -> SendResult:
        self.sent.append((to, body))
        queued = self.script.get(to)
        if queued:
            return queued.pop(0)
        return SendResult(SendOutcome.SENT, provider_id=f"SMfake{len(self.sent):04d}", provider_status="queued")

    def find_sent(self, to: str, body: str, since: datetime) -> str | None:
        self.lookups.append((to, body, since))
        if self.lookup_fails:
            raise SmsGatewayError("provider unreachable")
        return self.found.get((to, body))


def outcome(kind: str, code: int | None = None) -> SendResult:
    return SendResult(kind, error_code=code, error_message=f"scripted {kind} {code or ''}".strip())


def queue(key: str = "test:1", to: str = RESIDENT_PHONE, body: str = "[망원시장] 주문이 확정됐어요",
          now: datetime = FROZEN_NOW, **fields):
    """Queue one message and commit, as the change that caused it would."""
    from market_app.extensions import db
    message = queue_sms(key=key, to=to, body=body, kind=fields.pop("kind", "test"), now=now, **fields)
    db.session.commit()
    return message
