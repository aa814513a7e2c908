"""The stall tablet polls its queue every few seconds: the number of queries must not grow with the
number of orders (no query per order)."""
from __future__ import annotations

from flask import g

from market_app.extensions import db
from tests.ordering.factories import LineRequest, make_owner, make_resident, make_shop, place
from tests.support.query_counter import counted_queries


def _feed_queries(client) -> int:
    db.session.expire_all()
    g.pop("_login_user", None)
    with counted_queries() as count:
        assert client.get("/stall/feed").status_code == 200
    return count[0]


def test_the_polled_feed_does_not_query_per_order(client, login):
    """Given a stall with 2 waiting orders, then with 6, when the tablet polls /stall/feed, then both
    polls issue the same number of queries."""
    shop = make_shop()
    resident = make_resident()
    owner = make_owner(shop.tofu_stall)
    db.session.commit()
    lines = [LineRequest(shop.tofu.id, 1), LineRequest(shop.bean_sprouts.id, 9), LineRequest(shop.apples.id, 1)]
    for _ in range(2):
        place(shop, resident, lines)
    login(owner)
    few = _feed_queries(client)
    for _ in range(4):
        place(shop, resident, lines)
    many = _feed_queries(client)
    assert many == few
