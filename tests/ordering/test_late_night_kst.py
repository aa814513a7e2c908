"""Dates are Seoul dates: at 23:30 KST (14:30 UTC, still "today" in UTC as well as on a server set to
UTC) an order goes to tomorrow's first wave, and tonight's jobs leave it alone."""
from __future__ import annotations

from datetime import date, datetime, timezone

from market_app.ordering.operations import cancel_unanswered_stall_orders, place_order
from market_app.ordering.states import OrderStatus
from tests.ordering.factories import checkout_request, stall_order_of

LATE_TUESDAY_UTC = datetime(2026, 11, 24, 14, 30, tzinfo=timezone.utc)  # 23:30 KST Tuesday


def test_an_order_at_2330_kst_rides_the_next_days_wave(shop, resident):
    """Given 23:30 KST passed as a UTC time, when a resident orders for Tuesday's 17:00 wave and then for
    Wednesday's 11:00 wave, then the first is wave_closed and the second is placed on Wednesday; the
    cut-off job run at that moment does not cancel it."""
    closed = None
    try:
        place_order(resident, checkout_request(shop, resident, cutoff="17:00"), LATE_TUESDAY_UTC)
    except Exception as error:  # the refusal is what this test checks
        closed = getattr(error, "code", None)
    order = place_order(resident, checkout_request(shop, resident, wave_date=date(2026, 11, 25), cutoff="11:00"),
                        LATE_TUESDAY_UTC).order

    cancel_unanswered_stall_orders(LATE_TUESDAY_UTC)

    assert closed == "wave_closed"
    assert (order.wave_date, order.wave_cutoff, order.status) == (date(2026, 11, 25), "11:00", OrderStatus.PLACED)
    assert stall_order_of(order, shop.tofu_stall).status == "pending"
