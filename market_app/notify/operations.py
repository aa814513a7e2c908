"""Sending the outbox, and everything that changes a message after it was queued.

The dispatcher, per run:

1. claim: up to ``batch_size`` due `pending` rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
   several workers never take the same row) become `sending` with ``claimed_at`` and one more
   attempt, in one statement that is COMMITTED before the gateway is called;
2. send each row through the gateway;
3. record each outcome (provider id, status, error) in its own small transaction.

A dispatcher killed between 2 and 3 leaves a `sending` row. A later run treats `sending` rows
older than ``stale_after`` as `unknown`, and an `unknown` row is never resent blindly: the
provider is asked first (``find_sent``): found -> `sent` with that id, not found -> `pending`.
A worker sends its claimed rows only within ``send_window`` of the claim and hands the rest
back, so no row it may still send is ever taken for stale; every write after the claim is
conditional on the row still being `sending` with this worker's claim time, so a worker that
lost a row changes nothing. The run holds one database connection throughout (a commit per
recorded row, no pool round trip each time).
"""
from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import Conflict, NotFound
from ..extensions import db
from .gateways import SendOutcome, SendResult, SmsGateway, SmsGatewayError, backoff_seconds, make_gateway
from .models import OutboxMessage, OutboxStatus, ProviderStatusEvent, SmsOptOut
from .provider_status import DELIVERED, NOT_DELIVERED, moves_forward

log = logging.getLogger(__name__)

OPTED_OUT_ERROR = "21610"
STALE_MARGIN = timedelta(seconds=10)
# Statuses the market admin sees in the problem list, with a retry button.
PROBLEM_STATUSES = (OutboxStatus.DEAD, OutboxStatus.UNKNOWN, OutboxStatus.UNDELIVERED)


@dataclass(frozen=True)
class DispatchSettings:
    batch_size: int = 50
    max_attempts: int = 6
    # A `sending` row older than this was left by a dispatcher that died mid-send.
    stale_after: timedelta = timedelta(seconds=50)
    # Sends start at most this long after the claim. A send lasts at most about two timeouts
    # (connect, then read), so send_window + 2 x timeout stays below stale_after.
    send_window: timedelta = timedelta(seconds=20)

    @classmethod
    def from_config(cls, config) -> DispatchSettings:
        timeout = timedelta(seconds=float(config.get("TWILIO_TIMEOUT") or 10.0))
        return cls(batch_size=int(config.get("SMS_BATCH_SIZE") or 50),
                   max_attempts=int(config.get("SMS_MAX_ATTEMPTS") or 6),
                   stale_after=4 * timeout + STALE_MARGIN, send_window=2 * timeout)


@dataclass
class DispatchReport:
    """What one dispatcher run did (printed by the worker, asserted by tests)."""

    sent: int = 0
    retry_later: int = 0
    dead: int = 0
    opted_out: int = 0
    unknown: int = 0
    stale: int = 0
    reconciled_found: int = 0
    reconciled_resend: int = 0
    handed_back: int = 0
    provider_ids: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{value} {name.replace('_', ' ')}" for name, value in vars(self).items()
                 if isinstance(value, int) and value]
        return ", ".join(parts) or "nothing due"

    @property
    def handled(self) -> int:
        return (self.sent + self.retry_later + self.dead + self.opted_out + self.unknown + self.stale
                + self.reconciled_found + self.reconciled_resend + self.handed_back)


@dataclass(frozen=True)
class Claimed:
    """A row this worker holds as `sending`; ``claimed_at`` is the proof of ownership."""

    id: int
    to_phone: str
    body: str
    attempts: int
    claimed_at: datetime


class _Clock:
    """``now`` as given, moved on by the time this run has spent (sends take real time)."""

    monotonic = staticmethod(time.monotonic)  # tests replace it to make a send take long

    def __init__(self, now: datetime) -> None:
        self.start = now
        self._started = self.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.monotonic() - self._started)


def current_gateway() -> SmsGateway:
    """The app's gateway, built once from its settings (``SMS_BACKEND``)."""
    gateway = current_app.extensions.get("sms_gateway")
    if gateway is None:
        gateway = make_gateway(current_app.config)
        current_app.extensions["sms_gateway"] = gateway
    return gateway


# --- the dispatcher ---------------------------------------------------------------------------


