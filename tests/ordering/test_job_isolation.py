"""The cut-off and reminder jobs handle each order on its own: one that fails is retried next run
and does not keep the others (or the planning that runs the cut-off first) from going on."""
from __future__ import annotations

from datetime import datetime

from market_app.clock import SEOUL
from market_app.ordering import operations
from market_app.ordering.tasks import cancel_unanswered_at_cutoff, remind_unanswered_stall_orders
from tests.ordering.factories import LineRequest, place, stall_order_of

AFTER_CUTOFF = datetime(2026, 11, 24, 14, 1, tzinfo=SEOUL)


def test_one_failing_order_does_not_stop_the_cutoff_for_the_others(shop, resident, monkeypatch):
    """Given two unanswered orders of the 14:00 wave and settling the first one failing, when the
    cut-off job runs after 14:00, then the second order is still cancelled and the first is left
    pending for the next run."""
    first = place(shop, resident, [LineRequest(shop.mackerel.id, 3)])
    second = place(shop, resident, [LineRequest(shop.mackerel.id, 2), LineRequest(shop.bean_sprouts.id, 1)])
    first_id = first.id
    real_settle = operations._settle

    def settle_failing_for_the_first(order, *args, **kwargs):
        if order.id == first_id:
            raise RuntimeError("simulated failure")
        return real_settle(order, *args, **kwargs)
    monkeypatch.setattr(operations, "_settle", settle_failing_for_the_first)

    cancelled = cancel_unanswered_at_cutoff(now=AFTER_CUTOFF)

    assert cancelled == 2  # the second order's fish and tofu parts
    assert stall_order_of(second, shop.fish_stall).status == "cancelled"
    assert stall_order_of(first, shop.fish_stall).status == "pending"


def test_one_failing_reminder_does_not_stop_the_others(shop, resident, monkeypatch):
    """Given two stall orders unanswered for 15 minutes and queuing the first one's reminder failing,
    when the reminder job runs, then the second is reminded and the first is left for the next run."""
    from datetime import timedelta

    from tests.conftest import FROZEN_NOW
    first = stall_order_of(place(shop, resident, [LineRequest(shop.mackerel.id, 3)]), shop.fish_stall)
    second = stall_order_of(place(shop, resident, [LineRequest(shop.mackerel.id, 2),
                                                   LineRequest(shop.bean_sprouts.id, 1)]), shop.fish_stall)
    first_id = first.id
    real_reminder = operations.events.stall_order_reminder

    def reminder_failing_for_the_first(stall_order, now):
        if stall_order.id == first_id:
            raise RuntimeError("simulated failure")
        return real_reminder(stall_order, now)
    monkeypatch.setattr(operations.events, "stall_order_reminder", reminder_failing_for_the_first)

    remind_unanswered_stall_orders(now=FROZEN_NOW + timedelta(minutes=15))

    assert (first.reminded_at, second.reminded_at is not None) == (None, True)
