"""Stall answers and packing drive the order: accepted, partly accepted, refused, packed, cancelled."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from market_app.errors import DomainError
from market_app.extensions import db
from market_app.notify.models import OutboxMessage
from market_app.ordering.models import OrderEvent
from market_app.ordering.operations import (accept_stall_order, cancel_order, pack_stall_order,
                                            reject_stall_order)
from tests.conftest import FROZEN_NOW
from tests.ordering.factories import LineRequest, place, stall_order_of, stock_of


def _kinds() -> list[str]:
    return sorted(db.session.scalars(select(OutboxMessage.kind)))


def _event_count() -> int:
    return db.session.scalar(select(func.count(OrderEvent.id)))


def _line(stall_order, name):
    return next(l for l in stall_order.lines if l.product_name == name)


def test_order_is_accepted_when_every_stall_accepted(shop, resident, owners):
    """Given a three-stall order, when two stalls accept, then it still waits; when the third accepts, then
    the order is accepted, with an event and the resident's message."""
    order = place(shop, resident)
    accept_stall_order(owners["tofu"], stall_order_of(order, shop.tofu_stall).id, FROZEN_NOW)
    accept_stall_order(owners["veg"], stall_order_of(order, shop.veg_stall).id, FROZEN_NOW)
    assert order.status == "placed"

    accept_stall_order(owners["fish"], stall_order_of(order, shop.fish_stall).id, FROZEN_NOW)

    assert order.status == "accepted" and order.refund_amount == 0 and order.charged_total == 25_500
    assert [e.to_status for e in order.events if e.stall_order_id is None] == ["placed", "accepted"]
    assert "order_accepted" in _kinds()


def test_partial_acceptance_gives_stock_back_and_lowers_the_charge(shop, resident, owners):
    """Given 2 tofu and bean sprouts ordered, when the tofu stall keeps 1 tofu and has no sprouts, then the
    stall order is partly accepted, 1 tofu is back in stock, and 4,000원 will not be charged."""
    order = place(shop, resident)
    tofu_order = stall_order_of(order, shop.tofu_stall)
    tofu, sprouts = _line(tofu_order, "국산 두부"), _line(tofu_order, "콩나물")

    accept_stall_order(owners["tofu"], tofu_order.id, FROZEN_NOW, {tofu.id: 1, sprouts.id: 0})

    assert tofu_order.status == "partly_accepted"
    assert (tofu.accepted_quantity, sprouts.accepted_quantity) == (1, 0)
    assert stock_of(shop.tofu) == 19
    assert order.refund_amount == 2_500 + 1_500 and order.charged_total == 21_500
    assert "국산 두부 2→1개" in tofu_order_event_note(order) and "콩나물 품절" in tofu_order_event_note(order)


def tofu_order_event_note(order) -> str:
    return next(e.note for e in order.events if e.to_status == "partly_accepted")


def test_fee_never_rises_after_refusals(shop, resident, owners):
    """Given 45,000원 of apples (free delivery), when the stall keeps only 2 of 5, then the resident pays
    18,000원: the fee stays waived."""
    order = place(shop, resident, [LineRequest(shop.apples.id, 5)])
    veg_order = stall_order_of(order, shop.veg_stall)
    accept_stall_order(owners["veg"], veg_order.id, FROZEN_NOW, {veg_order.lines[0].id: 2})
    assert order.delivery_fee == 0 and order.charged_total == 18_000 and order.status == "accepted"


def test_refusal_gives_stock_back_and_all_refused_cancels_the_order(shop, resident, owners):
    """Given a two-stall order, when both stalls refuse, then stock is back, the order is cancelled with
    nothing charged and the resident is told."""
    order = place(shop, resident, [LineRequest(shop.tofu.id, 4), LineRequest(shop.mackerel.id, 2)])
    reject_stall_order(owners["tofu"], stall_order_of(order, shop.tofu_stall).id, "재료 소진", FROZEN_NOW)
    assert order.status == "placed" and stock_of(shop.tofu) == 20

    reject_stall_order(owners["fish"], stall_order_of(order, shop.fish_stall).id, "오늘 영업 종료", FROZEN_NOW)

    assert order.status == "cancelled" and order.charged_total == 0
    assert stock_of(shop.mackerel) == 5
    assert "order_cancelled" in _kinds()
    assert stall_order_of(order, shop.fish_stall).reject_reason == "오늘 영업 종료"