def dispatch_due(gateway: SmsGateway, now: datetime, settings: DispatchSettings | None = None,
                 rng: random.Random | None = None) -> DispatchReport:
    """One dispatcher run: stale `sending` rows -> `unknown`, reconcile due `unknown` rows, then
    send up to ``batch_size`` due `pending` rows. Safe to run in several processes at once."""
    settings = settings or DispatchSettings.from_config(current_app.config)
    rng = rng or random.Random()
    clock = _Clock(now)
    report = DispatchReport()
    with db.engine.connect() as connection, Session(bind=connection, expire_on_commit=False) as session:
        report.stale = mark_stale_sending(session, now, settings.stale_after)
        for _ in range(settings.batch_size):
            if not _reconcile_next(session, gateway, clock, settings, report, rng):
                break
        claimed = claim_batch(session, clock.now(), settings.batch_size)
        _send_batch(session, gateway, claimed, clock, settings, report, rng)
    return report


def claim_batch(session: Session, now: datetime, limit: int) -> list[Claimed]:
    """Claim up to ``limit`` due `pending` rows, oldest first, and COMMIT them as `sending`."""
    # A CTE, not "id IN (subquery)": PostgreSQL may rescan such a subquery and exceed its LIMIT;
    # a locking CTE is evaluated once.
    due = (select(OutboxMessage.id)
           .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
           .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
           .limit(limit)
           .with_for_update(skip_locked=True)  # plain SELECT on SQLite, which has one writer
           .cte("due"))
    rows = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == due.c.id, OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SENDING, claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage.id, OutboxMessage.to_phone, OutboxMessage.body, OutboxMessage.attempts,
                   OutboxMessage.next_attempt_at)
        .execution_options(synchronize_session=False)
    ).all()
    session.commit()
    ordered = sorted(rows, key=lambda row: (row.next_attempt_at, row.id))
    return [Claimed(row.id, row.to_phone, row.body, row.attempts, now) for row in ordered]


def _send_batch(session: Session, gateway: SmsGateway, claimed: list[Claimed], clock: _Clock,
                settings: DispatchSettings, report: DispatchReport, rng) -> None:
    if not claimed:
        return
    opted_out = set(session.scalars(select(SmsOptOut.phone)
                                    .where(SmsOptOut.phone.in_({c.to_phone for c in claimed}))))
    deadline = claimed[0].claimed_at + settings.send_window
    for position, message in enumerate(claimed):
        if clock.now() > deadline:
            report.handed_back += _hand_back(session, claimed[position:])
            break
        if message.to_phone in opted_out:
            _finish(session, message, status=OutboxStatus.OPTED_OUT, error_code=OPTED_OUT_ERROR,
                    error_message="recipient opted out; not sent")
            report.opted_out += 1
            continue
        try:
            result = gateway.send(message.to_phone, message.body)
        except Exception as error:  # a gateway bug: the request may or may not have left
            log.exception("SMS gateway raised while sending outbox row %s", message.id)
            result = SendResult(SendOutcome.UNKNOWN, error_message=f"gateway raised {error!r}")
        if result.outcome == SendOutcome.OPTED_OUT:
            opted_out.add(message.to_phone)
        _record(session, message, result, clock.now(), settings, report, rng)
    _apply_reported_statuses(session, report.provider_ids)


def _record(session: Session, message: Claimed, result: SendResult, now: datetime, settings: DispatchSettings,
            report: DispatchReport, rng) -> None:
    error_code = str(result.error_code) if result.error_code is not None else None
    error_message = (result.error_message or "")[:300] or None
    if result.outcome == SendOutcome.SENT:
        if _finish(session, message, status=OutboxStatus.SENT, provider_id=result.provider_id,
                   provider_status=result.provider_status, sent_at=now, error_code=None, error_message=None):
            report.provider_ids.append(result.provider_id)
        report.sent += 1
    elif result.outcome == SendOutcome.RETRY and message.attempts < settings.max_attempts:
        delay = backoff_seconds(message.attempts, rng)
        _finish(session, message, status=OutboxStatus.PENDING, next_attempt_at=now + timedelta(seconds=delay),
                error_code=error_code, error_message=error_message)
        report.retry_later += 1
    elif result.outcome == SendOutcome.RETRY:
        _finish(session, message, status=OutboxStatus.DEAD, error_code=error_code,
                error_message=f"gave up after {message.attempts} attempts: {error_message}"[:300])
        report.dead += 1
    elif result.outcome == SendOutcome.OPTED_OUT:
        record_opt_out(message.to_phone, "provider_21610", now, session=session)
        _finish(session, message, status=OutboxStatus.OPTED_OUT, error_code=error_code, error_message=error_message)
        report.opted_out += 1
    elif result.outcome == SendOutcome.UNKNOWN:
        # Give the provider time to finish the request before asking whether it exists.
        _finish(session, message, status=OutboxStatus.UNKNOWN, next_attempt_at=now + settings.stale_after,
                error_code=error_code, error_message=error_message)
        report.unknown += 1
    else:
        _finish(session, message, status=OutboxStatus.DEAD, error_code=error_code, error_message=error_message)
        report.dead += 1


