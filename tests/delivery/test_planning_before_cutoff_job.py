"""The planning job never leaves an order behind because the cut-off job has not run yet (a
scheduler that was down over the cut-off starts both jobs at once, in any order)."""
from __future__ import annotations

from datetime import datetime

from market_app.clock import SEOUL
from market_app.delivery.tasks import plan_due_waves
from market_app.extensions import db
from market_app.ordering.operations import accept_stall_order
from market_app.ordering.states import OrderStatus
from tests.delivery.factories import make_courier
from tests.ordering.factories import make_owner, make_resident, make_shop, place, stall_order_of, stock_of

PLAN_TIME = datetime(2026, 11, 24, 14, 30, tzinfo=SEOUL)


def test_a_partly_answered_order_is_planned_even_if_the_cutoff_job_has_not_run(app):
    """Given an order of the 14:00 wave whose tofu stall accepted and whose fish stall never answered,
    when the planning job runs at 14:30 before the cut-off job, then the fish part is cancelled with
    its stock given back, and the order is accepted and put on a route (not left `placed` forever)."""
    shop = make_shop()
    resident = make_resident()
    tofu_owner = make_owner(shop.tofu_stall)
    make_courier(shop.market)
    db.session.commit()
    order = place(shop, resident)
    for stall in (shop.tofu_stall, shop.veg_stall):
        owner = tofu_owner if stall is shop.tofu_stall else make_owner(stall, name="박채소")
        db.session.commit()
        accept_stall_order(owner, stall_order_of(order, stall).id, PLAN_TIME.replace(hour=11))
    mackerel_before = stock_of(shop.mackerel)

    plan_due_waves(now=PLAN_TIME)

    db.session.expire_all()
    assert stall_order_of(order, shop.fish_stall).status == "cancelled"
    assert stock_of(shop.mackerel) == mackerel_before + 1
    assert order.status == OrderStatus.ASSIGNED
