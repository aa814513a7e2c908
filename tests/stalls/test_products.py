"""The stall owner's products page and API: 품절, price, stock, open or closed for today."""
from __future__ import annotations

from market_app.extensions import db
from tests.ordering.factories import bearer, place, stall_order_of


def test_toggle_sold_out_edit_price_and_stock_on_the_tablet(client, login, shop, owners):
    """Given the tofu owner on the products page, when marking tofu 품절, then un-marking it, and saving a
    new price and stock, then the product follows each step."""
    login(owners["tofu"])
    assert "국산 두부" in client.get("/stall/products").get_data(as_text=True)

    client.post(f"/stall/products/{shop.tofu.id}/sold-out", data={"sold_out": "1"})
    db.session.expire_all()
    assert shop.tofu.sold_out is True
    client.post(f"/stall/products/{shop.tofu.id}/sold-out", data={"sold_out": "0"})
    client.post(f"/stall/products/{shop.tofu.id}", data={"price": "2800", "stock": "7"})
    client.post(f"/stall/products/{shop.bean_sprouts.id}", data={"price": "1500", "stock": ""})

    db.session.expire_all()
    assert (shop.tofu.sold_out, shop.tofu.price, shop.tofu.stock) == (False, 2800, 7)
    assert shop.bean_sprouts.stock is None  # empty stock = unlimited


def test_after_a_tap_the_tablet_comes_back_to_the_same_product_row(client, login, shop, owners):
    """Given a long products list, when the owner marks bean sprouts 품절 or saves its price, then the page
    comes back at that product's row (not the top of the list), where the change shows."""
    login(owners["tofu"])

    sold_out = client.post(f"/stall/products/{shop.bean_sprouts.id}/sold-out", data={"sold_out": "1"})
    saved = client.post(f"/stall/products/{shop.bean_sprouts.id}", data={"price": "1500", "stock": "9"})

    row = f"product-{shop.bean_sprouts.id}"
    assert sold_out.headers["Location"].endswith(f"/stall/products#{row}")
    assert saved.headers["Location"].endswith(f"/stall/products#{row}")
    assert f'id="{row}"' in client.get("/stall/products").get_data(as_text=True)


def test_a_bad_price_is_refused_with_a_message(client, login, shop, owners):
    """Given the products page, when saving a negative price, then a message and no change."""
    login(owners["tofu"])
    page = client.post(f"/stall/products/{shop.tofu.id}", data={"price": "-5", "stock": "3"},
                       follow_redirects=True).get_data(as_text=True)
    assert "가격을 확인해 주세요." in page
    db.session.expire_all()
    assert (shop.tofu.price, shop.tofu.stock) == (2500, 20)


def test_closing_the_stall_for_today_stops_new_orders(client, login, shop, owners):
    """Given the tofu owner closes the stall, when a visitor adds tofu, then it is refused; reopening lets
    orders in again."""
    login(owners["tofu"])
    client.post("/stall/open", data={"is_open": "0"})
    db.session.expire_all()
    assert shop.tofu_stall.is_open is False
    client.post("/logout")
    refused = client.post("/cart/add", data={"product_id": shop.tofu.id, "quantity": 1, "next": "/cart"},
                          follow_redirects=True)
    assert "오늘 주문을 받지 않습니다" in refused.get_data(as_text=True)


def test_a_closed_stall_says_so_on_its_order_queue(client, login, shop, owners):
    """Given the tofu owner closed the stall for today, when the tablet shows the order queue, then it says
    no new orders come in and offers 주문 다시 받기, which opens the stall again."""
    login(owners["tofu"])
    client.post("/stall/open", data={"is_open": "0"})

    queue = client.get("/stall").get_data(as_text=True)
    assert "오늘 주문 마감 중" in queue and "주문 다시 받기" in queue

    client.post("/stall/open", data={"is_open": "1"})
    db.session.expire_all()
    assert shop.tofu_stall.is_open is True
    assert "오늘 주문 마감 중" not in client.get("/stall").get_data(as_text=True)


def test_patch_product_through_the_api(client, shop, owners):
    """Given the tofu owner's token, when patching price, stock and 품절, then the product JSON shows it;
    an invalid stock is a validation error."""
    headers = bearer(client, owners["tofu"])
    response = client.patch(f"/api/stall/products/{shop.tofu.id}",
                            json={"price": 3000, "stock": None, "sold_out": True}, headers=headers)
    assert response.status_code == 200
    assert {k: response.get_json()[k] for k in ("price", "stock", "sold_out")} == {"price": 3000, "stock": None,
                                                                                "sold_out": True}
    bad = client.patch(f"/api/stall/products/{shop.tofu.id}", json={"stock": -1}, headers=headers)
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "validation_error"


def test_stall_api_lists_answers_and_packs(client, shop, resident, owners):
    """Given a pending tofu part, when the owner lists pending orders, accepts one line at a smaller quantity
    and packs with 3 bags, then the API reports each state; answering again is 409 invalid_transition."""
    order = place(shop, resident)
    tofu = stall_order_of(order, shop.tofu_stall)
    tofu_line = next(l for l in tofu.lines if l.product_name == "국산 두부")
    headers = bearer(client, owners["tofu"])

    pending = client.get("/api/stall/orders?status=pending", headers=headers).get_json()
    assert [p["id"] for p in pending] == [tofu.id] and pending[0]["wave_cutoff"] == "14:00"
    assert pending[0]["acknowledged"] is False and pending[0]["waited_minutes"] == 0

    accepted = client.post(f"/api/stall-orders/{tofu.id}/accept",
                           json={"lines": [{"line_id": tofu_line.id, "quantity": 1}]}, headers=headers)
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "partly_accepted"
    packed = client.post(f"/api/stall-orders/{tofu.id}/pack", json={"bags": 3}, headers=headers)
    assert packed.get_json()["status"] == "packed" and packed.get_json()["bags"] == 3

    again = client.post(f"/api/stall-orders/{tofu.id}/reject", json={"reason": "재료 소진"}, headers=headers)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "invalid_transition"
    assert client.get("/api/stall/orders?status=pending", headers=headers).get_json() == []
    assert client.get("/api/stall/orders?status=nonsense", headers=headers).status_code == 422
