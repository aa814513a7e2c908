"""Notify: the SMS outbox, opt-outs and provider status reports."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db_types import UTCDateTime
from ..extensions import db


class OutboxStatus:
    PENDING = "pending"      # due at next_attempt_at
    SENDING = "sending"      # claimed by a dispatcher; a crash leaves it here -> reconciled
    SENT = "sent"            # accepted by the provider
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    UNKNOWN = "unknown"      # the request may have gone out; check before resending
    DEAD = "dead"            # permanent failure or retries exhausted
    OPTED_OUT = "opted_out"
    SKIPPED = "skipped"      # the resident switched optional messages off
    LABELS = {PENDING: "대기", SENDING: "발송 중", SENT: "발송", DELIVERED: "수신 확인",
              UNDELIVERED: "미수신", UNKNOWN: "확인 필요", DEAD: "실패", OPTED_OUT: "수신거부",
              SKIPPED: "보내지 않음"}


class OutboxMessage(db.Model):
    __tablename__ = "sms_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    to_phone: Mapped[str] = mapped_column(String(20), index=True)
    body: Mapped[str] = mapped_column(Text)
    critical: Mapped[bool] = mapped_column(Boolean, default=True)
    market_id: Mapped[int | None] = mapped_column(ForeignKey("markets.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    provider_id: Mapped[str | None] = mapped_column(String(64), index=True)
    provider_status: Mapped[str | None] = mapped_column(String(20))
    error_code: Mapped[str | None] = mapped_column(String(20))
    error_message: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SmsOptOut(db.Model):
    __tablename__ = "sms_opt_outs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    source: Mapped[str] = mapped_column(String(20))  # inbound / provider_21610 / admin
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProviderStatusEvent(db.Model):
    """Seen (MessageSid, status) pairs, so a repeated callback changes nothing."""

    __tablename__ = "sms_status_events"
    __table_args__ = (UniqueConstraint("provider_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    error_code: Mapped[str | None] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
