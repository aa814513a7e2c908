"""The cart: one per resident (or anonymous browser) at a time, holding one market's goods.

Adding from another market is refused with `other_market_cart` until the resident agrees to
empty the cart (`replace=True`). An anonymous cart lives under a random key in the signed
session cookie and moves into the account at sign-in.

These functions change the session but do not commit; the caller (a view) commits.
"""
from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flask import session
from sqlalchemy import select

from .. import clock
from ..accounts.models import Role, User
from ..catalog.market_rules import market_fees
from ..catalog.models import Market, Product
from ..errors import Forbidden, NotFound, Unprocessable
from ..extensions import db
from ..particles import with_particle
from .errors import OtherMarketCart, OutOfStock, StallClosed
from .models import Cart, CartLine, Substitution
from .pricing import MAX_QUANTITY, Line, Totals, price_order, validate_quantity

SESSION_CART_KEY = "cart_key"


@dataclass(frozen=True)
class CartOwner:
    """Whose cart: a signed-in resident, or an anonymous browser's session key."""

    user_id: int | None = None
    session_key: str | None = None

    def __post_init__(self) -> None:
        if (self.user_id is None) == (self.session_key is None):
            raise ValueError("a cart belongs to exactly one of a user or a session key")


def owner_for(user, *, create_session_key: bool = False) -> CartOwner | None:
    """The cart owner for the current visitor; None for an anonymous visitor without a cart yet.

    Signed-in accounts other than residents have no cart (a stall owner does not shop here).
    """
    if user is not None and getattr(user, "is_authenticated", False):
        if user.role != Role.RESIDENT:
            raise Forbidden("장바구니는 주민 계정으로 이용할 수 있습니다.")
        return CartOwner(user_id=user.id)
    key = session.get(SESSION_CART_KEY)
    if key is None and create_session_key:
        key = secrets.token_urlsafe(24)
        session[SESSION_CART_KEY] = key
    return CartOwner(session_key=key) if key else None


def find_cart(owner: CartOwner | None) -> Cart | None:
    if owner is None:
        return None
    statement = select(Cart).order_by(Cart.updated_at.desc(), Cart.id.desc()).limit(1)
    if owner.user_id is not None:
        statement = statement.where(Cart.user_id == owner.user_id)
    else:
        statement = statement.where(Cart.session_key == owner.session_key, Cart.user_id.is_(None))
    return db.session.scalar(statement)


def product_refusal(product: Product, quantity: int) -> str | None:
    """Why this product cannot be ordered in this quantity right now (Korean), or None."""
    if not product.stall.is_open:
        return f"{with_particle(product.stall.name, '은/는')} 오늘 주문을 받지 않습니다."
    if not product.available:
        return f"{with_particle(product.name, '은/는')} 품절되었습니다."
    if product.stock is not None and product.stock < quantity:
        return f"{with_particle(product.name, '은/는')} {product.stock}개까지 주문할 수 있습니다."
    return None


def check_orderable(product: Product, quantity: int) -> None:
    """Raise stall_closed / out_of_stock with a clear message when the product cannot be had."""
    message = product_refusal(product, quantity)
    if message is None:
        return
    if not product.stall.is_open:
        raise StallClosed(message)
    raise OutOfStock(message)


def _orderable_product(product_id: int) -> Product:
    product = db.session.get(Product, product_id)
    if product is None or not product.stall.market.is_online:
        raise NotFound("상품을 찾을 수 없습니다.", code="product_not_found")
    return product


def _quantity(value: object) -> int:
    try:
        return validate_quantity(value)
    except ValueError as error:
        raise Unprocessable(str(error), code="invalid_quantity") from error


def _substitution(value: str | None) -> str:
    if value is None:
        return Substitution.REFUND
    if value not in Substitution.ALL:
        raise Unprocessable("대체 방법을 다시 선택해 주세요.", code="invalid_substitution")
    return value


def _delete_cart(cart: Cart) -> None:
    db.session.delete(cart)  # its lines go with it (cascade)
    db.session.flush()


def add_to_cart(owner: CartOwner, product_id: int, quantity: object, now: datetime, *,
                replace: bool = False) -> CartLine:
    """Put a product in the cart (adding to a line already there), or refuse with a clear reason."""
    quantity = _quantity(quantity)
    product = _orderable_product(product_id)
    cart = find_cart(owner)
    if cart is not None and cart.market_id != product.stall.market_id:
        if not replace:
            raise OtherMarketCart(
                f"장바구니에 {cart.market.name} 상품이 담겨 있습니다. 비우고 "
                f"{product.stall.market.name} 상품을 담을까요?", cart.market.name)
        _delete_cart(cart)
        cart = None
    if cart is None:
        cart = Cart(user_id=owner.user_id, session_key=owner.session_key,
                    market_id=product.stall.market_id, updated_at=now)
        db.session.add(cart)
        db.session.flush()
    line = next((l for l in cart.lines if l.product_id == product.id), None)
    wanted = quantity + (line.quantity if line else 0)
    if wanted > MAX_QUANTITY:
        raise Unprocessable(f"한 상품은 {MAX_QUANTITY}개까지 담을 수 있습니다.", code="invalid_quantity")
    check_orderable(product, wanted)
    if line is None:
        line = CartLine(product_id=product.id, quantity=wanted, substitution=Substitution.REFUND)
        cart.lines.append(line)
    else:
        line.quantity = wanted
    cart.updated_at = now
    db.session.flush()
    return line


