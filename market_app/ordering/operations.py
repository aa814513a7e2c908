"""Ordering use cases: checkout, the resident's cancel, the stall's answer and packing, and the
system's cut-off cancellation.

Each use case takes the acting user (None for the system) and `now`, loads, checks access,
changes state only through the transition table in `states.py` (writing an OrderEvent per
change), queues SMS through `notify.events`, and owns its transaction: it commits on success
and rolls back everything (stock included) when it refuses.

Access: a resident who asks for someone else's order, or a stall owner for another stall's
order, gets 404 `not_found` (the order does not exist for them); a user of the wrong role
gets 403 `forbidden`.

Concurrency: stock is taken with one conditional UPDATE per product, in product-id order, so
two checkouts racing for the last unit cannot both win and never deadlock. Every change to an
existing order first locks the order row (PostgreSQL `FOR UPDATE`), so two stalls answering
at once cannot both miss that the order is now fully answered.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..accounts.models import Address, Role, User
from ..catalog.market_rules import market_fees, wave_rules
from ..catalog.models import Market, Product
from ..catalog.operations import get_market
from ..clock import SEOUL
from ..delivery.bags import estimate_bags
from ..delivery.models import WavePlan
from ..delivery.waves import Wave, WaveError, check_wave_open, find_wave, upcoming_waves
from ..errors import DomainError, Forbidden, NotFound, Unprocessable
from ..extensions import db
from ..geo.distance import haversine_m
from ..geo.gazetteer import Gazetteer
from ..notify import events
from ..particles import with_particle
from .carts import check_orderable
from .errors import (OutsideDeliveryArea, OutOfStock, PriceChanged, from_below_minimum,
                     from_invalid_transition, from_wave_error)
from .models import Order, OrderEvent, OrderLine, StallOrder, Substitution
from .pricing import BelowMinimum, Line, Totals, check_minimum, price_order, refund_for_refusals
from .states import (InvalidTransition, OrderStatus, StallOrderStatus,
                     check_order_transition, check_stall_order_transition,
                     order_status_from_stall_orders, resident_can_cancel)

log = logging.getLogger(__name__)

SYSTEM_ACTOR = "시스템"
MAX_LINES = 100
MAX_BAGS = 30

CANCEL_REASON_RESIDENT = "고객 요청"
CANCEL_REASON_ALL_REFUSED = "주문하신 상품이 모두 품절"
CANCEL_REASON_NO_ANSWER = "마감 시각까지 상점 응답 없음"


# --- requests ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class LineRequest:
    product_id: int
    quantity: int
    substitution: str = Substitution.REFUND


@dataclass(frozen=True)
class AddressRequest:
    """A saved address of the resident, or a 동 from the gazetteer plus the detail line."""

    address_id: int | None = None
    dong_code: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class CheckoutRequest:
    market_id: int
    lines: tuple[LineRequest, ...]
    address: AddressRequest
    wave_date: date
    wave_cutoff: time
    idempotency_key: str
    # The subtotal the resident saw; a different one now means prices changed meanwhile.
    expected_subtotal: int | None = None


@dataclass(frozen=True)
class CheckoutResult:
    order: Order
    created: bool  # False when the idempotency key named an order placed before


# --- small helpers ----------------------------------------------------------------------------

def actor_label(user: User | None) -> str:
    if user is None:
        return SYSTEM_ACTOR
    if user.role == Role.STALL_OWNER and user.stall is not None:
        return f"{user.stall.name} ({user.name})"
    return f"{user.name} ({Role.LABELS.get(user.role, user.role)})"


def _record(order: Order, actor: User | None, now: datetime, from_status: str | None, to_status: str,
            note: str | None = None, stall_order: StallOrder | None = None) -> OrderEvent:
    event = OrderEvent(order_id=order.id, stall_order_id=stall_order.id if stall_order else None,
                       actor_id=actor.id if actor else None, actor_label=actor_label(actor)[:60], at=now,
                       from_status=from_status, to_status=to_status, note=(note or None) and note[:300])
    db.session.add(event)
    return event


def _move_order(order: Order, to: str, actor: User | None, now: datetime, note: str | None = None) -> None:
    from_status = order.status
    order.status = check_order_transition(from_status, to).value
    order.updated_at = now
    _record(order, actor, now, from_status, order.status, note)


def _move_stall_order(stall_order: StallOrder, to: str, actor: User | None, now: datetime,
                      note: str | None = None) -> None:
    from_status = stall_order.status
    stall_order.status = check_stall_order_transition(from_status, to).value
    _record(stall_order.order, actor, now, from_status, stall_order.status, note, stall_order)


def _take_stock(product_id: int, quantity: int) -> bool:
    """Atomically take `quantity` units; False when there are not enough (nothing taken)."""
    result = db.session.execute(
        update(Product)
        .where(Product.id == product_id,
               (Product.stock.is_(None)) | (Product.stock >= quantity),
               Product.sold_out.is_(False))
        .values(stock=Product.stock - quantity)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def _give_back_stock(product_id: int, quantity: int) -> None:
    if quantity <= 0:
        return
    db.session.execute(
        update(Product).where(Product.id == product_id, Product.stock.is_not(None))
        .values(stock=Product.stock + quantity).execution_options(synchronize_session=False))


def parse_wave_key(key: str) -> tuple[date, time]:
    """"2026-11-24@14:00" (a Wave.key, as forms and the API pass it back) -> (date, cut-off time)."""
    try:
        day, cutoff = key.split("@")
        return date.fromisoformat(day), time.fromisoformat(cutoff)
    except ValueError:
        raise Unprocessable("배송 회차를 다시 선택해 주세요.", code="unknown_wave") from None


def wave_of(order: Order) -> Wave | None:
    """The order's wave as the market's rules describe it (None if the rules no longer have it)."""
    try:
        return find_wave(wave_rules(order.market), order.wave_date, time.fromisoformat(order.wave_cutoff))
    except WaveError:
        return None


# --- checkout ---------------------------------------------------------------------------------

def _merged_lines(lines: tuple[LineRequest, ...]) -> list[LineRequest]:
    if not lines:
        raise Unprocessable("주문할 상품을 담아 주세요.", code="empty_order")
    if len(lines) > MAX_LINES:
        raise Unprocessable(f"한 번에 {MAX_LINES}개 품목까지 주문할 수 있습니다.", code="too_many_lines")
    merged: dict[int, LineRequest] = {}
    for line in lines:
        if line.substitution not in Substitution.ALL:
            raise Unprocessable("대체 방법을 다시 선택해 주세요.", code="invalid_substitution")
        earlier = merged.get(line.product_id)
        quantity = line.quantity + (earlier.quantity if earlier else 0)
        if not isinstance(line.quantity, int) or line.quantity < 1 or quantity > 99:
            raise Unprocessable("수량은 1개부터 99개까지 주문할 수 있습니다.", code="invalid_quantity")
        merged[line.product_id] = LineRequest(line.product_id, quantity, line.substitution)
    return list(merged.values())


@dataclass(frozen=True)
class _Destination:
    gu: str
    dong: str
    detail: str
    lat: float
    lng: float


def _destination(resident: User, request: AddressRequest, now: datetime) -> _Destination:
    if request.address_id is not None:
        address = db.session.get(Address, request.address_id)
        if address is None or address.user_id != resident.id:
            raise Unprocessable("저장된 주소를 찾을 수 없습니다.", code="address_not_found")
        return _Destination(address.gu, address.dong, address.detail, address.lat, address.lng)
    place = Gazetteer.load().by_code(request.dong_code or "")
    if place is None:
        raise Unprocessable("배달받을 동을 선택해 주세요.", code="unknown_dong")
    detail = (request.detail or "").strip()
    if not detail:
        raise Unprocessable("상세 주소(도로명, 동·호수)를 입력해 주세요.", code="address_detail_required")
    if len(detail) > 120:
        raise Unprocessable("상세 주소는 120자까지 입력할 수 있습니다.", code="address_detail_too_long")
    # Saved for next time (once per 동 and detail line), with the 동's coordinates.
    saved = db.session.scalar(select(Address).where(Address.user_id == resident.id,
                                                    Address.dong_code == place.code, Address.detail == detail))
    if saved is None:
        db.session.add(Address(user_id=resident.id, gu=place.gu, dong=place.dong, dong_code=place.code,
                               detail=detail, lat=place.lat, lng=place.lng, created_at=now))
    return _Destination(place.gu, place.dong, detail, place.lat, place.lng)


def wave_is_planned(market_id: int, wave: Wave) -> bool:
    """The wave's routes exist (it may be planned on demand before its cut-off): an order placed now
    would never reach a route, so the wave takes no more orders."""
    return db.session.scalar(select(WavePlan.id).where(
        WavePlan.market_id == market_id, WavePlan.wave_date == wave.date,
        WavePlan.wave_cutoff == f"{wave.cutoff:%H:%M}")) is not None


def orderable_waves(market: Market, now: datetime, limit: int = 4) -> list[Wave]:
    """The next waves still taking orders: cut-off not passed, market open, not planned yet."""
    waves = upcoming_waves(wave_rules(market), now, limit=limit + 2)
    return [wave for wave in waves if not wave_is_planned(market.id, wave)][:limit]


def check_delivery_area(market: Market, lat: float, lng: float) -> int:
    """The distance in metres, or OutsideDeliveryArea when beyond the market's radius."""
    distance = int(round(haversine_m(market.lat, market.lng, lat, lng)))
    if distance > market.delivery_radius_m:
        raise OutsideDeliveryArea(
            f"{with_particle(market.name, '은/는')} {market.delivery_radius_m / 1000:.1f}km 안까지만 배달합니다 "
            f"(이 주소는 {distance / 1000:.1f}km).")
    return distance


