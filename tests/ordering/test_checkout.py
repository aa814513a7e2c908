"""Checkout: address inside the radius, open wave, minimum order, fee, stock, prices, idempotency."""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from market_app.accounts.models import Address
from market_app.clock import SEOUL
from market_app.errors import DomainError
from market_app.extensions import db
from market_app.notify.models import OutboxMessage
from market_app.ordering import operations
from market_app.ordering.models import Order, OrderEvent, StallOrder
from market_app.ordering.operations import AddressRequest, LineRequest, place_order
from tests.conftest import FROZEN_NOW
from tests.factories import make_address
from tests.ordering.factories import FAR_AWAY, checkout_request, place, stock_of


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _refusal(shop, resident, lines=None, now=FROZEN_NOW, **fields) -> DomainError:
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        place_order(resident, checkout_request(shop, resident, lines, **fields), now)
    return caught.value


def test_checkout_splits_the_order_by_stall_and_takes_stock(shop, resident):
    """Given a basket from three stalls, when the resident checks out, then one order with three
    pending stall orders exists, stock is taken, the timeline starts and the SMS are queued."""
    order = place(shop, resident)

    assert order.status == "placed"
    assert [so.stall_id for so in order.stall_orders] == sorted([shop.tofu_stall.id, shop.veg_stall.id,
                                                                 shop.fish_stall.id])
    assert all(so.status == "pending" for so in order.stall_orders)
    assert (order.subtotal, order.delivery_fee, order.total) == (22_500, 3_000, 25_500)
    assert (order.wave_date, order.wave_cutoff) == (date(2026, 11, 24), "14:00")
    assert (stock_of(shop.tofu), stock_of(shop.apples), stock_of(shop.mackerel)) == (18, 9, 4)
    assert stock_of(shop.bean_sprouts) is None  # unlimited stays unlimited
    assert [(e.from_status, e.to_status) for e in order.events] == [(None, "placed")]
    kinds = sorted(db.session.scalars(select(OutboxMessage.kind)))
    assert kinds == ["order_placed"] + ["stall_order_waiting"] * 3
    substitutions = {l.product_name: l.substitution for so in order.stall_orders for l in so.lines}
    assert substitutions["콩나물"] == "similar" and substitutions["부사 사과"] == "call"


def test_address_outside_the_radius_is_refused_and_nothing_changes(shop, resident):
    """Given a saved address 6 km away, when checking out, then outside_delivery_area and no stock moves."""
    far = make_address(resident, lat=FAR_AWAY[0], lng=FAR_AWAY[1], gu="강남구", dong="역삼1동")
    error = _refusal(shop, resident, address=AddressRequest(address_id=far.id))
    assert error.code == "outside_delivery_area"
    assert error.message.startswith(f"{shop.market.name}은 2.0km 안까지만 배달합니다")  # not 은(는)
    assert _count(Order) == 0 and stock_of(shop.tofu) == 20


def test_new_address_from_the_gazetteer_is_saved_with_its_coordinates(shop, resident):
    """Given a 동 code and a detail line, when checking out, then the order and a saved address carry
    the 동's coordinates."""
    order = place(shop, resident, address=AddressRequest(dong_code="1144069000", detail="망원로 5, 201호"))
    saved = db.session.scalar(select(Address).where(Address.detail == "망원로 5, 201호"))
    assert saved is not None and saved.dong_code == "1144069000"
    assert (order.dong, order.lat, order.lng) == (saved.dong, saved.lat, saved.lng)


def test_unknown_dong_and_missing_detail_are_refused(shop, resident):
    """Given a made-up 동 code or an empty detail line, when checking out, then each is refused."""
    assert _refusal(shop, resident, address=AddressRequest(dong_code="0000000000", detail="x")).code == "unknown_dong"
    assert _refusal(shop, resident, address=AddressRequest(dong_code="1144069000", detail=" ")).code == \
        "address_detail_required"


def test_below_minimum_order_is_refused_with_the_missing_amount(shop, resident):
    """Given 5,000원 of tofu (minimum 15,000원), when checking out, then below_minimum says 10,000원 more."""
    error = _refusal(shop, resident, [LineRequest(shop.tofu.id, 2)])
    assert error.code == "below_minimum" and error.status == 422
    assert "10,000원" in error.message


