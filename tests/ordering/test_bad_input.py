"""Malformed input is refused with a precise error and changes nothing: numbers too large for the
database, strings or fractions where whole numbers belong."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from market_app.extensions import db
from market_app.ordering.models import Order
from tests.ordering.factories import bearer, make_owner, make_resident, make_shop, place, stall_order_of

HUGE = 10**20  # beyond any database integer


def _orders() -> int:
    return db.session.scalar(select(func.count(Order.id)))


@pytest.fixture
def setting():
    shop = make_shop()
    resident = make_resident()
    db.session.commit()
    return shop, resident


@pytest.mark.parametrize("change, field", [
    (lambda body, shop: body["lines"][0].update(product_id=HUGE), "product_id"),
    (lambda body, shop: body.update(market_id=HUGE), "market_id"),
    (lambda body, shop: body.update(address_id=HUGE), "address_id"),
    (lambda body, shop: body["lines"][0].update(quantity="2"), "quantity"),
    (lambda body, shop: body["lines"][0].update(quantity=1.5), "quantity"),
])
def test_checkout_refuses_malformed_numbers(client, setting, change, field):
    """Given a valid order body with one number replaced by a huge id, a string or a fraction, when
    POSTed to /api/orders, then 422 validation_error names that field and no order is made."""
    shop, resident = setting
    body = {"market_id": shop.market.id, "wave": "2026-11-24@14:00", "address_id": resident.addresses[0].id,
            "lines": [{"product_id": shop.tofu.id, "quantity": 8}]}
    change(body, shop)
    response = client.post("/api/orders", json=body,
                           headers={**bearer(client, resident), "Idempotency-Key": "malformed-0001"})
    error = response.get_json()["error"]
    assert (response.status_code, error["code"]) == (422, "validation_error")
    assert field in str(error["details"])
    assert _orders() == 0


def test_huge_ids_in_urls_are_not_found(client, setting):
    """Given a resident and a stall owner, when an order, a stall order or a product id in the URL is
    beyond any database integer, then 404 not_found (not a server error)."""
    shop, resident = setting
    owner = make_owner(shop.tofu_stall)
    db.session.commit()
    resident_headers, owner_headers = bearer(client, resident), bearer(client, owner)
    responses = [client.get(f"/api/orders/{HUGE}", headers=resident_headers),
                 client.post(f"/api/orders/{HUGE}/cancel", headers=resident_headers),
                 client.post(f"/api/stall-orders/{HUGE}/accept", json={}, headers=owner_headers),
                 client.patch(f"/api/stall/products/{HUGE}", json={"price": 1}, headers=owner_headers)]
    assert [(r.status_code, r.get_json()["error"]["code"]) for r in responses] == [(404, "not_found")] * 4


def test_stall_answers_refuse_strings_for_numbers(client, setting):
    """Given a pending stall order, when the owner sends a quantity or a bag count as a string, then
    422 validation_error and the stall order is still pending."""
    shop, resident = setting
    owner = make_owner(shop.tofu_stall)
    db.session.commit()
    tofu = stall_order_of(place(shop, resident), shop.tofu_stall)
    headers = bearer(client, owner)
    accept = client.post(f"/api/stall-orders/{tofu.id}/accept",
                         json={"lines": [{"line_id": tofu.lines[0].id, "quantity": "1"}]}, headers=headers)
    assert (accept.status_code, accept.get_json()["error"]["code"]) == (422, "validation_error")
    db.session.expire_all()
    assert tofu.status == "pending"


def test_adding_a_huge_product_id_to_the_cart_is_refused(client, setting):
    """Given a visitor, when the add-to-cart form carries a product id beyond any database integer,
    then they are sent back with a message and no cart is made."""
    response = client.post("/cart/add", data={"product_id": str(HUGE), "quantity": "1"})
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert any("상품" in message for _category, message in session.get("_flashes", []))