def order_by_idempotency_key(resident_id: int, key: str) -> Order | None:
    return db.session.scalar(select(Order).where(Order.resident_id == resident_id, Order.idempotency_key == key))


def _clean_key(key: str | None) -> str:
    key = (key or "").strip()
    if not 8 <= len(key) <= 80:
        raise DomainError("Idempotency-Key(8~80자)가 필요합니다.", code="idempotency_key_required")
    return key


def place_order(resident: User, request: CheckoutRequest, now: datetime) -> CheckoutResult:
    """Check everything, take stock, create the order; a repeated key returns the first order."""
    if resident.role != Role.RESIDENT:
        raise Forbidden("주문은 주민 계정으로 할 수 있습니다.")
    key = _clean_key(request.idempotency_key)
    existing = order_by_idempotency_key(resident.id, key)
    if existing is not None:
        return CheckoutResult(existing, created=False)
    try:
        order = _create_order(resident, request, key, now)
        db.session.commit()
    except IntegrityError:
        # A concurrent request with the same key won the unique constraint: answer with its order.
        db.session.rollback()
        existing = order_by_idempotency_key(resident.id, key)
        if existing is None:
            raise
        return CheckoutResult(existing, created=False)
    except BaseException:
        db.session.rollback()
        raise
    return CheckoutResult(order, created=True)


