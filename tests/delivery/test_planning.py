"""The planning job and the plan_wave operation: exactly once, unassigned carried, re-plan."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from market_app.clock import SEOUL
from market_app.delivery.models import PlanStatus, Route, RouteStop, WavePlan
from market_app.delivery.operations import plan_wave, start_route
from market_app.delivery.tasks import plan_due_waves
from market_app.errors import Conflict
from market_app.extensions import db
from market_app.notify.models import OutboxMessage
from market_app.ordering.models import Order, OrderEvent
from tests.delivery.factories import TUESDAY, make_courier, make_order, spot_near
from tests.factories import make_market

PLAN_TIME = datetime(2026, 11, 24, 14, 30, tzinfo=SEOUL)  # 14:00 cut-off + 30 minutes preparation


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _outbox(kind: str | None = None) -> list[OutboxMessage]:
    statement = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        statement = statement.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(statement))


@pytest.fixture
def market(app):
    return make_market()


def test_due_wave_is_planned_once_into_routes_within_capacity_and_window(market):
    """Given six accepted orders in the 14:00 wave and two couriers of 5 bags, when the job runs at
    14:30, then every order is on a route, no route exceeds its courier's capacity, every ETA lies in
    the 14:30-16:30 window, the orders are assigned with an event, and each courier is texted once."""
    couriers = [make_courier(market, name="김배송", capacity_bags=5), make_courier(market, name="최배송", capacity_bags=5)]
    orders = [make_order(market, bags=1 + i % 2, spot=spot_near(i)) for i in range(6)]
    db.session.commit()

    outcomes = plan_due_waves(PLAN_TIME)

    plan = db.session.scalar(select(WavePlan).where(WavePlan.wave_date == TUESDAY, WavePlan.wave_cutoff == "14:00"))
    assert [o.action for o in outcomes if o.wave.key == "2026-11-24@14:00"] == ["planned"]
    assert plan.status == PlanStatus.PLANNED and plan.revision == 1
    routed = [stop.order_id for route in plan.routes for stop in route.stops]
    assert sorted(routed) == sorted(o.id for o in orders)
    capacity = {c.id: c.capacity_bags for c in couriers}
    for route in plan.routes:
        assert sum(stop.order.bags for stop in route.stops) == route.load_bags <= capacity[route.courier_id]
        for stop in route.stops:
            assert PLAN_TIME <= stop.eta_start <= stop.arrival <= stop.eta_end <= PLAN_TIME + timedelta(minutes=120)
    for order in orders:
        db.session.refresh(order)
        assert order.status == "assigned"
        assert order.events[-1].from_status == "accepted" and order.events[-1].to_status == "assigned"
    route_sms = _outbox("courier_route")
    assert sorted(m.to_phone for m in route_sms) == sorted(r.courier.phone for r in plan.routes)
    assert all("/r/" in m.body for m in route_sms)


def test_running_the_job_again_changes_nothing(market):
    """Given a planned wave, when the job runs again (and later), then no plan, route, event or SMS
    row is added."""
    make_courier(market)
    for i in range(3):
        make_order(market, spot=spot_near(i))
    db.session.commit()
    plan_due_waves(PLAN_TIME)
    counts = [_count(m) for m in (WavePlan, Route, RouteStop, OrderEvent, OutboxMessage)]

    plan_due_waves(PLAN_TIME)
    plan_due_waves(PLAN_TIME + timedelta(minutes=1))

    assert [_count(m) for m in (WavePlan, Route, RouteStop, OrderEvent, OutboxMessage)] == counts


def test_orders_that_do_not_fit_move_to_the_next_wave_flagged(market):
    """Given one courier with room for 4 bags and three orders of 2 bags, when the wave is planned,
    then one order is left out with reason capacity, moved to the 17:00 wave, flagged for the
    market admin with an event, and the 17:00 plan picks it up."""
    make_courier(market, capacity_bags=4)
    orders = [make_order(market, bags=2, spot=spot_near(i)) for i in range(3)]
    db.session.commit()

    plan_wave(market, TUESDAY, "14:00", PLAN_TIME)

    plan = db.session.scalar(select(WavePlan))
    assert [(u.reason) for u in plan.unassigned] == ["capacity"]
    left_out = db.session.get(Order, plan.unassigned[0].order_id)
    assert (left_out.status, left_out.wave_cutoff, left_out.wave_date) == ("accepted", "17:00", TUESDAY)
    assert "17:00" in left_out.needs_attention and "적재 용량" in left_out.needs_attention
    assert left_out.events[-1].note == left_out.needs_attention
    assert sum(o.status == "assigned" for o in orders) == 2

    plan_due_waves(datetime(2026, 11, 24, 17, 30, tzinfo=SEOUL))

    db.session.refresh(left_out)
    assert left_out.status == "assigned" and left_out.needs_attention is None


def test_closed_day_gets_no_plan(app):
    """Given a market closed on Tuesdays with an order in today's wave, when the job runs at 14:30,
    then no plan is made."""
    market = make_market(closed_weekdays="1")
    make_courier(market)
    make_order(market)
    db.session.commit()

    plan_due_waves(PLAN_TIME)

    assert db.session.scalars(select(WavePlan).where(WavePlan.wave_date == TUESDAY)).all() == []


def test_wave_is_not_planned_before_its_time(market):
    """Given the 14:00 wave, when the job runs at 14:29, then that wave has no plan yet."""
    make_courier(market)
    make_order(market)
    db.session.commit()

    plan_due_waves(PLAN_TIME - timedelta(minutes=1))

    assert db.session.scalar(select(WavePlan).where(WavePlan.wave_date == TUESDAY, WavePlan.wave_cutoff == "14:00")) is None


def test_a_crashed_run_is_completed_by_the_next(market):
    """Given a plan row left in `planning` by a run that died 10 minutes ago, when the job runs,
    then the same row is completed (one plan, routed orders), not duplicated."""
    make_courier(market)
    order = make_order(market)
    db.session.add(WavePlan(market_id=market.id, wave_date=TUESDAY, wave_cutoff="14:00", status="planning",
                            revision=1, created_at=PLAN_TIME))
    db.session.commit()

    plan_due_waves(PLAN_TIME + timedelta(minutes=10))

    plans = db.session.scalars(select(WavePlan).where(WavePlan.wave_date == TUESDAY, WavePlan.wave_cutoff == "14:00")).all()
    assert len(plans) == 1 and plans[0].status == "planned"
    assert db.session.get(Order, order.id).status == "assigned"


def test_dry_run_stores_nothing(market):
    """Given a wave with orders, when it is planned as a dry run, then the solver's plan comes back
    and nothing is written."""
    make_courier(market)
    make_order(market)
    db.session.commit()

    outcome = plan_wave(market, TUESDAY, "14:00", PLAN_TIME, dry_run=True)

    assert outcome.action == "dry_run" and len(outcome.result.routes) == 1
    assert (_count(WavePlan), _count(OutboxMessage)) == (0, 0)


def test_replan_with_nothing_changed_texts_nobody(market):
    """Given a planned wave, when the admin re-plans with the same orders and couriers, then the
    revision goes up but the routes and links stay and no courier gets a second list."""
    make_courier(market)
    for i in range(3):
        make_order(market, spot=spot_near(i))
    db.session.commit()
    plan_wave(market, TUESDAY, "14:00", PLAN_TIME)
    route_ids = db.session.scalars(select(Route.id)).all()

    outcome = plan_wave(market, TUESDAY, "14:00", PLAN_TIME + timedelta(minutes=2), replan=True)

    assert outcome.plan.revision == 2 and outcome.notified_couriers == []
    assert db.session.scalars(select(Route.id)).all() == route_ids
    assert len(_outbox("courier_route")) == 1


def test_replan_sends_a_new_list_to_the_courier_whose_route_changed(market):
    """Given a planned wave and a late order accepted into it, when the admin re-plans, then the
    order is routed, the courier gets the new list (revision 2) and the old link stops working."""
    courier = make_courier(market)
    make_order(market, spot=spot_near(1))
    db.session.commit()
    plan_wave(market, TUESDAY, "14:00", PLAN_TIME)
    late = make_order(market, spot=spot_near(2))
    db.session.commit()

    outcome = plan_wave(market, TUESDAY, "14:00", PLAN_TIME + timedelta(minutes=2), replan=True)

    assert outcome.notified_couriers == [courier.id]
    assert db.session.get(Order, late.id).status == "assigned"
    messages = _outbox("courier_route")
    assert [m.idempotency_key.split(":")[2] for m in messages] == ["rev1", "rev2"]
    route = db.session.scalar(select(Route))
    assert route.revision == 2 and len(route.stops) == 2


def test_replan_is_refused_once_a_courier_has_started(market):
    """Given a planned wave whose courier tapped 출발, when the admin re-plans, then it is refused
    with already_dispatched and nothing changes."""
    make_courier(market)
    make_order(market)
    db.session.commit()
    plan_wave(market, TUESDAY, "14:00", PLAN_TIME)
    start_route(db.session.scalar(select(Route)), PLAN_TIME + timedelta(minutes=5))
    db.session.commit()

    with pytest.raises(Conflict) as refused:
        plan_wave(market, TUESDAY, "14:00", PLAN_TIME + timedelta(minutes=6), replan=True)

    assert refused.value.code == "already_dispatched"
    assert db.session.scalar(select(WavePlan)).revision == 1


def test_starting_a_route_dispatches_its_orders_and_texts_each_customer_once(market):
    """Given a planned route of two orders, when the courier starts it (twice), then both orders are
    out for delivery, the plan is dispatched and each customer got one dispatch SMS with the window."""
    make_courier(market)
    orders = [make_order(market, spot=spot_near(i)) for i in range(2)]
    db.session.commit()
    plan_wave(market, TUESDAY, "14:00", PLAN_TIME)
    route = db.session.scalar(select(Route))

    assert start_route(route, PLAN_TIME + timedelta(minutes=3)) is True
    assert start_route(route, PLAN_TIME + timedelta(minutes=4)) is False
    db.session.commit()

    assert {db.session.get(Order, o.id).status for o in orders} == {"out_for_delivery"}
    assert db.session.scalar(select(WavePlan)).status == PlanStatus.DISPATCHED
    dispatched = _outbox("order_dispatched")
    assert sorted(m.order_id for m in dispatched) == sorted(o.id for o in orders)
    assert all("~" in m.body for m in dispatched)