@pytest.mark.parametrize("apples, fee", [(3, 3_000), (4, 0)])
def test_delivery_fee_is_waived_from_the_threshold(shop, resident, apples, fee):
    """Given 27,000원 or 36,000원 of apples plus 4,000원 cabbage, when checking out, then the fee is
    charged below 40,000원 and waived from it."""
    order = place(shop, resident, [LineRequest(shop.apples.id, apples), LineRequest(shop.cabbage.id, 1)])
    assert order.delivery_fee == fee
    assert order.total == order.subtotal + fee


def test_a_wave_whose_cutoff_passed_is_refused(shop, resident):
    """Given it is 11:00, when choosing the 11:00 wave, then wave_closed (409)."""
    error = _refusal(shop, resident, cutoff="11:00", now=datetime(2026, 11, 24, 11, 0, tzinfo=SEOUL))
    assert (error.code, error.status) == ("wave_closed", 409)


def test_a_closed_weekday_and_a_public_holiday_are_refused(shop, resident):
    """Given the market rests on Wednesdays, when choosing a Wednesday wave or Christmas, then
    market_closed."""
    shop.market.closed_weekdays = "2"
    assert _refusal(shop, resident, wave_date=date(2026, 11, 25)).code == "market_closed"
    christmas = _refusal(shop, resident, wave_date=date(2026, 12, 25),
                         now=datetime(2026, 12, 21, 10, 0, tzinfo=SEOUL))
    assert christmas.code == "market_closed" and "기독탄신일" in christmas.message


def test_sold_out_and_closed_stall_items_are_refused_at_checkout(shop, resident):
    """Given the mackerel sold out after it was put in the cart, when checking out, then out_of_stock
    names it; a closed stall is refused with stall_closed."""
    shop.mackerel.sold_out = True
    error = _refusal(shop, resident)
    assert error.code == "out_of_stock" and "고등어" in error.message
    shop.mackerel.sold_out = False
    shop.veg_stall.is_open = False
    assert _refusal(shop, resident).code == "stall_closed"
    assert stock_of(shop.tofu) == 20


def test_stock_is_taken_all_or_nothing(shop, resident, monkeypatch):
    """Given the last mackerel goes between the check and the atomic update, when checking out, then
    out_of_stock and the tofu and apples taken earlier in the same checkout are back."""
    monkeypatch.setattr(operations, "check_orderable", lambda product, quantity: None)
    shop.mackerel.stock = 0
    error = _refusal(shop, resident)
    assert error.code == "out_of_stock"
    assert (stock_of(shop.tofu), stock_of(shop.apples), stock_of(shop.mackerel)) == (20, 10, 0)
    assert _count(Order) == 0 and _count(StallOrder) == 0 and _count(OutboxMessage) == 0


def test_prices_are_rechecked_at_checkout(shop, resident):
    """Given the resident saw a 22,500원 subtotal and tofu went up meanwhile, when checking out, then
    price_changed; with the new subtotal the order goes through at the new price."""
    shop.tofu.price = 3_000
    error = _refusal(shop, resident, expected_subtotal=22_500)
    assert error.code == "price_changed" and "23,500원" in error.message
    order = place(shop, resident, expected_subtotal=23_500)
    assert order.subtotal == 23_500


def test_the_same_idempotency_key_never_makes_two_orders(shop, resident):
    """Given an order placed with a key, when the same request is repeated, then the same order comes back
    and stock was taken once."""
    first = place_order(resident, checkout_request(shop, resident, key="double-click-1"), FROZEN_NOW)
    again = place_order(resident, checkout_request(shop, resident, key="double-click-1"), FROZEN_NOW)
    assert first.created and not again.created
    assert again.order.id == first.order.id
    assert _count(Order) == 1 and stock_of(shop.tofu) == 18


def test_quantities_are_bounded(shop, resident):
    """Given 100 packs of tofu (two lines of 50), when checking out, then invalid_quantity."""
    error = _refusal(shop, resident, [LineRequest(shop.tofu.id, 50), LineRequest(shop.tofu.id, 50)])
    assert error.code == "invalid_quantity"


# --- through the web ------------------------------------------------------------------------

def _fill_cart(client, shop):
    for product, quantity in ((shop.tofu, 2), (shop.bean_sprouts, 1), (shop.apples, 1), (shop.mackerel, 1)):
        response = client.post("/cart/add", data={"product_id": product.id, "quantity": quantity})
        assert response.status_code == 302


def _checkout_form(client) -> dict[str, str]:
    page = client.get("/checkout").get_data(as_text=True)
    fields = dict(re.findall(r'name="(idempotency_key|expected_subtotal)"[^>]*value="([^"]*)"', page))
    wave = re.search(r'name="wave"[^>]*value="([^"]+)"', page).group(1)
    address = re.search(r'name="address"[^>]*value="([^"]+)"', page).group(1)
    return {**fields, "wave": wave, "address": address}