def _create_order(resident: User, request: CheckoutRequest, key: str, now: datetime) -> Order:
    market = get_market(request.market_id)
    lines = _merged_lines(request.lines)
    products = {p.id: p for p in db.session.scalars(
        select(Product).where(Product.id.in_([l.product_id for l in lines])))}
    for line in lines:
        product = products.get(line.product_id)
        if product is None or product.stall.market_id != market.id:
            raise Unprocessable("이 시장에서 팔지 않는 상품이 있습니다.", code="unknown_product")
        check_orderable(product, line.quantity)
    destination = _destination(resident, request.address, now)
    check_delivery_area(market, destination.lat, destination.lng)
    try:
        wave = check_wave_open(wave_rules(market), request.wave_date, request.wave_cutoff, now)
    except WaveError as error:
        raise from_wave_error(error) from error
    if wave_is_planned(market.id, wave):
        raise DomainError("이 배송 회차는 배송 경로가 이미 정해져 주문을 받지 않습니다. 다음 회차를 골라 주세요.",
                          code="wave_closed", status=409)
    fees = market_fees(market)
    totals = price_order([Line(l.product_id, products[l.product_id].price, l.quantity) for l in lines], fees)
    try:
        check_minimum(totals.subtotal, fees)
    except BelowMinimum as error:
        raise from_below_minimum(error) from error
    if request.expected_subtotal is not None and request.expected_subtotal != totals.subtotal:
        raise PriceChanged(f"그 사이 가격이 바뀌었습니다. 바뀐 금액({totals.subtotal:,}원)을 확인하고 "
                           "다시 주문해 주세요.")

    order = Order(resident_id=resident.id, market_id=market.id, status=OrderStatus.PLACED.value,
                  idempotency_key=key, gu=destination.gu, dong=destination.dong,
                  address_detail=destination.detail, lat=destination.lat, lng=destination.lng,
                  contact_phone=resident.phone, wave_date=wave.date, wave_cutoff=f"{wave.cutoff:%H:%M}",
                  subtotal=totals.subtotal, delivery_fee=totals.delivery_fee, total=totals.total,
                  refund_amount=0, bags=1, created_at=now, updated_at=now)
    db.session.add(order)
    db.session.flush()  # a duplicate key fails here, before any stock is taken

    by_stall: dict[int, list[LineRequest]] = defaultdict(list)
    for line in lines:
        by_stall[products[line.product_id].stall_id].append(line)
    for stall_id in sorted(by_stall):
        stall_order = StallOrder(order_id=order.id, stall_id=stall_id, status=StallOrderStatus.PENDING.value,
                                 created_at=now)
        db.session.add(stall_order)
        for line in by_stall[stall_id]:
            product = products[line.product_id]
            stall_order.lines.append(OrderLine(product_id=product.id, product_name=product.name,
                                               unit=product.unit or "", unit_price=product.price,
                                               quantity=line.quantity, substitution=line.substitution))
        order.stall_orders.append(stall_order)

    for line in sorted(lines, key=lambda l: l.product_id):  # one global order: no deadlocks
        if not _take_stock(line.product_id, line.quantity):
            raise OutOfStock(f"{with_particle(products[line.product_id].name, '이/가')} 방금 품절되었습니다. "
                             "장바구니를 확인해 주세요.")
    for product in products.values():
        db.session.expire(product)

    order.bags = estimate_bags((products[l.product_id].stall.category, l.quantity) for l in lines)
    stall_count = len(by_stall)
    _record(order, resident, now, None, OrderStatus.PLACED.value,
            f"{stall_count}개 점포 · {len(lines)}개 품목 · {wave.label}")
    db.session.flush()
    events.order_placed(order, now)
    return order


