"""A busy cut-off: several markets' waves planned at once on worker processes (PostgreSQL)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from market_app.clock import SEOUL
from market_app.delivery.models import PlanStatus, WavePlan
from market_app.delivery.tasks import plan_due_waves
from market_app.extensions import db
from market_app.notify.models import OutboxMessage
from market_app.ordering.models import Order
from tests.delivery.factories import make_courier, make_order, spot_near
from tests.factories import make_market

PLAN_TIME = datetime(2026, 11, 24, 14, 30, tzinfo=SEOUL)
MARKETS = [("망원시장", 37.5561, 126.9058), ("통인시장", 37.5809, 126.9699), ("암사종합시장", 37.5523, 127.1287)]


@pytest.mark.postgres_only
def test_due_waves_of_three_markets_are_planned_once_each_on_two_processes(app, database_kind):
    """Given three markets with accepted orders in the 14:00 wave and two planning processes, when the
    job runs at 14:30 and again a minute later, then each market's wave has exactly one plan routing
    all its orders, every order is assigned, and each courier got exactly one route SMS."""
    app.config["PLANNING_PROCESSES"] = 2
    orders = []
    for name, lat, lng in MARKETS:
        market = make_market(name=name, lat=lat, lng=lng)
        make_courier(market, capacity_bags=10)
        orders += [make_order(market, spot=spot_near(i, base=(lat, lng))) for i in range(3)]
    db.session.commit()

    outcomes = plan_due_waves(PLAN_TIME)
    plan_due_waves(PLAN_TIME + timedelta(minutes=1))

    todays = [o for o in outcomes if o.wave.key == "2026-11-24@14:00"]
    assert sorted(o.action for o in todays) == ["planned"] * 3
    db.session.expire_all()
    plans = db.session.scalars(select(WavePlan).where(WavePlan.wave_date == PLAN_TIME.date(),
                                                      WavePlan.wave_cutoff == "14:00")).all()
    assert len(plans) == 3 and all(p.status == PlanStatus.PLANNED for p in plans)
    assert sorted(stop.order_id for p in plans for r in p.routes for stop in r.stops) == sorted(o.id for o in orders)
    assert {db.session.get(Order, o.id).status for o in orders} == {"assigned"}
    couriers_texted = db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                        .where(OutboxMessage.kind == "courier_route"))
    assert couriers_texted == 3
