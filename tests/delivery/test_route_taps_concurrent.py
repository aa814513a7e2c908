"""Two taps on the courier's page at the same moment (a double tap, two phones, a retry) record the
delivery once: the route's plan row is locked while a courier action runs (PostgreSQL)."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from market_app.clock import SEOUL
from market_app.delivery import operations
from market_app.delivery.models import Route
from market_app.delivery.operations import plan_wave
from market_app.extensions import db
from market_app.notify.models import OutboxMessage
from market_app.ordering.models import OrderEvent
from tests.delivery.factories import TUESDAY, make_courier, make_order, spot_near, route_paths_from_sms
from tests.factories import make_market

pytestmark = pytest.mark.postgres_only
PLAN_TIME = datetime(2026, 11, 24, 14, 30, tzinfo=SEOUL)


@pytest.fixture(autouse=True)
def _postgres_only(database_kind):
    if database_kind != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL (set TEST_DATABASE_URL)")


def test_two_simultaneous_delivered_taps_record_one_delivery(app, monkeypatch):
    """Given a planned route, when two 배송 완료 requests for the same stop run at once (the first is
    held inside its transaction until the second has read the stop, or for at most 3 s), then the order has
    one `delivered` event and the customer one delivery text."""
    from market_app import clock
    monkeypatch.setattr(clock, "now", lambda: PLAN_TIME + timedelta(minutes=5))
    market = make_market()
    make_courier(market)
    make_order(market, spot=spot_near(0))
    db.session.commit()
    plan_wave(market, TUESDAY, "14:00", PLAN_TIME)
    route = db.session.scalar(select(Route))
    stop_id, order_id = route.stops[0].id, route.stops[0].order_id
    [path] = route_paths_from_sms()
    db.session.remove()

    second_read_the_stop = threading.Event()
    real_delivered, real_stop_of = operations.events.order_delivered, operations._stop_of

    def held_delivered(order, now):
        real_delivered(order, now)
        if threading.current_thread().name == "first":
            second_read_the_stop.wait(timeout=3)  # with the lock, the second tap cannot get there

    def noted_stop_of(route, stop_id):
        stop = real_stop_of(route, stop_id)
        if threading.current_thread().name == "second":
            second_read_the_stop.set()
        return stop

    monkeypatch.setattr(operations.events, "order_delivered", held_delivered)
    monkeypatch.setattr(operations, "_stop_of", noted_stop_of)
    statuses = {}

    def tap(name: str) -> None:
        with app.test_client() as client:
            statuses[name] = client.post(f"{path}/stops/{stop_id}/delivered").status_code

    first = threading.Thread(target=tap, args=("first",), name="first")
    first.start()
    while not any(t.name == "first" for t in threading.enumerate()):
        pass
    second = threading.Thread(target=tap, args=("second",), name="second")
    second.start()
    first.join(timeout=30)
    second.join(timeout=30)

    delivered_events = db.session.scalar(select(func.count(OrderEvent.id)).where(
        OrderEvent.order_id == order_id, OrderEvent.to_status == "delivered"))
    texts = db.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.order_id == order_id, OutboxMessage.kind == "order_delivered"))
    assert statuses == {"first": 302, "second": 302}
    assert (delivered_events, texts) == (1, 1)