def _own_line(owner: CartOwner | None, line_id: int) -> CartLine:
    cart = find_cart(owner)
    line = db.session.get(CartLine, line_id)
    if cart is None or line is None or line.cart_id != cart.id:
        raise NotFound("장바구니에 없는 상품입니다.", code="cart_line_not_found")
    return line


def update_cart_line(owner: CartOwner | None, line_id: int, now: datetime, *, quantity: object = None,
                     substitution: str | None = None) -> CartLine:
    line = _own_line(owner, line_id)
    if quantity is not None:
        quantity = _quantity(quantity)
        if quantity > line.quantity:  # lowering is always allowed; more must be in stock
            check_orderable(line.product, quantity)
        line.quantity = quantity
    if substitution is not None:
        line.substitution = _substitution(substitution)
    line.cart.updated_at = now
    db.session.flush()
    return line


def remove_cart_line(owner: CartOwner | None, line_id: int, now: datetime) -> None:
    line = _own_line(owner, line_id)
    cart = line.cart
    cart.lines.remove(line)
    cart.updated_at = now
    if not cart.lines:
        _delete_cart(cart)
    db.session.flush()


def empty_cart(owner: CartOwner | None) -> None:
    cart = find_cart(owner)
    if cart is not None:
        _delete_cart(cart)


def merge_carts(session_key: str, user: User, now: datetime) -> Cart | None:
    """Move the anonymous cart into the account.

    Same market: quantities add up (capped at 99), the anonymous line's substitution wins.
    Another market: the cart just filled replaces the account's older one (the resident was
    shopping right now; asking at sign-in would interrupt the checkout).
    """
    anonymous = find_cart(CartOwner(session_key=session_key))
    if anonymous is None:
        return find_cart(CartOwner(user_id=user.id))
    mine = find_cart(CartOwner(user_id=user.id))
    if mine is None or mine.market_id != anonymous.market_id:
        if mine is not None:
            _delete_cart(mine)
        anonymous.user_id, anonymous.session_key, anonymous.updated_at = user.id, None, now
        db.session.flush()
        return anonymous
    by_product = {line.product_id: line for line in mine.lines}
    for line in anonymous.lines:
        existing = by_product.get(line.product_id)
        if existing is None:
            mine.lines.append(CartLine(product_id=line.product_id, quantity=line.quantity,
                                       substitution=line.substitution))
        else:
            existing.quantity = min(MAX_QUANTITY, existing.quantity + line.quantity)
            existing.substitution = line.substitution
    mine.updated_at = now
    _delete_cart(anonymous)
    return mine


def merge_session_cart_into_user(user: User) -> None:
    """Called right after sign-in: the anonymous cart of this browser becomes the resident's."""
    key = session.pop(SESSION_CART_KEY, None)
    if key and user.role == Role.RESIDENT:
        merge_carts(key, user, clock.now())


# --- reading a cart ------------------------------------------------------------------------

@dataclass(frozen=True)
class CartItem:
    line: CartLine
    product: Product
    problem: str | None  # why it cannot be ordered now, or None

    @property
    def amount(self) -> int:
        return self.product.price * self.line.quantity


@dataclass(frozen=True)
class StallGroup:
    stall_name: str
    items: list[CartItem]


@dataclass(frozen=True)
class CartSummary:
    cart: Cart | None
    market: Market | None
    groups: list[StallGroup] = field(default_factory=list)
    totals: Totals = Totals(0, 0, 0)
    minimum_order: int = 0
    free_delivery_threshold: int | None = None

    @property
    def items(self) -> list[CartItem]:
        return [item for group in self.groups for item in group.items]

    @property
    def is_empty(self) -> bool:
        return not self.items

    @property
    def problems(self) -> list[str]:
        return [item.problem for item in self.items if item.problem]

    @property
    def missing_for_minimum(self) -> int:
        return max(0, self.minimum_order - self.totals.subtotal)

    @property
    def missing_for_free_delivery(self) -> int:
        if self.free_delivery_threshold is None or self.totals.delivery_fee == 0:
            return 0
        return max(0, self.free_delivery_threshold - self.totals.subtotal)

    @property
    def can_checkout(self) -> bool:
        return not self.is_empty and not self.problems and self.missing_for_minimum == 0


def summarise(cart: Cart | None) -> CartSummary:
    """The cart at today's prices, grouped by stall, with what stands in the way of checkout."""
    if cart is None or not cart.lines:
        return CartSummary(cart=cart, market=cart.market if cart else None)
    groups: dict[int, StallGroup] = {}
    for line in sorted(cart.lines, key=lambda l: (l.product.stall.name, l.product.id)):
        product = line.product
        group = groups.setdefault(product.stall_id, StallGroup(product.stall.name, []))
        group.items.append(CartItem(line, product, product_refusal(product, line.quantity)))
    fees = market_fees(cart.market)
    items: Sequence[CartItem] = [item for group in groups.values() for item in group.items]
    totals = price_order([Line(i.product.id, i.product.price, i.line.quantity) for i in items], fees)
    return CartSummary(cart=cart, market=cart.market, groups=list(groups.values()), totals=totals,
                       minimum_order=fees.minimum_order, free_delivery_threshold=fees.free_delivery_threshold)
