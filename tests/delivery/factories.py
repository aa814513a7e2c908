"""Factories for delivery tests: couriers with shifts and orders already accepted into a wave."""
from __future__ import annotations

import itertools
import re
import math
from datetime import date, datetime

from market_app.clock import SEOUL
from market_app.delivery.models import Courier, CourierShift
from market_app.extensions import db
from market_app.ordering.models import Order, OrderLine, StallOrder
from tests.factories import CREATED, MANGWON, make_address, make_product, make_stall, make_user, next_mobile

_keys = itertools.count(1)

# Tuesday 2026-11-24, the frozen test day.
TUESDAY = date(2026, 11, 24)


def make_courier(market, name="이배송", capacity_bags=12, vehicle_kind="motorbike",
                 shifts=((1, "09:00", "20:00"),), phone=None, is_active=True) -> Courier:
    courier = Courier(market_id=market.id, name=name, phone=phone or next_mobile(), vehicle_kind=vehicle_kind,
                      capacity_bags=capacity_bags, is_active=is_active)
    courier.shifts = [CourierShift(weekday=d, start=s, end=e) for d, s, e in shifts]
    db.session.add(courier)
    db.session.flush()
    return courier


def spot_near(index: int, base=MANGWON, metres: float = 700.0) -> tuple[float, float]:
    """A delivery spot `metres` from the market, spread around the compass by `index`."""
    angle = index * 2.399963  # golden angle: spots never line up
    distance = metres * (0.4 + 0.6 * ((index * 37) % 10) / 10)
    return (base[0] + distance * math.cos(angle) / 110_574,
            base[1] + distance * math.sin(angle) / (111_320 * math.cos(math.radians(base[0]))))


def make_order(market, *, status="accepted", wave_date: date = TUESDAY, wave_cutoff="14:00", bags=1,
               spot: tuple[float, float] | None = None, resident=None, stall=None,
               created_at: datetime = datetime(2026, 11, 24, 9, 0, tzinfo=SEOUL)) -> Order:
    """An order of one stall with one line, answered (accepted/packed) before the cut-off."""
    resident = resident or make_user(name="주민")
    address = resident.addresses[0] if resident.addresses else make_address(resident)
    lat, lng = spot or (address.lat, address.lng)
    if stall is None:
        stall = make_stall(market, name=f"가게{next(_keys)}")
    product = make_product(stall, name=f"상품{next(_keys)}")
    order = Order(resident_id=resident.id, market_id=market.id, status=status,
                  idempotency_key=f"test-{next(_keys)}", gu=address.gu, dong=address.dong,
                  address_detail=address.detail, lat=lat, lng=lng, contact_phone=resident.phone,
                  wave_date=wave_date, wave_cutoff=wave_cutoff, subtotal=20000, delivery_fee=3000, total=23000,
                  refund_amount=0, bags=bags, created_at=created_at, updated_at=created_at)
    db.session.add(order)
    db.session.flush()
    stall_status = "packed" if status in ("packed", "assigned", "out_for_delivery", "delivered", "failed") else (
        "accepted" if status == "accepted" else "pending")
    stall_order = StallOrder(order_id=order.id, stall_id=stall.id, status=stall_status, bags=bags, created_at=created_at)
    db.session.add(stall_order)
    db.session.flush()
    db.session.add(OrderLine(stall_order_id=stall_order.id, product_id=product.id, product_name=product.name,
                             unit=product.unit, unit_price=product.price, quantity=1, accepted_quantity=1,
                             substitution="refund"))
    db.session.flush()
    return order


__all__ = ["CREATED", "TUESDAY", "make_courier", "make_order", "spot_near"]


def route_paths_from_sms() -> list[str]:
    """The route-page paths (/r/<token>) of every courier route SMS queued so far, oldest first:
    tests open the courier's page the way the courier does, from the text."""
    from sqlalchemy import select

    from market_app.notify.models import OutboxMessage

    bodies = db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.kind == "courier_route")
                                .order_by(OutboxMessage.id))
    return [re.search(r"/r/\S+", body).group(0) for body in bodies]