def _owned(message: Claimed):
    return (OutboxMessage.id == message.id, OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.claimed_at == message.claimed_at)


def _finish(session: Session, message: Claimed, **values) -> bool:
    """Write the outcome if the row is still ours (`sending` with our claim time); commit."""
    changed = session.execute(update(OutboxMessage).where(*_owned(message)).values(**values)
                              .execution_options(synchronize_session=False)).rowcount
    session.commit()
    if changed != 1:
        log.warning("outbox row %s was taken over while sending; its outcome %s is left to reconciliation",
                    message.id, values.get("status"))
    return changed == 1


def _hand_back(session: Session, messages: list[Claimed]) -> int:
    """Rows this run claimed but cannot start within its send window go back to `pending`, unsent."""
    handed = 0
    for message in messages:
        handed += session.execute(
            update(OutboxMessage).where(*_owned(message))
            .values(status=OutboxStatus.PENDING, attempts=OutboxMessage.attempts - 1, claimed_at=None)
            .execution_options(synchronize_session=False)).rowcount
    session.commit()
    return handed


def mark_stale_sending(session: Session, now: datetime, stale_after: timedelta) -> int:
    """`sending` rows claimed before ``now - stale_after`` were left by a dead dispatcher: `unknown`."""
    count = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < now - stale_after)
        .values(status=OutboxStatus.UNKNOWN, next_attempt_at=now,
                error_message="dispatcher stopped between send and record")
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    if count:
        log.warning("%d SMS left in 'sending' by a stopped dispatcher; reconciling with the provider", count)
    return count


def _reconcile_next(session: Session, gateway: SmsGateway, clock: _Clock, settings: DispatchSettings,
                    report: DispatchReport, rng) -> bool:
    """Ask the provider about one due `unknown` row; False when none is due."""
    now = clock.now()
    message = session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.UNKNOWN, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True))  # held while asking, so two workers never both resend
    if message is None:
        session.rollback()
        return False
    since = message.claimed_at or message.created_at
    try:
        provider_id = gateway.find_sent(message.to_phone, message.body, since=since)
    except SmsGatewayError as error:
        message.next_attempt_at = now + timedelta(seconds=backoff_seconds(message.attempts, rng))
        message.error_message = f"could not check with the provider: {error}"[:300]
        session.commit()
        report.unknown += 1
        return True
    if provider_id:
        message.status = OutboxStatus.SENT
        message.provider_id = provider_id
        message.provider_status = message.provider_status or "sent"
        message.sent_at = since
        message.error_message = "found at the provider after an unknown outcome"
        session.commit()
        _apply_reported_statuses(session, [provider_id])
        report.reconciled_found += 1
    elif message.attempts >= settings.max_attempts:
        message.status = OutboxStatus.DEAD
        message.error_message = f"not found at the provider; gave up after {message.attempts} attempts"
        session.commit()
        report.dead += 1
    else:
        message.status = OutboxStatus.PENDING
        message.next_attempt_at = now
        message.error_message = "not found at the provider after an unknown outcome; sending again"
        session.commit()
        report.reconciled_resend += 1
    return True


# --- provider reports (status callbacks) ------------------------------------------------------


def apply_status_report(provider_id: str, status: str, error_code: str | None, to_phone: str | None,
                        now: datetime) -> bool:
    """A status callback. Deduplicated by (MessageSid, status); moves a message only forward.

    A report for a message whose id is not recorded yet (the callback beat the dispatcher's
    commit) is kept and applied when the id is recorded. Returns False for a duplicate."""
    try:
        with db.session.begin_nested():
            db.session.add(ProviderStatusEvent(provider_id=provider_id, status=status,
                                               error_code=error_code or None, received_at=now))
    except IntegrityError:
        return False  # this (MessageSid, status) was reported before
    if error_code == OPTED_OUT_ERROR and to_phone:
        record_opt_out(to_phone, "provider_21610", now)
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.provider_id == provider_id))
    if message is not None:
        _apply_provider_status(message, status, error_code)
    db.session.commit()
    return True