# --- resident: read and cancel ----------------------------------------------------------------

def get_order_for_resident(user: User, order_id: int) -> Order:
    """The resident's own order; anyone else's is 404 (its existence is not revealed)."""
    if user is None or user.role != Role.RESIDENT:
        raise Forbidden("주문 내역은 주민 계정으로 볼 수 있습니다.")
    order = db.session.get(Order, order_id)
    if order is None or order.resident_id != user.id:
        raise NotFound("주문을 찾을 수 없습니다.")
    return order


def resident_orders(user: User, limit: int = 50) -> list[Order]:
    return list(db.session.scalars(select(Order).where(Order.resident_id == user.id)
                                   .order_by(Order.created_at.desc(), Order.id.desc()).limit(limit)))


def _lock_order(order_id: int) -> Order:
    """The order row locked for this transaction, with fresh stall orders and lines."""
    order = db.session.scalar(select(Order).where(Order.id == order_id).with_for_update()
                              .execution_options(populate_existing=True))
    if order is None:
        raise NotFound("주문을 찾을 수 없습니다.")
    db.session.scalars(select(StallOrder).where(StallOrder.order_id == order_id)
                       .execution_options(populate_existing=True)).all()
    db.session.scalars(select(OrderLine).join(StallOrder).where(StallOrder.order_id == order_id)
                       .execution_options(populate_existing=True)).all()
    db.session.expire(order, ["stall_orders"])
    return order


