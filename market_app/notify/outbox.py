"""Queue an SMS in the caller's transaction. The unique idempotency key makes queuing the same
event twice a no-op, so a rerun job or a retried request never texts anyone twice."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from .models import OutboxMessage, OutboxStatus
from .sms_text import check_carrier_safe


def queue_sms(*, key: str, to: str, body: str, kind: str, now: datetime, critical: bool = True,
              market_id: int | None = None, order_id: int | None = None) -> OutboxMessage | None:
    """Add the message to the outbox unless a row with this key exists; returns the new row or None.

    Runs inside the caller's transaction: if the change that causes the message rolls back, so does
    the message. A concurrent duplicate is caught by the unique key (savepoint), not by the caller."""
    check_carrier_safe(body)
    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)):
        return None
    message = OutboxMessage(idempotency_key=key, kind=kind, to_phone=to, body=body, critical=critical,
                            market_id=market_id, order_id=order_id, status=OutboxStatus.PENDING,
                            attempts=0, next_attempt_at=now, created_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        return None  # another transaction queued the same event first
    return message
