"""The dispatcher's state machine: claim -> send -> record, retries, dead letters, unknown outcomes."""
from __future__ import annotations

import random
from datetime import timedelta

import pytest

from market_app.extensions import db
from market_app.notify.gateways import SendOutcome
from market_app.notify.models import OutboxMessage, OutboxStatus, SmsOptOut
from market_app.notify.operations import DispatchSettings, dispatch_due
from tests.notify.fakes import RESIDENT_PHONE, FakeGateway, outcome, queue

SETTINGS = DispatchSettings(batch_size=50, max_attempts=3, stale_after=timedelta(seconds=30),
                            send_window=timedelta(seconds=10))


def run(gateway, now, settings=SETTINGS):
    return dispatch_due(gateway, now, settings, rng=random.Random(7))


def reload(message) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message.id)


def test_queuing_the_same_key_twice_is_a_no_op(app, frozen_now):
    """Given an event queued, when it is queued again with the same key, then there is still one row."""
    first = queue("order:1:dispatched")
    second = queue("order:1:dispatched", body="[망원시장] 다른 내용")

    assert first is not None and second is None
    assert db.session.query(OutboxMessage).count() == 1


def test_due_message_is_sent_and_recorded(app, frozen_now):
    """Given a due pending row, when the dispatcher runs, then it is sent once with id, status and attempts."""
    message = queue()
    gateway = FakeGateway()

    report = run(gateway, frozen_now)

    assert gateway.sent == [(RESIDENT_PHONE, "[망원시장] 주문이 확정됐어요")]
    row = reload(message)
    assert (row.status, row.provider_id, row.provider_status, row.attempts) == (
        OutboxStatus.SENT, "SMfake0001", "queued", 1)
    assert row.sent_at is not None and row.error_message is None
    assert report.sent == 1
    assert run(gateway, frozen_now + timedelta(minutes=1)).handled == 0  # nothing sent twice


def test_message_not_yet_due_waits(app, frozen_now):
    """Given a row due in a minute, when the dispatcher runs now, then nothing is sent."""
    queue(now=frozen_now + timedelta(minutes=1))
    gateway = FakeGateway()

    run(gateway, frozen_now)

    assert gateway.sent == []


def test_throttled_send_is_retried_later_with_backoff(app, frozen_now):
    """Given Twilio answers 429, when dispatched, then the row is pending again, due after a jittered delay."""
    message = queue()
    gateway = FakeGateway(script={RESIDENT_PHONE: [outcome(SendOutcome.RETRY, 20429)]})

    report = run(gateway, frozen_now)

    row = reload(message)
    assert report.retry_later == 1
    assert row.status == OutboxStatus.PENDING and row.attempts == 1 and row.error_code == "20429"
    assert frozen_now <= row.next_attempt_at <= frozen_now + timedelta(seconds=15)
    run(gateway, row.next_attempt_at)
    assert reload(message).status == OutboxStatus.SENT
    assert len(gateway.sent) == 2


def test_retries_end_in_a_dead_letter(app, frozen_now):
    """Given a provider that keeps failing with 5xx, when retried up to the limit, then the row is dead."""
    message = queue()
    gateway = FakeGateway(script={RESIDENT_PHONE: [outcome(SendOutcome.RETRY, 20500)] * 5})
    now = frozen_now

    for _ in range(5):
        run(gateway, now)
        now += timedelta(hours=1)

    row = reload(message)
    assert row.status == OutboxStatus.DEAD
    assert len(gateway.sent) == SETTINGS.max_attempts == row.attempts
    assert "gave up after 3 attempts" in row.error_message


@pytest.mark.parametrize("code", [21211, 21614, 21408, 21612])
def test_permanent_refusal_is_dead_at_once(app, frozen_now, code):
    """Given a permanent 4xx (invalid or landline number, region), then the row is dead and never retried."""
    message = queue()
    gateway = FakeGateway(script={RESIDENT_PHONE: [outcome(SendOutcome.DEAD, code)]})

    run(gateway, frozen_now)
    run(gateway, frozen_now + timedelta(hours=2))

    row = reload(message)
    assert (row.status, row.error_code, len(gateway.sent)) == (OutboxStatus.DEAD, str(code), 1)


def test_opted_out_recipient_is_recorded_and_never_texted_again(app, frozen_now):
    """Given Twilio answers 21610, then the opt-out is recorded and the next message is skipped unsent."""
    first = queue("a")
    gateway = FakeGateway(script={RESIDENT_PHONE: [outcome(SendOutcome.OPTED_OUT, 21610)]})
    run(gateway, frozen_now)
    second = queue("b")

    run(gateway, frozen_now + timedelta(minutes=1))

    assert reload(first).status == OutboxStatus.OPTED_OUT
    assert reload(second).status == OutboxStatus.OPTED_OUT
    assert len(gateway.sent) == 1
    assert db.session.query(SmsOptOut).filter_by(phone=RESIDENT_PHONE, source="provider_21610").count() == 1


def test_unknown_outcome_is_checked_with_the_provider_before_any_resend(app, frozen_now):
    """Given a timeout after sending, when reconciled and Twilio has the message, then it is sent, not resent."""
    message = queue()
    gateway = FakeGateway(script={RESIDENT_PHONE: [outcome(SendOutcome.UNKNOWN)]})
    run(gateway, frozen_now)
    assert reload(message).status == OutboxStatus.UNKNOWN
    run(gateway, frozen_now + timedelta(seconds=5))
    assert gateway.lookups == []  # the provider gets time to finish the request first

    gateway.found[(RESIDENT_PHONE, message.body)] = "SMfound"
    report = run(gateway, frozen_now + SETTINGS.stale_after + timedelta(seconds=1))

    row = reload(message)
    assert (row.status, row.provider_id) == (OutboxStatus.SENT, "SMfound")
    assert report.reconciled_found == 1
    assert len(gateway.sent) == 1
    assert gateway.lookups[0][2] == row.claimed_at