def test_accepting_zero_of_everything_is_a_refusal(shop, resident, owners):
    """Given a one-stall order, when the stall marks every line 품절, then it is rejected and the order
    cancelled."""
    order = place(shop, resident, [LineRequest(shop.mackerel.id, 3)])
    fish = stall_order_of(order, shop.fish_stall)
    accept_stall_order(owners["fish"], fish.id, FROZEN_NOW, {fish.lines[0].id: 0})
    assert fish.status == "rejected" and order.status == "cancelled" and stock_of(shop.mackerel) == 5


def test_packing_every_kept_part_packs_the_order_with_the_bag_total(shop, resident, owners):
    """Given an order where the fish stall refused, when the other two accept and pack (2 and 1 bags), then
    the order is packed with 3 bags."""
    order = place(shop, resident)
    reject_stall_order(owners["fish"], stall_order_of(order, shop.fish_stall).id, "재료 소진", FROZEN_NOW)
    for key, stall, bags in (("tofu", shop.tofu_stall, 2), ("veg", shop.veg_stall, 1)):
        accept_stall_order(owners[key], stall_order_of(order, stall).id, FROZEN_NOW)
        pack_stall_order(owners[key], stall_order_of(order, stall).id, FROZEN_NOW, bags)
    assert order.status == "packed" and order.bags == 3
    assert [e.to_status for e in order.events if e.stall_order_id is None] == ["placed", "accepted", "packed"]


def test_a_stall_may_pack_before_the_others_answer(shop, resident, owners):
    """Given the tofu stall accepted and packed while the others wait, when they accept and pack too,
    then the order passes accepted and packed, one step and one event each."""
    order = place(shop, resident, [LineRequest(shop.tofu.id, 4), LineRequest(shop.apples.id, 1)])
    tofu, veg = stall_order_of(order, shop.tofu_stall), stall_order_of(order, shop.veg_stall)
    accept_stall_order(owners["tofu"], tofu.id, FROZEN_NOW)
    pack_stall_order(owners["tofu"], tofu.id, FROZEN_NOW)
    assert order.status == "placed"
    accept_stall_order(owners["veg"], veg.id, FROZEN_NOW)
    assert order.status == "accepted"
    pack_stall_order(owners["veg"], veg.id, FROZEN_NOW)
    assert order.status == "packed" and order.bags == tofu.bags + veg.bags


def test_packing_after_the_planner_assigned_the_order_keeps_it_assigned(shop, resident, owners):
    """Given an accepted order the planner already put on a route, when the last stall packs, then the
    order stays assigned and takes the packed bag count."""
    order = place(shop, resident, [LineRequest(shop.apples.id, 2)])
    veg = stall_order_of(order, shop.veg_stall)
    accept_stall_order(owners["veg"], veg.id, FROZEN_NOW)
    order.status = "assigned"  # what the planning job does
    db.session.commit()
    pack_stall_order(owners["veg"], veg.id, FROZEN_NOW, 2)
    assert order.status == "assigned" and order.bags == 2


