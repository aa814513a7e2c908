"""The dispatcher with the real TwilioGateway (official client) against the local Twilio stand-in."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from market_app.extensions import db
from market_app.notify.models import OutboxMessage, OutboxStatus, SmsOptOut
from market_app.notify.operations import DispatchSettings, claim_batch, dispatch_due
from tests.notify.crash_dispatcher import KILLED_EXIT_CODE
from tests.notify.fakes import RESIDENT_PHONE, FakeGateway, queue
from tests.notify.conftest import TWILIO_TIMEOUT
from tests.support.twilio_standin import via_test_client

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = DispatchSettings(batch_size=50, max_attempts=4, stale_after=timedelta(seconds=2 * TWILIO_TIMEOUT + 10))


@pytest.fixture
def gateway(twilio_gateway):
    return twilio_gateway


def run(gateway, now):
    return dispatch_due(gateway, now, SETTINGS)


def reload(row) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, row.id)


def posts_to(standin, to):
    return [r for r in standin.requests if r["method"] == "POST" and r["form"].get("To") == to]


def test_sent_message_carries_the_status_callback_and_ends_delivered(app, client, gateway, standin, frozen_now):
    """Given a queued text, when dispatched, then Twilio got it with StatusCallback = PUBLIC_BASE_URL +
    the webhook, the row holds Twilio's sid, and Twilio's signed callbacks make it delivered."""
    message = queue()

    run(gateway, frozen_now)

    [sent] = standin.messages
    assert sent["status_callback"] == "http://jangbogi.test/webhooks/twilio/status"
    assert (reload(message).status, reload(message).provider_id) == (OutboxStatus.SENT, sent["sid"])
    standin.callbacks_to = via_test_client(client)
    standin.deliver_callbacks()
    assert reload(message).status == OutboxStatus.DELIVERED


def test_throttled_then_sent_on_a_later_run(gateway, standin, frozen_now):
    """Given Twilio answers 429 once, then the row waits and the next due run sends it, once."""
    message = queue()
    standin.rule(RESIDENT_PHONE, "429", times=1)

    run(gateway, frozen_now)
    assert reload(message).status == OutboxStatus.PENDING
    run(gateway, reload(message).next_attempt_at)

    assert reload(message).status == OutboxStatus.SENT
    assert len(posts_to(standin, RESIDENT_PHONE)) == 2 and len(standin.messages) == 1


@pytest.mark.parametrize("to, code", [("+15005550001", "21211"), ("+15005550009", "21614"), ("+15005550003", "21408")])
def test_permanent_refusals_are_dead_at_once_and_never_retried(gateway, standin, frozen_now, to, code):
    """Given an invalid, non-mobile or forbidden-region number, then one request, a dead letter, no retry."""
    message = queue(to=to)

    run(gateway, frozen_now)
    run(gateway, frozen_now + timedelta(hours=3))

    assert (reload(message).status, reload(message).error_code) == (OutboxStatus.DEAD, code)
    assert len(posts_to(standin, to)) == 1


def test_unsubscribed_recipient_is_opted_out(gateway, standin, frozen_now):
    """Given Twilio's 21610 (the recipient sent STOP), then the opt-out is recorded and never retried."""
    message = queue(to="+15005550004")

    run(gateway, frozen_now)

    assert reload(message).status == OutboxStatus.OPTED_OUT
    assert db.session.query(SmsOptOut).filter_by(phone="+15005550004").count() == 1


def test_timeout_after_sending_is_found_at_twilio_not_sent_twice(gateway, standin, frozen_now):
    """Given Twilio keeps the message but answers after our timeout, then the row is unknown, the later
    check finds it by recipient and time, and Twilio holds exactly one message."""
    message = queue()
    standin.rule(RESIDENT_PHONE, "slow", times=1, seconds=5)

    run(gateway, frozen_now)
    assert reload(message).status == OutboxStatus.UNKNOWN
    report = run(gateway, frozen_now + SETTINGS.stale_after + timedelta(seconds=1))

    [sent] = standin.messages
    assert report.reconciled_found == 1
    assert (reload(message).status, reload(message).provider_id) == (OutboxStatus.SENT, sent["sid"])


def test_killed_dispatcher_between_send_and_record_does_not_send_twice(app, gateway, standin, frozen_now):
    """Given a dispatcher process killed after Twilio accepted the message but before it recorded the
    outcome, when a new dispatcher runs later, then the row is reconciled as unknown -> found and
    Twilio still holds exactly one message."""
    message = queue()
    db.session.commit()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    child = subprocess.run(
        [sys.executable, "-m", "tests.notify.crash_dispatcher", app.config["SQLALCHEMY_DATABASE_URI"],
         standin.base_url, frozen_now.isoformat()],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    assert child.returncode == KILLED_EXIT_CODE, child.stderr
    assert len(standin.messages) == 1
    assert reload(message).status == OutboxStatus.SENDING
    report = run(gateway, frozen_now + SETTINGS.stale_after + timedelta(seconds=1))

    assert (report.stale, report.reconciled_found, report.sent) == (1, 1, 0)
    assert (reload(message).status, reload(message).provider_id) == (OutboxStatus.SENT, standin.messages[0]["sid"])
    assert len(standin.messages) == 1 and len(posts_to(standin, RESIDENT_PHONE)) == 1


@pytest.mark.postgres_only
def test_a_row_locked_by_one_worker_is_skipped_by_another(app, database_kind, frozen_now):
    """Given worker A holding the oldest due row (FOR UPDATE), when worker B claims, then B takes the next
    row at once instead of waiting for, or duplicating, A's."""
    if database_kind != "postgresql":
        pytest.skip("SKIP LOCKED needs PostgreSQL")
    first = queue("first", now=frozen_now - timedelta(minutes=1))
    second = queue("second")
    with Session(db.engine) as worker_a, Session(db.engine) as worker_b:
        locked = worker_a.scalar(db.select(OutboxMessage.id).order_by(OutboxMessage.id).limit(1)
                                 .with_for_update(skip_locked=True))
        claimed = claim_batch(worker_b, frozen_now, limit=2)
        worker_a.rollback()

    assert locked == first.id
    assert [c.id for c in claimed] == [second.id]
    assert reload(second).status == OutboxStatus.SENDING and reload(first).status == OutboxStatus.PENDING


@pytest.mark.postgres_only
def test_concurrent_workers_send_every_message_exactly_once(app, database_kind, frozen_now):
    """Given 120 due messages and four workers dispatching at once, then each message is sent exactly once."""
    if database_kind != "postgresql":
        pytest.skip("concurrent claiming needs PostgreSQL")
    for number in range(120):
        queue(f"bulk:{number}", body=f"[망원시장] {number}")
    gateway = FakeGateway()
    lock = threading.Lock()
    send = gateway.send

    def thread_safe_send(to, body):
        with lock:
            return send(to, body)

    gateway.send = thread_safe_send
    errors = []

    def worker():
        try:
            with app.app_context():
                while dispatch_due(gateway, frozen_now, DispatchSettings(batch_size=10)).handled:
                    pass
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    bodies = [body for _, body in gateway.sent]
    assert errors == []
    assert len(bodies) == 120 and len(set(bodies)) == 120
    db.session.expire_all()
    assert db.session.query(OutboxMessage).filter_by(status=OutboxStatus.SENT).count() == 120