def can_cancel(order: Order) -> bool:
    return resident_can_cancel(order.status, [s.status for s in order.stall_orders])


def cancel_order(resident: User, order_id: int, now: datetime) -> Order:
    """The resident cancels until the first stall accepts; stock of open lines goes back."""
    get_order_for_resident(resident, order_id)
    try:
        order = _lock_order(order_id)
        if not can_cancel(order):
            raise from_invalid_transition(
                InvalidTransition("order", order.status, OrderStatus.CANCELLED, "a stall already accepted"),
                "상점이 이미 주문을 확인해 취소할 수 없습니다. 시장에 전화해 주세요.")
        for stall_order in order.stall_orders:
            if stall_order.status == StallOrderStatus.PENDING:
                _cancel_pending_stall_order(stall_order, resident, now, CANCEL_REASON_RESIDENT)
        _move_order(order, OrderStatus.CANCELLED, resident, now, CANCEL_REASON_RESIDENT)
        order.refund_amount = order.total
        events.order_cancelled(order, now, CANCEL_REASON_RESIDENT)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return order


# The market may cancel an answered order until it is on a route (an assigned order is re-planned
# first, so no courier drives to a cancelled stop), and an order whose delivery failed.
MARKET_CANCELLABLE = frozenset({OrderStatus.ACCEPTED, OrderStatus.PACKED, OrderStatus.FAILED})
CANCEL_REASON_MARKET = "시장 사정"


def cancel_order_for_market(admin: User, market: Market, order_id: int, reason: str, now: datetime) -> Order:
    """The market admin cancels an order (the resident phoned, a failed delivery is given up): every
    kept unit goes back to its stall's stock (the goods are back at the stall), nothing is charged,
    the resident gets one text. The caller has checked that `admin` manages `market`."""
    reason = (reason or "").strip()[:100] or CANCEL_REASON_MARKET

    def work() -> Order:
        order = _lock_order(order_id)
        if order.market_id != market.id:
            raise NotFound("주문을 찾을 수 없습니다.")
        if order.status not in MARKET_CANCELLABLE:
            raise from_invalid_transition(
                InvalidTransition("order", order.status, OrderStatus.CANCELLED, "not cancellable by the market"),
                "배송 경로에 배정되었거나 이미 끝난 주문은 취소할 수 없습니다. 배정된 주문은 다시 계획한 뒤 취소해 주세요.")
        for stall_order in order.stall_orders:
            if stall_order.status in (StallOrderStatus.REJECTED, StallOrderStatus.CANCELLED):
                continue
            for line in stall_order.lines:
                _give_back_stock(line.product_id, kept_quantity(line))
                line.accepted_quantity = 0
            _move_stall_order(stall_order, StallOrderStatus.CANCELLED, admin, now, reason)
        _move_order(order, OrderStatus.CANCELLED, admin, now, reason)
        order.refund_amount = order.total
        order.needs_attention = None
        events.order_cancelled(order, now, reason)
        return order
    return _in_transaction(work)


def _cancel_pending_stall_order(stall_order: StallOrder, actor: User | None, now: datetime, note: str) -> None:
    _move_stall_order(stall_order, StallOrderStatus.CANCELLED, actor, now, note)
    for line in stall_order.lines:
        _give_back_stock(line.product_id, line.quantity)
        line.accepted_quantity = 0


# --- the order follows its stall orders -------------------------------------------------------

def kept_quantity(line: OrderLine) -> int:
    """Units the resident will get (and pay for): all until answered, then what was accepted."""
    if line.stall_order.status in (StallOrderStatus.REJECTED, StallOrderStatus.CANCELLED):
        return 0
    return line.quantity if line.accepted_quantity is None else line.accepted_quantity


def _kept_lines(order: Order) -> list[OrderLine]:
    return [line for so in order.stall_orders for line in so.lines if kept_quantity(line) > 0]