def test_unknown_outcome_not_found_at_the_provider_is_sent_again(app, frozen_now):
    """Given a timeout and Twilio does not have the message, when reconciled, then it is sent again."""
    message = queue()
    gateway = FakeGateway(script={RESIDENT_PHONE: [outcome(SendOutcome.UNKNOWN)]})
    run(gateway, frozen_now)

    report = run(gateway, frozen_now + timedelta(minutes=1))

    assert report.reconciled_resend == 1 and report.sent == 1
    row = reload(message)
    assert (row.status, row.attempts, len(gateway.sent)) == (OutboxStatus.SENT, 2, 2)


def test_unknown_stays_unknown_while_the_provider_cannot_be_asked(app, frozen_now):
    """Given Twilio's list cannot be read, when reconciling, then nothing is resent and the row stays unknown."""
    message = queue()
    gateway = FakeGateway(script={RESIDENT_PHONE: [outcome(SendOutcome.UNKNOWN)]}, lookup_fails=True)
    run(gateway, frozen_now)

    run(gateway, frozen_now + timedelta(minutes=1))

    row = reload(message)
    assert row.status == OutboxStatus.UNKNOWN and len(gateway.sent) == 1
    assert "could not check with the provider" in row.error_message
    assert row.next_attempt_at > frozen_now + timedelta(minutes=1)


class Crash(BaseException):
    """The process dies: not an Exception, so nothing on the way catches it."""


def test_crash_between_send_and_record_is_reconciled_not_resent(app, frozen_now):
    """Given a dispatcher killed after sending but before recording, when a later run finds the row,
    then it is reconciled as unknown -> found and the message is not sent twice."""
    message = queue()
    gateway = FakeGateway()
    real_send = gateway.send

    def send_then_die(to, body):
        real_send(to, body)
        raise Crash()

    gateway.send = send_then_die
    with pytest.raises(Crash):
        run(gateway, frozen_now)
    db.session.rollback()
    assert reload(message).status == OutboxStatus.SENDING  # the claim was committed before sending

    gateway.send = real_send
    gateway.found[(RESIDENT_PHONE, message.body)] = "SMfake0001"
    early = run(gateway, frozen_now + timedelta(seconds=10))
    assert early.handled == 0  # a live dispatcher may still be waiting for Twilio
    report = run(gateway, frozen_now + SETTINGS.stale_after + timedelta(seconds=1))

    row = reload(message)
    assert report.stale == 1 and report.reconciled_found == 1
    assert (row.status, row.provider_id) == (OutboxStatus.SENT, "SMfake0001")
    assert len(gateway.sent) == 1


def test_a_worker_that_lost_its_row_changes_nothing(app, frozen_now):
    """Given a row taken over by the reconciler while its worker was still sending, when the worker
    finally records, then its write is ignored and the reconciler's state stands."""
    message = queue()
    gateway = FakeGateway()
    real_send = gateway.send

    def slow_send(to, body):
        # While this worker waits for Twilio, another one declares the row stale.
        from market_app.notify.operations import mark_stale_sending
        mark_stale_sending(db.session, frozen_now + timedelta(hours=1), SETTINGS.stale_after)
        return real_send(to, body)

    gateway.send = slow_send
    run(gateway, frozen_now)

    row = reload(message)
    assert row.status == OutboxStatus.UNKNOWN and row.provider_id is None


def test_gateway_bug_is_treated_as_unknown(app, frozen_now):
    """Given a gateway that raises an ordinary exception, then the row is unknown (maybe sent), not lost."""
    message = queue()
    gateway = FakeGateway()

    def broken(to, body):
        raise RuntimeError("bug")

    gateway.send = broken
    run(gateway, frozen_now)

    assert reload(message).status == OutboxStatus.UNKNOWN


def test_batch_size_limits_one_run(app, frozen_now):
    """Given five due rows and a batch of two, when one run happens, then two are sent, oldest first."""
    for number in range(5):
        queue(f"k{number}", body=f"[망원시장] {number}", now=frozen_now - timedelta(minutes=5 - number))
    gateway = FakeGateway()

    run(gateway, frozen_now, DispatchSettings(batch_size=2))

    assert [body for _, body in gateway.sent] == ["[망원시장] 0", "[망원시장] 1"]


def test_rows_that_cannot_start_within_the_send_window_are_handed_back(app, frozen_now, monkeypatch):
    """Given a first send that takes a minute, when the batch runs on, then the rows not yet started go
    back to pending unsent, so no other worker can take them for stale while this one holds them."""
    from market_app.notify import operations
    first, second = queue("a"), queue("b", body="[망원시장] 두 번째")
    elapsed = [0.0]
    monkeypatch.setattr(operations._Clock, "monotonic", staticmethod(lambda: elapsed[0]))
    gateway = FakeGateway()
    real_send = gateway.send

    def slow_send(to, body):
        elapsed[0] += 60.0
        return real_send(to, body)

    gateway.send = slow_send
    report = run(gateway, frozen_now)

    assert gateway.sent == [(RESIDENT_PHONE, first.body)] and report.handed_back == 1
    assert reload(first).status == OutboxStatus.SENT
    row = reload(second)
    assert (row.status, row.attempts, row.claimed_at) == (OutboxStatus.PENDING, 0, None)
