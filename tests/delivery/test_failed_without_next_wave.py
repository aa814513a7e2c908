"""A failed delivery's text promises a new attempt only when the order really rides a next wave."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from market_app.clock import SEOUL
from market_app.delivery import operations
from market_app.delivery.models import Route
from market_app.delivery.operations import plan_wave
from market_app.extensions import db
from market_app.notify.models import OutboxMessage
from tests.delivery.factories import TUESDAY, make_courier, make_order, spot_near, route_paths_from_sms
from tests.factories import make_market

PLAN_TIME = datetime(2026, 11, 24, 14, 30, tzinfo=SEOUL)


def test_without_a_next_wave_the_failure_text_does_not_promise_redelivery(client, monkeypatch):
    """Given a planned route and a market with no wave left to carry the order to, when the courier
    marks the stop failed, then the order is flagged for the market and the resident's text says the
    market will call, not that the order comes in the next wave."""
    from market_app import clock
    monkeypatch.setattr(clock, "now", lambda: PLAN_TIME + timedelta(minutes=5))
    market = make_market()
    make_courier(market)
    make_order(market, spot=spot_near(0))
    db.session.commit()
    plan_wave(market, TUESDAY, "14:00", PLAN_TIME)
    route = db.session.scalar(select(Route))
    [path] = route_paths_from_sms()
    monkeypatch.setattr(operations, "next_open_wave", lambda market, after: None)

    client.post(f"{path}/stops/{route.stops[0].id}/failed", data={"reason": "absent"})

    text = db.session.scalar(select(OutboxMessage.body).where(OutboxMessage.kind == "order_failed"))
    order = route.stops[0].order
    db.session.refresh(order)
    assert "확인이 필요" in order.needs_attention
    assert "다음 회차" not in text and "연락" in text