def _recompute(order: Order) -> None:
    """Amount not charged (fee never goes up, see pricing) and the bag estimate of what is kept."""
    kept = _kept_lines(order)
    original = Totals(order.subtotal, order.delivery_fee, order.total)
    refund = refund_for_refusals(original, [Line(l.product_id, l.unit_price, kept_quantity(l)) for l in kept],
                                 market_fees(order.market))
    order.refund_amount = refund.amount_not_charged
    if kept:
        order.bags = estimate_bags((l.stall_order.stall.category, kept_quantity(l)) for l in kept)


def _settle(order: Order, actor: User | None, now: datetime, *, cancel_reason: str) -> None:
    """Move the order as far as its stall orders allow, one legal step (and event) at a time."""
    _recompute(order)
    while True:
        statuses = [so.status for so in order.stall_orders]
        next_status = order_status_from_stall_orders(order.status, statuses)
        if next_status is None:
            break
        if next_status == OrderStatus.ACCEPTED:
            _move_order(order, next_status, actor, now, "모든 점포가 주문을 확인했습니다")
            events.order_answered(order, now)
        elif next_status == OrderStatus.CANCELLED:
            _move_order(order, next_status, actor, now, cancel_reason)
            order.refund_amount = order.total
            events.order_cancelled(order, now, cancel_reason)
        else:
            _move_order(order, next_status, actor, now, "모든 점포가 포장을 마쳤습니다")
    going = [so for so in order.stall_orders
             if so.status not in (StallOrderStatus.REJECTED, StallOrderStatus.CANCELLED)]
    if going and all(so.status == StallOrderStatus.PACKED for so in going):
        # Whatever the order's status now (the planner may have assigned it), bags are what was packed.
        order.bags = sum(so.bags or 1 for so in going)


# --- stall owner: answer and pack -------------------------------------------------------------

def require_stall_owner(user: User | None) -> User:
    """The user if they own a stall (answering, packing, the tablet, products), else 403."""
    if user is None or user.role != Role.STALL_OWNER or user.stall_id is None:
        raise Forbidden("점포 주인만 할 수 있습니다.")
    return user


def get_stall_order_for_owner(user: User, stall_order_id: int) -> StallOrder:
    """The stall order of the owner's own stall; another stall's is 404."""
    require_stall_owner(user)
    stall_order = db.session.get(StallOrder, stall_order_id)
    if stall_order is None or stall_order.stall_id != user.stall_id:
        raise NotFound("주문을 찾을 수 없습니다.")
    return stall_order


def _locked_stall_order(user: User, stall_order_id: int) -> StallOrder:
    stall_order = get_stall_order_for_owner(user, stall_order_id)
    order = _lock_order(stall_order.order_id)
    return next(so for so in order.stall_orders if so.id == stall_order_id)


def _in_transaction(work):
    try:
        result = work()
        db.session.commit()
        return result
    except InvalidTransition as error:
        db.session.rollback()
        raise from_invalid_transition(error) from error
    except BaseException:
        db.session.rollback()
        raise


def accept_stall_order(owner: User, stall_order_id: int, now: datetime,
                       quantities: dict[int, int] | None = None) -> StallOrder:
    """Accept all, or per line a smaller quantity (0 = 품절). Refused units go back to stock.

    Every line accepted in full -> accepted; some refused -> partly_accepted; none kept -> rejected.
    """
    def work() -> StallOrder:
        stall_order = _locked_stall_order(owner, stall_order_id)
        wanted = _answered_quantities(stall_order, quantities or {})
        kept = sum(wanted.values())
        if kept == 0:
            target, note = StallOrderStatus.REJECTED, "모든 품목 품절"
        elif all(wanted[l.id] == l.quantity for l in stall_order.lines):
            target, note = StallOrderStatus.ACCEPTED, None
        else:
            target, note = StallOrderStatus.PARTLY_ACCEPTED, _refusal_note(stall_order, wanted)
        _move_stall_order(stall_order, target, owner, now, note)  # raises before anything changes
        for line in stall_order.lines:
            line.accepted_quantity = wanted[line.id]
            _give_back_stock(line.product_id, line.quantity - wanted[line.id])
        stall_order.answered_at = now
        stall_order.acknowledged_at = stall_order.acknowledged_at or now
        if target == StallOrderStatus.REJECTED:
            stall_order.reject_reason = note
        _settle(stall_order.order, owner, now, cancel_reason=CANCEL_REASON_ALL_REFUSED)
        return stall_order
    return _in_transaction(work)


