"""Who may see and change what: residents only their own orders, stall owners only their stall's.

Another resident's order and another stall's order answer 404 (their existence is not revealed);
the wrong kind of account answers 403 `forbidden`; no account 401 on the API.
"""
from __future__ import annotations

from sqlalchemy import func, select

from market_app.extensions import db
from market_app.ordering.models import OrderEvent
from tests.ordering.factories import bearer, make_resident, place, stall_order_of, stock_of


def _events() -> int:
    return db.session.scalar(select(func.count(OrderEvent.id)))


def test_another_resident_cannot_read_or_cancel_an_order(client, shop, resident):
    """Given resident A's order, when resident B reads or cancels it through the API, then 404 and A's order
    is untouched."""
    order = place(shop, resident)
    intruder = make_resident("오지랖")
    db.session.commit()
    headers = bearer(client, intruder)
    events = _events()

    read = client.get(f"/api/orders/{order.id}", headers=headers)
    cancel = client.post(f"/api/orders/{order.id}/cancel", headers=headers)

    assert (read.status_code, cancel.status_code) == (404, 404)
    assert read.get_json()["error"]["code"] == "not_found"
    db.session.expire_all()
    assert order.status == "placed" and _events() == events and stock_of(shop.tofu) == 18
    assert client.get("/api/orders", headers=headers).get_json() == []


def test_another_resident_cannot_open_or_cancel_the_order_page(client, login, shop, resident):
    """Given resident A's order, when resident B opens or cancels it on the web, then 404 and no change."""
    order = place(shop, resident)
    intruder = make_resident("오지랖")
    db.session.commit()
    login(intruder)
    assert client.get(f"/orders/{order.id}").status_code == 404
    assert client.post(f"/orders/{order.id}/cancel").status_code == 404
    db.session.expire_all()
    assert order.status == "placed"


def test_a_stall_owner_cannot_answer_another_stalls_order(client, shop, resident, owners):
    """Given an order with a tofu part and a fish part, when the tofu owner accepts, rejects or packs the
    fish part, then 404 each time and the fish part still waits."""
    order = place(shop, resident)
    fish = stall_order_of(order, shop.fish_stall)
    headers = bearer(client, owners["tofu"])

    answers = [client.post(f"/api/stall-orders/{fish.id}/{action}", json=body, headers=headers).status_code
               for action, body in (("accept", {}), ("reject", {"reason": "재료 소진"}), ("pack", {}))]

    assert answers == [404, 404, 404]
    db.session.expire_all()
    assert fish.status == "pending" and stock_of(shop.mackerel) == 4
    listed = client.get("/api/stall/orders", headers=headers).get_json()
    assert [so["stall_id"] for so in listed] == [shop.tofu_stall.id]


def test_a_stall_owner_cannot_edit_another_stalls_product(client, shop, owners):
    """Given the tofu owner, when patching the fishmonger's mackerel, then 404 and the price is unchanged."""
    response = client.patch(f"/api/stall/products/{shop.mackerel.id}", json={"price": 1},
                            headers=bearer(client, owners["tofu"]))
    assert response.status_code == 404
    db.session.expire_all()
    assert shop.mackerel.price == 7000


def test_a_resident_cannot_call_stall_endpoints(client, shop, resident):
    """Given a resident's token, when calling each stall endpoint, then 403 forbidden."""
    order = place(shop, resident)
    tofu = stall_order_of(order, shop.tofu_stall)
    headers = bearer(client, resident)
    responses = [
        client.get("/api/stall/orders", headers=headers),
        client.post(f"/api/stall-orders/{tofu.id}/accept", json={}, headers=headers),
        client.post(f"/api/stall-orders/{tofu.id}/reject", json={"reason": "x"}, headers=headers),
        client.post(f"/api/stall-orders/{tofu.id}/pack", json={}, headers=headers),
        client.patch(f"/api/stall/products/{shop.tofu.id}", json={"sold_out": True}, headers=headers),
    ]
    assert [(r.status_code, r.get_json()["error"]["code"]) for r in responses] == [(403, "forbidden")] * 5
    db.session.expire_all()
    assert tofu.status == "pending" and shop.tofu.sold_out is False


def test_a_resident_cannot_open_the_stall_tablet(client, login, resident):
    """Given a signed-in resident, when opening the tablet queue, then 403."""
    login(resident)
    assert client.get("/stall").status_code == 403


def test_stall_owners_cannot_place_or_read_resident_orders(client, shop, resident, owners):
    """Given a stall owner's token, when placing an order or reading a resident's one, then 403 forbidden."""
    order = place(shop, resident)
    headers = {**bearer(client, owners["tofu"]), "Idempotency-Key": "owner-tries-1"}
    placed = client.post("/api/orders", json={"market_id": shop.market.id, "wave": "2026-11-24@14:00",
                                              "address_id": 1, "lines": [{"product_id": shop.tofu.id,
                                                                          "quantity": 9}]}, headers=headers)
    read = client.get(f"/api/orders/{order.id}", headers=headers)
    assert (placed.status_code, read.status_code) == (403, 403)


def test_no_token_means_401(client, shop, resident):
    """Given no Authorization header, when calling the orders and stall APIs, then 401 unauthorized."""
    order = place(shop, resident)
    codes = {client.get(f"/api/orders/{order.id}").get_json()["error"]["code"],
             client.get("/api/stall/orders").get_json()["error"]["code"]}
    assert codes == {"unauthorized"}
