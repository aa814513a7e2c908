"""The API is exempt from CSRF because it authenticates with bearer tokens: a browser's session
cookie may read through it, but never change anything."""
from __future__ import annotations

from market_app.extensions import db
from market_app.ordering.states import OrderStatus
from tests.ordering.factories import make_owner, make_resident, make_shop, place, stall_order_of


def test_a_session_cookie_cannot_change_anything_through_the_api(client, login):
    """Given a resident and a stall owner signed in with cookies only, when a (cross-site) POST reaches
    the CSRF-exempt API without a bearer token, then it is 401 and neither the order nor the stall
    order changes; a GET with the cookie still reads."""
    shop = make_shop()
    resident = make_resident()
    owner = make_owner(shop.tofu_stall)
    db.session.commit()
    order = place(shop, resident)
    tofu = stall_order_of(order, shop.tofu_stall)

    login(resident)
    cancel = client.post(f"/api/orders/{order.id}/cancel")
    read = client.get(f"/api/orders/{order.id}")
    client.post("/logout")
    login(owner)
    accept = client.post(f"/api/stall-orders/{tofu.id}/accept")

    db.session.expire_all()
    assert (cancel.status_code, cancel.get_json()["error"]["code"]) == (401, "unauthorized")
    assert (accept.status_code, accept.get_json()["error"]["code"]) == (401, "unauthorized")
    assert read.status_code == 200
    assert order.status == OrderStatus.PLACED and tofu.status == "pending"