@pytest.mark.parametrize("action", ["accept_again", "reject_after_accept", "pack_pending"])
def test_illegal_transitions_raise_and_change_nothing(shop, resident, owners, action):
    """Given a stall order in some state, when an illegal move is asked, then invalid_transition (409)
    and no status, stock, event or message changes."""
    order = place(shop, resident)
    tofu = stall_order_of(order, shop.tofu_stall)
    if action != "pack_pending":
        accept_stall_order(owners["tofu"], tofu.id, FROZEN_NOW)
    before = (tofu.status, order.status, stock_of(shop.tofu), _event_count(), len(_kinds()))

    with pytest.raises(DomainError) as caught:
        if action == "accept_again":
            accept_stall_order(owners["tofu"], tofu.id, FROZEN_NOW, {tofu.lines[0].id: 1})
        elif action == "reject_after_accept":
            reject_stall_order(owners["tofu"], tofu.id, "재료 소진", FROZEN_NOW)
        else:
            pack_stall_order(owners["tofu"], tofu.id, FROZEN_NOW)

    assert (caught.value.code, caught.value.status) == ("invalid_transition", 409)
    db.session.expire_all()
    assert (tofu.status, order.status, stock_of(shop.tofu), _event_count(), len(_kinds())) == before
    assert all(l.accepted_quantity in (None, l.quantity) for l in tofu.lines)


def test_resident_cancels_before_any_stall_accepts_and_stock_comes_back(shop, resident, owners):
    """Given an order one stall has refused and none accepted, when the resident cancels, then every stall
    order ends, all stock is back and nothing is charged."""
    order = place(shop, resident)
    reject_stall_order(owners["fish"], stall_order_of(order, shop.fish_stall).id, "재료 소진", FROZEN_NOW)

    cancel_order(resident, order.id, FROZEN_NOW)

    assert order.status == "cancelled" and order.charged_total == 0
    assert sorted(so.status for so in order.stall_orders) == ["cancelled", "cancelled", "rejected"]
    assert (stock_of(shop.tofu), stock_of(shop.apples), stock_of(shop.mackerel)) == (20, 10, 5)
    assert _kinds().count("order_cancelled") == 1


def test_resident_cannot_cancel_once_a_stall_accepted(shop, resident, owners):
    """Given a stall accepted, when the resident cancels, then invalid_transition and nothing changes."""
    order = place(shop, resident)
    accept_stall_order(owners["tofu"], stall_order_of(order, shop.tofu_stall).id, FROZEN_NOW)
    events_before = _event_count()
    with pytest.raises(DomainError) as caught:
        cancel_order(resident, order.id, FROZEN_NOW)
    assert caught.value.code == "invalid_transition"
    assert order.status == "placed" and _event_count() == events_before and stock_of(shop.tofu) == 18


def test_the_order_page_shows_refusals_and_the_reduced_total(client, login, shop, resident, owners):
    """Given the tofu stall kept 1 of 2 tofu, when the resident opens the order page, then it shows the
    stall's status, the struck quantity, the amount not charged, the new total and the timeline."""
    order = place(shop, resident)
    tofu = stall_order_of(order, shop.tofu_stall)
    accept_stall_order(owners["tofu"], tofu.id, FROZEN_NOW, {_line(tofu, "국산 두부").id: 1})
    login(resident)

    page = client.get(f"/orders/{order.id}").get_data(as_text=True)

    assert "일부 수락" in page and "<s>2</s>" in page
    assert "청구하지 않는 금액 −2,500원" in page and "23,000원" in page
    assert "국산 두부 2→1개" in page  # the timeline note
    assert "주문 취소" not in page  # a stall accepted: no cancel button


def test_the_resident_cancels_from_the_order_page(client, login, shop, resident):
    """Given a fresh order, when the resident presses 주문 취소, then it first asks (a stray tap cancels
    nothing) and after 네, 취소합니다 the page says it is cancelled."""
    order = place(shop, resident)
    login(resident)
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert page.index("주문 취소</summary>") < page.index(f"주문 {order.id}번을 취소할까요?") < page.index("네, 취소합니다")
    response = client.post(f"/orders/{order.id}/cancel", follow_redirects=True)
    assert "주문을 취소했습니다" in response.get_data(as_text=True)
    assert order.status == "cancelled"
    history = client.get("/orders").get_data(as_text=True)
    assert f"주문 {order.id}번" in history and "주문 취소" in history
