"""The stall owner's tablet: sign-in by PIN on a registered tablet, the order queue, products.

Answering and packing stall orders are ordering use cases (`market_app.ordering.operations`);
this module reads the queue and edits the stall's own products and opening.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from ..accounts.models import Role, User
from ..accounts.operations import authenticate
from ..catalog.models import Product, Stall
from ..clock import SEOUL
from ..errors import NotFound, Unprocessable
from ..extensions import db
from ..ordering.models import Order, StallOrder
from ..ordering.operations import default_bags, get_stall_order_for_owner, require_stall_owner, wave_of
from ..ordering.states import OPEN_STALL_ORDER_STATUSES, StallOrderStatus

TABLET_COOKIE = "stall_tablet"
TABLET_MAX_AGE_S = 400 * 24 * 3600  # a tablet stays registered for about a year of use
MAX_PRICE = 10_000_000
MAX_STOCK = 9_999


# --- the registered tablet --------------------------------------------------------------------

def _tablet_serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="stall-tablet")


def tablet_token(stall_id: int, secret_key: str) -> str:
    return _tablet_serializer(secret_key).dumps({"stall": stall_id})


def stall_from_tablet_token(token: str | None, secret_key: str) -> Stall | None:
    """The stall this tablet was registered to, or None (no cookie, tampered, expired, gone)."""
    if not token:
        return None
    try:
        data = _tablet_serializer(secret_key).loads(token, max_age=TABLET_MAX_AGE_S)
    except BadSignature:
        return None
    return db.session.get(Stall, data.get("stall")) if isinstance(data, dict) else None


def owners_of_stall(stall: Stall) -> list[User]:
    """Active stall owners of the stall who have a PIN (the names on the tablet's sign-in screen)."""
    return list(db.session.scalars(
        select(User).where(User.stall_id == stall.id, User.role == Role.STALL_OWNER,
                           User.is_active_account.is_(True), User.pin_hash.is_not(None))
        .order_by(User.name, User.id)))


def pin_login(stall: Stall, owner_id: int, pin: str) -> User | None:
    """The owner if the PIN is theirs and they belong to this tablet's stall, else None."""
    owner = db.session.get(User, owner_id)
    if (owner is None or owner.stall_id != stall.id or owner.role != Role.STALL_OWNER
            or not owner.is_active or not owner.check_pin(pin or "")):
        return None
    return owner


def password_login(phone: str, password: str) -> User | None:
    """A stall owner's phone and password (the first sign-in on a tablet registers it)."""
    user = authenticate(phone, password)
    if user is None or user.role != Role.STALL_OWNER or user.stall_id is None:
        return None
    return user


# --- the queue --------------------------------------------------------------------------------

@dataclass(frozen=True)
class QueueItem:
    stall_order: StallOrder
    waited_minutes: int
    wave_label: str
    default_bags: int

    @property
    def is_new(self) -> bool:
        return self.stall_order.status == StallOrderStatus.PENDING and self.stall_order.acknowledged_at is None


@dataclass(frozen=True)
class Queue:
    stall: Stall
    waiting: list[QueueItem]    # pending: to answer
    to_pack: list[QueueItem]    # accepted / partly accepted: to pack
    done_today: list[QueueItem]  # packed, rejected, cancelled today

    @property
    def unacknowledged(self) -> int:
        return sum(1 for item in self.waiting if item.is_new)

    @property
    def version(self) -> str:
        """Changes whenever anything the screen shows changes (the tablet then redraws)."""
        parts = [f"{i.stall_order.id}:{i.stall_order.status}:{i.is_new}"
                 for i in self.waiting + self.to_pack + self.done_today]
        return hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]