def _apply_provider_status(message: OutboxMessage, status: str, error_code: str | None) -> None:
    if message.status not in (OutboxStatus.SENT, OutboxStatus.DELIVERED, OutboxStatus.UNDELIVERED):
        return
    if not moves_forward(message.provider_status, status):
        return  # late or repeated: a "sent" after "delivered" changes nothing
    message.provider_status = status
    if status in DELIVERED:
        message.status = OutboxStatus.DELIVERED
    elif status in NOT_DELIVERED:
        message.status = OutboxStatus.UNDELIVERED
        message.error_code = error_code or message.error_code


def _apply_reported_statuses(session: Session, provider_ids: list[str]) -> None:
    """Reports that arrived before the dispatcher recorded these ids (Twilio can be that quick)."""
    if not provider_ids:
        return
    events = session.scalars(select(ProviderStatusEvent)
                             .where(ProviderStatusEvent.provider_id.in_(provider_ids))
                             .order_by(ProviderStatusEvent.id)).all()
    if not events:
        return
    messages = {m.provider_id: m for m in session.scalars(
        select(OutboxMessage).where(OutboxMessage.provider_id.in_({e.provider_id for e in events})))}
    for event in events:
        if event.provider_id in messages:
            _apply_provider_status(messages[event.provider_id], event.status, event.error_code)
    session.commit()


# --- opt-outs ---------------------------------------------------------------------------------


def is_opted_out(phone: str) -> bool:
    return db.session.scalar(select(SmsOptOut.id).where(SmsOptOut.phone == phone)) is not None


def record_opt_out(phone: str, source: str, now: datetime, *, session: Session | None = None) -> bool:
    """Add ``phone`` to the opt-out list (in the caller's transaction); False if it was there."""
    session = session or db.session
    if session.scalar(select(SmsOptOut.id).where(SmsOptOut.phone == phone)) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(SmsOptOut(phone=phone, source=source, created_at=now))
    except IntegrityError:
        return False
    log.info("SMS opt-out recorded for %s (%s)", phone, source)
    return True


def remove_opt_out(phone: str) -> bool:
    """Take ``phone`` off the opt-out list (in the caller's transaction); False if it was not on it."""
    opt_out = db.session.scalar(select(SmsOptOut).where(SmsOptOut.phone == phone))
    if opt_out is None:
        return False
    db.session.delete(opt_out)
    return True


# --- the market admin's problem list ----------------------------------------------------------


def problem_messages(market_id: int, limit: int = 200) -> list[OutboxMessage]:
    """Dead letters, unknown outcomes and undelivered messages of a market, newest first."""
    return db.session.scalars(select(OutboxMessage)
                              .where(OutboxMessage.market_id == market_id,
                                     OutboxMessage.status.in_(PROBLEM_STATUSES))
                              .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
                              .limit(limit)).all()


def count_dead_letters(market_id: int, since: datetime, exclude_kind: str) -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id))
                             .where(OutboxMessage.market_id == market_id,
                                    OutboxMessage.status == OutboxStatus.DEAD,
                                    OutboxMessage.created_at >= since,
                                    OutboxMessage.kind != exclude_kind)) or 0


def retry_message(message_id: int, market_id: int, now: datetime) -> OutboxMessage:
    """The admin's retry button. Dead and undelivered rows are queued again with a fresh attempt
    budget; an unknown row is only re-checked with the provider now (never a blind resend)."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.market_id != market_id:
        raise NotFound("문자를 찾을 수 없습니다.")
    if message.status not in PROBLEM_STATUSES:
        raise Conflict("이미 처리된 문자입니다.", code="invalid_transition")
    if is_opted_out(message.to_phone):
        raise Conflict("수신거부한 번호입니다. 다시 보낼 수 없습니다.", code="opted_out")
    if message.status == OutboxStatus.UNKNOWN:
        message.next_attempt_at = now
    else:
        message.status = OutboxStatus.PENDING
        message.attempts = 0
        message.next_attempt_at = now
        message.provider_id = None
        message.provider_status = None
        message.error_code = None
        message.error_message = None
    return message
