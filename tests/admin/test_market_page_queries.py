"""The market admin's page lists the day's plans, flagged and unanswered orders: its number of
queries must not grow with the number of orders."""
from __future__ import annotations

from datetime import datetime

from flask import g

from market_app.accounts.models import Role
from market_app.clock import SEOUL
from market_app.delivery.operations import plan_wave
from market_app.extensions import db
from tests.support.query_counter import counted_queries
from tests.delivery.factories import TUESDAY, make_courier, make_order, spot_near
from tests.factories import make_market, make_user

PLAN_TIME = datetime(2026, 11, 24, 14, 30, tzinfo=SEOUL)


def _market_with(orders: int, name: str):
    """A market whose 14:00 wave is planned with `orders` orders (one left out for capacity) and
    `orders` more orders of the 17:00 wave still waiting for their stall."""
    market = make_market(name=name)
    make_courier(market, name="김배송", capacity_bags=orders)
    for index in range(orders):
        make_order(market, spot=spot_near(index))
        make_order(market, status="placed", wave_cutoff="17:00", spot=spot_near(index))
    make_order(market, bags=orders + 5, spot=spot_near(99))
    admin = make_user(role=Role.MARKET_ADMIN, name=f"{name} 관리", market_id=market.id)
    db.session.commit()
    plan_wave(market, TUESDAY, "14:00", PLAN_TIME)
    return admin


def _page_queries(client, login, admin) -> int:
    client.post("/logout")
    login(admin)
    db.session.expire_all()
    g.pop("_login_user", None)
    with counted_queries() as count:
        assert client.get("/admin/market?date=2026-11-24").status_code == 200
    return count[0]


def test_the_market_page_does_not_query_per_order(client, login):
    """Given one market with 2 planned and 2 unanswered orders and another with 6 of each, when each
    market's admin opens the market page, then both pages issue the same number of queries."""
    few_admin, many_admin = _market_with(2, "망원시장"), _market_with(6, "통인시장")
    assert _page_queries(client, login, many_admin) == _page_queries(client, login, few_admin)
