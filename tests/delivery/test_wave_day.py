"""The Done-when test: orders placed and accepted before the 14:00 cut-off are planned at 14:30 into
routes that respect capacity and windows, a rerun changes nothing, and the courier delivers them
through the route page."""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from market_app import clock
from market_app.accounts.models import Role
from market_app.clock import SEOUL
from market_app.delivery.models import Route, RouteStop, WavePlan
from market_app.delivery.tasks import plan_due_waves
from market_app.extensions import db
from market_app.notify.models import OutboxMessage
from market_app.ordering.models import Order, OrderEvent
from market_app.ordering.operations import (AddressRequest, CheckoutRequest, LineRequest, accept_stall_order,
                                            pack_stall_order, place_order)
from tests.delivery.factories import TUESDAY, make_courier, spot_near, route_paths_from_sms
from tests.factories import make_address, make_market, make_product, make_stall, make_user

MORNING = datetime(2026, 11, 24, 10, 0, tzinfo=SEOUL)
PLAN_TIME = datetime(2026, 11, 24, 14, 30, tzinfo=SEOUL)


def _snapshot() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(m))
                 for m in (WavePlan, Route, RouteStop, OrderEvent, OutboxMessage))


def test_a_wave_day_from_checkout_to_delivered(app, client, monkeypatch):
    """Given five residents who ordered from two stalls before 14:00 and the stalls accepted (two also
    packed), and two couriers of 6 bags, when the planning job runs at 14:30 and again, then every order
    is on exactly one route within capacity and the 14:30-16:30 window, the rerun adds nothing, and
    when the courier marks each stop 배송 완료 on the route page, every order reaches `delivered`."""
    market = make_market()
    tofu, greens = make_stall(market, name="망원두부", category="두부"), make_stall(market, name="초록채소", category="채소")
    owners = {s.id: make_user(role=Role.STALL_OWNER, name=s.name, stall_id=s.id, market_id=market.id)
              for s in (tofu, greens)}
    bean_curd, spinach = make_product(tofu, "국산 두부", 3000), make_product(greens, "시금치", 4000, unit="1단")
    couriers = [make_courier(market, name="김배송", capacity_bags=6), make_courier(market, name="최배송", capacity_bags=6)]
    db.session.commit()

    orders = []
    for index in range(5):
        resident = make_user(name=f"주민{index}")
        address = make_address(resident, *spot_near(index, metres=900), detail=f"{index + 1}0{index}호")
        db.session.commit()
        result = place_order(resident, CheckoutRequest(
            market_id=market.id, lines=(LineRequest(bean_curd.id, 3), LineRequest(spinach.id, 2)),
            address=AddressRequest(address_id=address.id), wave_date=TUESDAY, wave_cutoff=time(14, 0),
            idempotency_key=f"wave-day-order-{index}"), MORNING + timedelta(minutes=index))
        orders.append(result.order)
    for index, order in enumerate(orders):
        for stall_order in order.stall_orders:
            owner = owners[stall_order.stall_id]
            accept_stall_order(owner, stall_order.id, MORNING + timedelta(minutes=30))
            if index < 2:
                pack_stall_order(owner, stall_order.id, MORNING + timedelta(minutes=40))
    assert sorted(db.session.get(Order, o.id).status for o in orders) == ["accepted"] * 3 + ["packed"] * 2

    plan_due_waves(PLAN_TIME)
    after_first_run = _snapshot()
    plan_due_waves(PLAN_TIME)
    plan_due_waves(PLAN_TIME + timedelta(minutes=1))

    assert _snapshot() == after_first_run
    plan = db.session.scalar(select(WavePlan).where(WavePlan.wave_date == TUESDAY, WavePlan.wave_cutoff == "14:00"))
    routed = [stop.order_id for route in plan.routes for stop in route.stops]
    assert sorted(routed) == sorted(o.id for o in orders) and not plan.unassigned
    capacity = {c.id: c.capacity_bags for c in couriers}
    for route in plan.routes:
        assert route.load_bags == sum(stop.order.bags for stop in route.stops) <= capacity[route.courier_id]
        for stop in route.stops:
            assert PLAN_TIME <= stop.eta_start <= stop.arrival <= stop.eta_end <= PLAN_TIME + timedelta(hours=2)

    paths = route_paths_from_sms()
    assert len(paths) == len(plan.routes)
    monkeypatch.setattr(clock, "now", lambda: PLAN_TIME + timedelta(minutes=20))
    for path in paths:
        page = client.get(path).get_data(as_text=True)
        for stop_id in re.findall(r'id="stop-(\d+)"', page):
            assert client.post(f"{path}/stops/{stop_id}/delivered").status_code == 302

    assert {db.session.get(Order, o.id).status for o in orders} == {"delivered"}
    assert db.session.scalar(select(WavePlan.status).where(WavePlan.id == plan.id)) == "dispatched"
    for order in orders:
        kinds = db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.order_id == order.id)).all()
        assert kinds.count("order_dispatched") == 1 and kinds.count("order_delivered") == 1
