"""End to end: one order's whole life, with frozen time, through the real operations and the real
Twilio client against the local stand-in, produces exactly the expected texts, no more, no fewer."""
from __future__ import annotations

import re
from collections import Counter
from datetime import datetime

import pytest
from sqlalchemy import select

from market_app import clock
from market_app.clock import SEOUL
from market_app.delivery.tasks import plan_due_waves
from market_app.extensions import db
from market_app.notify.models import OutboxMessage, OutboxStatus
from market_app.notify.sms_text import CARRIER_PREFIX, MAX_ROUTE_SEGMENTS, check_carrier_safe, check_one_segment, \
    segment_count
from market_app.notify.tasks import dispatch_sms
from market_app.ordering.models import Order
from market_app.ordering.operations import accept_stall_order, pack_stall_order, remind_unanswered
from tests.delivery.factories import make_courier
from tests.ordering.factories import (make_market_admin, make_owner, make_resident, make_shop, place,
                                      stall_order_of)
from tests.support.twilio_standin import via_test_client


@pytest.fixture
def at(monkeypatch):
    """Move the one wall clock (and with it the stand-in's) to HH:MM on the frozen Tuesday."""
    def move(hh_mm: str) -> datetime:
        hour, minute = map(int, hh_mm.split(":"))
        moment = datetime(2026, 11, 24, hour, minute, tzinfo=SEOUL)
        monkeypatch.setattr(clock, "now", lambda: moment)
        return moment
    return move


def test_an_orders_whole_life_texts_exactly_the_expected_people(app, client, twilio_gateway, standin, at):
    """Given a resident ordering from three stalls of 망원시장 at 10:00 for the 14:00 wave, one stall
    answering only after a reminder and an escalation, one line refused, the wave planned at 14:30 and
    the courier delivering through the link in the route SMS, when the dispatcher runs along the way,
    then Twilio received exactly: the resident's received / accepted (with the amount not charged) /
    dispatched / delivered texts, each stall's new-order text, the late stall's reminder, the admin's
    escalation and the courier's route list, each within its length and character limits."""
    shop = make_shop()
    resident = make_resident(phone="+821023456789")
    owners = {stall.id: make_owner(stall, name=f"사장{stall.id}") for stall in
              (shop.tofu_stall, shop.veg_stall, shop.fish_stall)}
    admin = make_market_admin(shop.market)
    courier = make_courier(shop.market, name="김배송")
    db.session.commit()

    order = place(shop, resident, now=at("10:00"))
    dispatch_sms(now=at("10:00"))

    tofu = stall_order_of(order, shop.tofu_stall)
    sprouts = next(line for line in tofu.lines if line.product_id == shop.bean_sprouts.id)
    accept_stall_order(owners[shop.tofu_stall.id], tofu.id, at("10:05"), {sprouts.id: 0})  # 콩나물 품절
    accept_stall_order(owners[shop.veg_stall.id], stall_order_of(order, shop.veg_stall).id, at("10:05"))
    dispatch_sms(now=at("10:05"))
    for moment in ("10:10", "10:20", "10:21"):  # the fish stall stays silent: reminder, then escalation
        remind_unanswered(at(moment))
        dispatch_sms(now=at(moment))
    accept_stall_order(owners[shop.fish_stall.id], stall_order_of(order, shop.fish_stall).id, at("10:25"))
    dispatch_sms(now=at("10:25"))
    for stall_order in order.stall_orders:
        pack_stall_order(owners[stall_order.stall_id], stall_order.id, at("11:00"))
    dispatch_sms(now=at("11:00"))

    plan_due_waves(at("14:30"))
    plan_due_waves(at("14:31"))  # a second scheduler tick plans and texts nothing new
    dispatch_sms(now=at("14:31"))
    route_sms = next(m for m in standin.messages if m["to"] == courier.phone)
    route_path = re.search(r"/r/\S+", route_sms["body"]).group(0)
    route_page = client.get(route_path, base_url=app.config["PUBLIC_BASE_URL"]).get_data(as_text=True)
    stop_id = re.search(r'id="stop-(\d+)"', route_page).group(1)
    at("14:40")
    client.post(f"{route_path}/start")
    dispatch_sms(now=at("14:40"))
    at("14:52")
    client.post(f"{route_path}/stops/{stop_id}/delivered")
    client.post(f"{route_path}/stops/{stop_id}/delivered")  # a double tap texts nobody twice
    dispatch_sms(now=at("14:52"))
    standin.callbacks_to = via_test_client(client)
    standin.deliver_callbacks()

    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "delivered"
    rows = {row.provider_id: row for row in db.session.scalars(select(OutboxMessage))}
    received = Counter((message["to"], rows[message["sid"]].kind) for message in standin.messages)
    assert received == Counter({
        (resident.phone, "order_placed"): 1,
        (shop.tofu_stall.phone, "stall_order_waiting"): 1,
        (shop.veg_stall.phone, "stall_order_waiting"): 1,
        (shop.fish_stall.phone, "stall_order_waiting"): 1,
        (shop.fish_stall.phone, "stall_order_reminder"): 1,
        (admin.phone, "stall_order_escalated"): 1,
        (resident.phone, "order_accepted"): 1,
        (courier.phone, "courier_route"): 1,
        (resident.phone, "order_dispatched"): 1,
        (resident.phone, "order_delivered"): 1,
    })
    assert {row.status for row in rows.values()} == {OutboxStatus.DELIVERED}
    assert len(rows) == len(standin.messages)  # nothing queued that was not sent
    for message in standin.messages:
        check_carrier_safe(message["body"])
        if rows[message["sid"]].kind == "courier_route":
            assert segment_count(CARRIER_PREFIX + message["body"]) <= MAX_ROUTE_SEGMENTS
        else:
            check_one_segment(message["body"])
    accepted = next(m["body"] for m in standin.messages if rows[m["sid"]].kind == "order_accepted")
    assert "1,500원" in accepted  # the refused 콩나물 is not charged
    assert route_sms["body"].startswith("[망원시장] 14:00 배송 1곳")