def test_web_checkout_from_the_cart_shows_the_order(client, login, shop, resident):
    """Given a signed-in resident with a three-stall cart, when submitting the checkout page, then the
    order page shows the order in today's 11:00 wave and the cart is empty."""
    login(resident)
    _fill_cart(client, shop)
    form = _checkout_form(client)
    assert form["wave"] == "2026-11-24@11:00" and form["expected_subtotal"] == "22500"

    response = client.post("/checkout", data=form)

    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "주문 접수" in page and "25,500원" in page and "11:00 마감" in page
    assert "비어 있습니다" in client.get("/cart").get_data(as_text=True)


def test_web_double_submit_makes_one_order(client, login, shop, resident):
    """Given the checkout form, when it is posted twice (double click), then both answers lead to the
    same order and only one exists."""
    login(resident)
    _fill_cart(client, shop)
    form = _checkout_form(client)
    first = client.post("/checkout", data=form)
    second = client.post("/checkout", data=form)
    assert first.headers["Location"] == second.headers["Location"]
    assert _count(Order) == 1


def test_web_checkout_shows_a_price_change_and_keeps_the_cart(client, login, shop, resident):
    """Given the checkout page was shown, when the stall raises a price before the resident submits, then
    the page explains it, no order is made, and submitting again with the new total works."""
    login(resident)
    _fill_cart(client, shop)
    form = _checkout_form(client)
    shop.tofu.price = 3_000
    db.session.commit()

    response = client.post("/checkout", data=form)

    assert response.status_code == 409
    assert "가격이 바뀌었습니다" in response.get_data(as_text=True)
    assert _count(Order) == 0
    form["expected_subtotal"] = "23500"
    assert client.post("/checkout", data=form).status_code == 303


def test_checkout_offers_the_next_open_waves(client, login, shop, resident, monkeypatch):
    """Given it is Tuesday 17:30 and the market rests on Wednesdays, when opening checkout, then the
    waves offered are Thursday's."""
    from market_app import clock
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 11, 24, 17, 30, tzinfo=SEOUL))
    shop.market.closed_weekdays = "2"
    db.session.commit()
    login(resident)
    _fill_cart(client, shop)
    page = client.get("/checkout").get_data(as_text=True)
    waves = re.findall(r'name="wave"[^>]*value="([^"]+)"', page)
    assert waves[:3] == ["2026-11-26@11:00", "2026-11-26@14:00", "2026-11-26@17:00"]


def test_a_wave_planned_ahead_of_its_cutoff_takes_no_more_orders(client, login, shop, resident, monkeypatch):
    """Given the market admin planned today's 14:00 wave on demand at 10:00, when a resident opens checkout
    or asks the API for the market's waves, then 14:00 is no longer offered, and an order into it is
    refused as wave_closed with nothing taken: it would never have reached a courier's route."""
    from market_app import clock
    from market_app.delivery.operations import plan_wave
    monkeypatch.setattr(clock, "now", lambda: FROZEN_NOW)
    plan_wave(shop.market, FROZEN_NOW.date(), "14:00", FROZEN_NOW)
    login(resident)
    _fill_cart(client, shop)

    waves = re.findall(r'name="wave"[^>]*value="([^"]+)"', client.get("/checkout").get_data(as_text=True))
    api_waves = [w["key"] for w in client.get(f"/api/markets/{shop.market.id}/waves").get_json()]
    error = _refusal(shop, resident, cutoff="14:00")

    assert waves[:2] == ["2026-11-24@11:00", "2026-11-24@17:00"]
    assert api_waves[:2] == ["2026-11-24@11:00", "2026-11-24@17:00"]
    assert (error.code, error.status) == ("wave_closed", 409) and "다음 회차" in error.message
    assert _count(Order) == 0 and stock_of(shop.tofu) == 20


def test_checkout_needs_a_resident(client, shop):
    """Given nobody signed in, when opening checkout, then the login page is next."""
    response = client.get("/checkout")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_events_are_written_for_the_placed_order(shop, resident):
    """Given a placed order, when reading its events, then one names the resident as actor."""
    order = place(shop, resident)
    event = db.session.scalar(select(OrderEvent).where(OrderEvent.order_id == order.id))
    assert event.actor_id == resident.id and "박민수" in event.actor_label