def _item(stall_order: StallOrder, now: datetime) -> QueueItem:
    wave = wave_of(stall_order.order)
    day = stall_order.order.wave_date
    prefix = "" if day == now.astimezone(SEOUL).date() else f"{day.month}/{day.day} "
    label = prefix + (wave.label if wave else f"{stall_order.order.wave_cutoff} 마감")
    waited = max(0, int((now - stall_order.created_at).total_seconds() // 60))
    return QueueItem(stall_order, waited, label, default_bags(stall_order))


def stall_queue(owner: User, now: datetime, status: str | None = None) -> Queue:
    owner = require_stall_owner(owner)
    start_of_day = now.astimezone(SEOUL).replace(hour=0, minute=0, second=0, microsecond=0)
    rows = db.session.scalars(
        select(StallOrder).join(Order).where(
            StallOrder.stall_id == owner.stall_id,
            StallOrder.status.in_([s.value for s in OPEN_STALL_ORDER_STATUSES])
            | (StallOrder.created_at >= start_of_day))
        # Polled every few seconds: load orders and lines with the rows, not one query per order.
        .options(contains_eager(StallOrder.order), selectinload(StallOrder.lines))
        .order_by(StallOrder.created_at, StallOrder.id)).all()
    if status:
        rows = [so for so in rows if so.status == status]
    items = [_item(so, now) for so in rows]
    return Queue(
        stall=owner.stall,
        waiting=[i for i in items if i.stall_order.status == StallOrderStatus.PENDING],
        to_pack=[i for i in items if i.stall_order.status in (StallOrderStatus.ACCEPTED,
                                                                StallOrderStatus.PARTLY_ACCEPTED)],
        done_today=[i for i in reversed(items) if i.stall_order.status not in OPEN_STALL_ORDER_STATUSES][:20],
    )


def stall_orders_for_api(owner: User, now: datetime, status: str | None) -> list[QueueItem]:
    """Open stall orders and today's finished ones, oldest first, optionally of one status."""
    queue = stall_queue(owner, now, status)
    return sorted(queue.waiting + queue.to_pack + queue.done_today,
                  key=lambda i: (i.stall_order.created_at, i.stall_order.id))


def queue_item(owner: User, stall_order_id: int, now: datetime) -> QueueItem:
    return _item(get_stall_order_for_owner(owner, stall_order_id), now)


# --- products and opening ---------------------------------------------------------------------

_UNSET = object()


def stall_products(owner: User) -> list[Product]:
    owner = require_stall_owner(owner)
    return list(db.session.scalars(select(Product).where(Product.stall_id == owner.stall_id)
                                   .order_by(Product.name, Product.id)))


def update_product(owner: User, product_id: int, now: datetime, *, price=_UNSET, stock=_UNSET,
                   sold_out=_UNSET) -> Product:
    """Edit price, stock (None = unlimited) or 품절 of one of the owner's products; commits."""
    owner = require_stall_owner(owner)
    product = db.session.get(Product, product_id)
    if product is None or product.stall_id != owner.stall_id:
        raise NotFound("상품을 찾을 수 없습니다.", code="product_not_found")
    # Everything is checked before anything changes.
    if price is not _UNSET and (not isinstance(price, int) or isinstance(price, bool)
                                or not 0 <= price <= MAX_PRICE):
        raise Unprocessable(f"가격은 0원부터 {MAX_PRICE:,}원까지 입력해 주세요.", code="invalid_price")
    if stock is not _UNSET and stock is not None and (not isinstance(stock, int) or isinstance(stock, bool)
                                                      or not 0 <= stock <= MAX_STOCK):
        raise Unprocessable(f"재고는 0부터 {MAX_STOCK:,}개까지 입력해 주세요.", code="invalid_stock")
    if price is not _UNSET:
        product.price = price
    if stock is not _UNSET:
        product.stock = stock
    if sold_out is not _UNSET:
        product.sold_out = bool(sold_out)
    db.session.commit()
    return product


def set_stall_open(owner: User, is_open: bool, now: datetime) -> Stall:
    """Open or close the stall for orders (closing keeps orders already placed)."""
    owner = require_stall_owner(owner)
    stall = owner.stall
    stall.is_open = bool(is_open)
    db.session.commit()
    return stall