def _answered_quantities(stall_order: StallOrder, quantities: dict[int, int]) -> dict[int, int]:
    line_ids = {line.id for line in stall_order.lines}
    unknown = set(quantities) - line_ids
    if unknown:
        raise Unprocessable("이 주문에 없는 품목입니다.", code="unknown_line")
    wanted = {}
    for line in stall_order.lines:
        quantity = quantities.get(line.id, line.quantity)
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 <= quantity <= line.quantity:
            raise Unprocessable(f"{line.product_name}: 0부터 {line.quantity}개까지 입력해 주세요.",
                                code="invalid_quantity")
        wanted[line.id] = quantity
    return wanted


def _refusal_note(stall_order: StallOrder, wanted: dict[int, int]) -> str:
    parts = []
    for line in stall_order.lines:
        if wanted[line.id] == 0:
            parts.append(f"{line.product_name} 품절")
        elif wanted[line.id] < line.quantity:
            parts.append(f"{line.product_name} {line.quantity}→{wanted[line.id]}개")
    return ", ".join(parts)


def reject_stall_order(owner: User, stall_order_id: int, reason: str, now: datetime) -> StallOrder:
    reason = (reason or "").strip()
    if not reason:
        raise Unprocessable("거절 사유를 선택해 주세요.", code="reason_required")

    def work() -> StallOrder:
        stall_order = _locked_stall_order(owner, stall_order_id)
        _move_stall_order(stall_order, StallOrderStatus.REJECTED, owner, now, reason)
        for line in stall_order.lines:
            line.accepted_quantity = 0
            _give_back_stock(line.product_id, line.quantity)
        stall_order.reject_reason = reason[:200]
        stall_order.answered_at = now
        stall_order.acknowledged_at = stall_order.acknowledged_at or now
        _settle(stall_order.order, owner, now, cancel_reason=CANCEL_REASON_ALL_REFUSED)
        return stall_order
    return _in_transaction(work)


def default_bags(stall_order: StallOrder) -> int:
    kept = [(stall_order.stall.category, kept_quantity(l)) for l in stall_order.lines if kept_quantity(l) > 0]
    return estimate_bags(kept) if kept else 1


def pack_stall_order(owner: User, stall_order_id: int, now: datetime, bags: int | None = None) -> StallOrder:
    """포장 완료, with the bag count (the estimate unless the owner says otherwise)."""
    if bags is not None and (not isinstance(bags, int) or isinstance(bags, bool) or not 1 <= bags <= MAX_BAGS):
        raise Unprocessable(f"봉투 수는 1부터 {MAX_BAGS}까지 입력해 주세요.", code="invalid_bags")

    def work() -> StallOrder:
        stall_order = _locked_stall_order(owner, stall_order_id)
        _move_stall_order(stall_order, StallOrderStatus.PACKED, owner, now,
                          f"봉투 {bags or default_bags(stall_order)}개")
        stall_order.bags = bags or default_bags(stall_order)
        stall_order.packed_at = now
        _settle(stall_order.order, owner, now, cancel_reason=CANCEL_REASON_ALL_REFUSED)
        return stall_order
    return _in_transaction(work)


