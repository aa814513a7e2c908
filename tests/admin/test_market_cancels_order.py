"""After a stall accepts, the resident can no longer cancel and is told to phone the market; the
market admin then cancels (also an order whose delivery failed): the goods go back to stock,
nothing is charged, the resident gets one text."""
from __future__ import annotations

from sqlalchemy import func, select

from market_app.accounts.models import Role
from market_app.extensions import db
from market_app.notify.models import OutboxMessage
from market_app.ordering.operations import accept_stall_order
from market_app.ordering.states import OrderStatus
from tests.factories import make_user
from tests.ordering.factories import (LineRequest, make_market_admin, make_owner, make_resident, make_shop, place,
                                      stall_order_of, stock_of)


def _accepted_order(shop, resident):
    """4 tofu (the tofu stall keeps 3) and 1 bag of apples, both stalls answered."""
    order = place(shop, resident, [LineRequest(shop.tofu.id, 4), LineRequest(shop.apples.id, 1)])
    for stall, name in ((shop.tofu_stall, "김두부"), (shop.veg_stall, "이청과")):
        owner = make_owner(stall, name=name)
        db.session.commit()
        quantities = {stall_order_of(order, stall).lines[0].id: 3} if stall is shop.tofu_stall else None
        accept_stall_order(owner, stall_order_of(order, stall).id, order.created_at, quantities)
    return order


def _cancelled_texts(order_id: int) -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.order_id == order_id, OutboxMessage.kind == "order_cancelled"))


def test_market_admin_cancels_an_accepted_order_and_the_goods_go_back(client, login):
    """Given an accepted order (tofu 4 asked, 3 kept; 1 apple bag), when the market admin cancels it
    with a reason, then it is cancelled with every stall order, the 3 kept tofu and the apples go
    back to stock, the whole total is not charged, and the resident gets one cancellation text."""
    shop = make_shop()
    resident = make_resident()
    admin = make_market_admin(shop.market)
    db.session.commit()
    order = _accepted_order(shop, resident)
    tofu_before, apples_before = stock_of(shop.tofu), stock_of(shop.apples)
    login(admin)

    response = client.post(f"/admin/markets/{shop.market.id}/orders/{order.id}/cancel",
                           data={"reason": "고객 전화 요청"})
    client.post(f"/admin/markets/{shop.market.id}/orders/{order.id}/cancel", data={"reason": "다시"})

    db.session.expire_all()
    assert response.status_code == 302
    assert order.status == OrderStatus.CANCELLED
    assert {so.status for so in order.stall_orders} == {"cancelled"}
    assert (stock_of(shop.tofu), stock_of(shop.apples)) == (tofu_before + 3, apples_before + 1)
    assert order.refund_amount == order.total
    assert _cancelled_texts(order.id) == 1


def test_another_markets_admin_cannot_cancel(client, login):
    """Given an accepted order of 망원시장, when the admin of another market posts the cancel, then 403
    and the order and stock are unchanged."""
    shop = make_shop()
    resident = make_resident()
    other = make_shop(name="통인시장")
    stranger = make_user(Role.MARKET_ADMIN, name="남의관리", market_id=other.market.id)
    db.session.commit()
    order = _accepted_order(shop, resident)
    tofu_before = stock_of(shop.tofu)
    login(stranger)

    response = client.post(f"/admin/markets/{shop.market.id}/orders/{order.id}/cancel", data={"reason": "x"})
    sneaky = client.post(f"/admin/markets/{other.market.id}/orders/{order.id}/cancel", data={"reason": "x"})

    db.session.expire_all()
    assert (response.status_code, sneaky.status_code) == (403, 404)
    assert order.status == OrderStatus.ACCEPTED and stock_of(shop.tofu) == tofu_before


def test_a_failed_delivery_can_be_given_up_but_an_assigned_order_cannot_be_cancelled(client, login):
    """Given an order whose delivery failed (flagged) and one on a courier's route, when the market
    admin cancels both, then the failed one is cancelled and no longer flagged, and the assigned one
    is refused with a message and stays on its route."""
    from tests.delivery.factories import make_order
    from tests.factories import make_market
    market = make_market()
    failed = make_order(market, status="failed")
    failed.needs_attention = "14:00 회차 배송 실패(부재)"
    assigned = make_order(market, status="assigned")
    admin = make_market_admin(market)
    db.session.commit()
    login(admin)

    client.post(f"/admin/markets/{market.id}/orders/{failed.id}/cancel", data={"reason": "고객 연락 안 됨"})
    refused = client.post(f"/admin/markets/{market.id}/orders/{assigned.id}/cancel", data={"reason": "x"},
                          follow_redirects=True)

    db.session.expire_all()
    assert (failed.status, failed.needs_attention) == (OrderStatus.CANCELLED, None)
    assert assigned.status == OrderStatus.ASSIGNED
    assert "다시 계획한 뒤 취소해 주세요" in refused.get_data(as_text=True)


def test_the_flagged_list_offers_cancel_for_a_failed_delivery(client, login):
    """Given a flagged failed order, when the market admin opens the market page, then its row has a
    주문 취소 form posting to the cancel endpoint."""
    from tests.delivery.factories import make_order
    from tests.factories import make_market
    market = make_market()
    failed = make_order(market, status="failed")
    failed.needs_attention = "14:00 회차 배송 실패(부재)"
    admin = make_market_admin(market)
    db.session.commit()
    login(admin)

    page = client.get("/admin/market?date=2026-11-24").get_data(as_text=True)

    assert f'action="/admin/markets/{market.id}/orders/{failed.id}/cancel"' in page and "주문 취소" in page
