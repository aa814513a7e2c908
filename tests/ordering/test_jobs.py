"""Scheduled jobs: reminders, escalation and the cut-off; each safe to run twice."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from market_app.clock import SEOUL
from market_app.extensions import db
from market_app.jobs import JOBS, resolve
from market_app.notify.models import OutboxMessage
from market_app.ordering.operations import accept_stall_order
from market_app.ordering.tasks import cancel_unanswered_at_cutoff, remind_unanswered_stall_orders
from tests.conftest import FROZEN_NOW
from tests.ordering.factories import LineRequest, make_market_admin, place, stall_order_of, stock_of


def _messages(kind: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)
                                   .order_by(OutboxMessage.id)))


def test_both_ordering_jobs_are_in_the_one_registry():
    """Given the job registry, when resolving the ordering jobs, then they are these task functions."""
    targets = {job.target: resolve(job.target) for job in JOBS}
    assert targets["market_app.ordering.tasks:remind_unanswered_stall_orders"] is remind_unanswered_stall_orders
    assert targets["market_app.ordering.tasks:cancel_unanswered_at_cutoff"] is cancel_unanswered_at_cutoff


def test_no_reminder_before_the_answer_timeout(shop, resident):
    """Given an order placed 9 minutes ago (timeout 10), when the reminder job runs, then nothing is queued."""
    place(shop, resident, [LineRequest(shop.mackerel.id, 3)])
    run = remind_unanswered_stall_orders(now=FROZEN_NOW + timedelta(minutes=9))
    assert (run.reminded, run.escalated) == (0, 0) and _messages("stall_order_reminder") == []


def test_reminder_after_the_timeout_is_queued_once(shop, resident):
    """Given a stall order unanswered for 10 minutes, when the job runs twice, then one reminder is queued
    for the stall and reminded_at is set."""
    order = place(shop, resident, [LineRequest(shop.mackerel.id, 3)])
    later = FROZEN_NOW + timedelta(minutes=10)

    first = remind_unanswered_stall_orders(now=later)
    second = remind_unanswered_stall_orders(now=later + timedelta(minutes=1))

    assert (first.reminded, second.reminded) == (1, 0)
    reminders = _messages("stall_order_reminder")
    assert len(reminders) == 1 and reminders[0].to_phone == shop.fish_stall.phone
    assert stall_order_of(order, shop.fish_stall).reminded_at is not None


def test_answered_stall_orders_get_no_reminder(shop, resident, owners):
    """Given the stall answered in time, when the job runs after the timeout, then no reminder."""
    order = place(shop, resident, [LineRequest(shop.mackerel.id, 3)])
    accept_stall_order(owners["fish"], stall_order_of(order, shop.fish_stall).id, FROZEN_NOW)
    assert remind_unanswered_stall_orders(now=FROZEN_NOW + timedelta(minutes=30)).reminded == 0


def test_escalation_reaches_each_market_admin_once(shop, resident):
    """Given two admins of the market and one of another market, when a stall order waits past the
    escalation time and the job runs twice, then each of the two admins gets one message."""
    admins = [make_market_admin(shop.market, "이관리"), make_market_admin(shop.market, "정관리")]
    db.session.commit()
    place(shop, resident, [LineRequest(shop.mackerel.id, 3)])
    later = FROZEN_NOW + timedelta(minutes=shop.market.escalation_minutes)

    remind_unanswered_stall_orders(now=later)
    remind_unanswered_stall_orders(now=later + timedelta(minutes=5))

    assert sorted(m.to_phone for m in _messages("stall_order_escalated")) == sorted(a.phone for a in admins)
    assert len(_messages("stall_order_reminder")) == 1


def test_cutoff_cancels_unanswered_parts_refunds_them_and_keeps_the_rest(shop, resident, owners):
    """Given a two-stall order for the 14:00 wave where only the tofu stall accepted, when the cut-off job
    runs at 14:00 (twice), then the fish part is cancelled, its stock is back, the order is accepted
    with the fish amount not charged, and the resident is told once."""
    order = place(shop, resident, [LineRequest(shop.tofu.id, 4), LineRequest(shop.mackerel.id, 2)])
    accept_stall_order(owners["tofu"], stall_order_of(order, shop.tofu_stall).id, FROZEN_NOW)
    cutoff = datetime(2026, 11, 24, 14, 0, tzinfo=SEOUL)

    assert cancel_unanswered_at_cutoff(now=cutoff - timedelta(minutes=1)) == 0
    assert cancel_unanswered_at_cutoff(now=cutoff) == 1
    assert cancel_unanswered_at_cutoff(now=cutoff + timedelta(minutes=1)) == 0

    fish = stall_order_of(order, shop.fish_stall)
    assert fish.status == "cancelled" and stock_of(shop.mackerel) == 5
    assert order.status == "accepted" and order.refund_amount == 14_000
    assert len(_messages("order_accepted")) == 1
    assert any(e.note == "마감 시각까지 상점 응답 없음" and e.actor_id is None for e in order.events)


def test_cutoff_with_no_answer_at_all_cancels_the_order(shop, resident):
    """Given nobody answered an order for the 14:00 wave, when the cut-off job runs, then the order is
    cancelled, every unit is back in stock and the cancellation is queued once."""
    order = place(shop, resident)
    cancel_unanswered_at_cutoff(now=datetime(2026, 11, 24, 14, 0, tzinfo=SEOUL))
    cancel_unanswered_at_cutoff(now=datetime(2026, 11, 24, 14, 5, tzinfo=SEOUL))
    assert order.status == "cancelled" and order.charged_total == 0
    assert (stock_of(shop.tofu), stock_of(shop.apples), stock_of(shop.mackerel)) == (20, 10, 5)
    assert len(_messages("order_cancelled")) == 1