def acknowledge_stall_orders(owner: User, now: datetime) -> int:
    """The owner tapped the chime away: every waiting order of the stall counts as seen."""
    require_stall_owner(owner)
    result = db.session.execute(
        update(StallOrder)
        .where(StallOrder.stall_id == owner.stall_id, StallOrder.status == StallOrderStatus.PENDING.value,
               StallOrder.acknowledged_at.is_(None))
        .values(acknowledged_at=now).execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount


# --- system: the wave's cut-off ---------------------------------------------------------------

def cancel_unanswered_stall_orders(now: datetime) -> int:
    """Cancel stall orders still pending at their wave's cut-off; give stock back, settle the order.

    Safe to run twice: a second run finds nothing pending. Returns the stall orders cancelled.
    """
    local_today = now.astimezone(SEOUL).date()
    candidates = db.session.execute(
        select(StallOrder.id, Order.id, Order.wave_date, Order.wave_cutoff).join(Order)
        .where(StallOrder.status == StallOrderStatus.PENDING.value, Order.wave_date <= local_today)
        .order_by(Order.id, StallOrder.id)).all()
    due_orders: dict[int, list[int]] = defaultdict(list)
    for stall_order_id, order_id, wave_date, wave_cutoff in candidates:
        cutoff = datetime.combine(wave_date, time.fromisoformat(wave_cutoff), tzinfo=SEOUL)
        if cutoff <= now:
            due_orders[order_id].append(stall_order_id)
    cancelled = 0
    for order_id in due_orders:  # one transaction per order: one bad order does not block the rest
        def work(order_id=order_id) -> int:
            order = _lock_order(order_id)
            count = 0
            for stall_order in order.stall_orders:
                if stall_order.status == StallOrderStatus.PENDING:  # re-checked under the lock
                    _cancel_pending_stall_order(stall_order, None, now, CANCEL_REASON_NO_ANSWER)
                    count += 1
            if count:
                _settle(order, None, now, cancel_reason=CANCEL_REASON_NO_ANSWER)
            return count
        try:
            cancelled += _in_transaction(work)
        except Exception:  # rolled back; this order is retried on the next run
            log.exception("cut-off of order %s failed; retried next run", order_id)
    return cancelled


# --- system: reminders and escalation ---------------------------------------------------------

@dataclass(frozen=True)
class ReminderRun:
    reminded: int
    escalated: int


def remind_unanswered(now: datetime) -> ReminderRun:
    """Pending stall orders waiting longer than the market's answer timeout get one reminder for the
    stall; longer than the escalation time, one message to the market's admins. Rerunning does
    nothing new: `reminded_at` / `escalated_at` mark what was done (and the outbox keys)."""
    pending = db.session.scalars(
        select(StallOrder).join(Order).where(
            StallOrder.status == StallOrderStatus.PENDING.value,
            (StallOrder.reminded_at.is_(None)) | (StallOrder.escalated_at.is_(None)))
        .order_by(StallOrder.id)).all()
    reminded = escalated = 0
    admins_by_market: dict[int, list[User]] = {}
    for stall_order in pending:
        try:
            with db.session.begin_nested():  # one failing stall order does not hold up the others
                was_reminded, was_escalated = _remind_one(stall_order, now, admins_by_market)
        except Exception:
            log.exception("reminder for stall order %s failed; retried next run", stall_order.id)
            continue
        reminded += was_reminded
        escalated += was_escalated
    db.session.commit()
    return ReminderRun(reminded, escalated)


def _remind_one(stall_order: StallOrder, now: datetime, admins_by_market: dict[int, list[User]]
                ) -> tuple[bool, bool]:
    market = stall_order.order.market
    waited = now - stall_order.created_at
    reminded = escalated = False
    if stall_order.reminded_at is None and waited >= timedelta(minutes=market.answer_timeout_minutes):
        events.stall_order_reminder(stall_order, now)
        stall_order.reminded_at = now
        reminded = True
    if stall_order.escalated_at is None and waited >= timedelta(minutes=market.escalation_minutes):
        if market.id not in admins_by_market:
            admins_by_market[market.id] = list(db.session.scalars(
                select(User).where(User.role == Role.MARKET_ADMIN, User.market_id == market.id,
                                   User.is_active_account.is_(True)).order_by(User.id)))
        events.stall_order_escalated(stall_order, admins_by_market[market.id], now)
        stall_order.escalated_at = now
        escalated = True
    return reminded, escalated
