"""Ordering: carts, orders split into one stall order per stall, and the order timeline."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db_types import UTCDateTime
from ..extensions import db


class Substitution:
    SIMILAR = "similar"
    REFUND = "refund"
    CALL = "call"
    ALL = (SIMILAR, REFUND, CALL)
    LABELS = {SIMILAR: "비슷한 상품으로", REFUND: "환불", CALL: "전화 주세요"}


class Cart(db.Model):
    """One cart per resident (or anonymous browser session) per market."""

    __tablename__ = "carts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    session_key: Mapped[str | None] = mapped_column(String(64), index=True)
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    market = relationship("Market")
    lines = relationship("CartLine", back_populates="cart", cascade="all, delete-orphan",
                         order_by="CartLine.id")


class CartLine(db.Model):
    __tablename__ = "cart_lines"
    __table_args__ = (
        UniqueConstraint("cart_id", "product_id"),
        CheckConstraint("quantity BETWEEN 1 AND 99", name="quantity_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    substitution: Mapped[str] = mapped_column(String(10), default=Substitution.REFUND)

    cart = relationship("Cart", back_populates="lines")
    product = relationship("Product")


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (UniqueConstraint("resident_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(80))
    # Delivery address, copied so later edits of saved addresses do not move orders.
    gu: Mapped[str] = mapped_column(String(20))
    dong: Mapped[str] = mapped_column(String(40))
    address_detail: Mapped[str] = mapped_column(String(120))
    lat: Mapped[float] = mapped_column(Float)
    lng: Mapped[float] = mapped_column(Float)
    contact_phone: Mapped[str] = mapped_column(String(20))
    # The wave this order rides; moved to the next one when a plan leaves it out.
    wave_date: Mapped[date] = mapped_column(Date, index=True)
    wave_cutoff: Mapped[str] = mapped_column(String(5))  # "HH:MM"
    subtotal: Mapped[int] = mapped_column(Integer)
    delivery_fee: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    refund_amount: Mapped[int] = mapped_column(Integer, default=0)
    bags: Mapped[int] = mapped_column(Integer, default=1)
    needs_attention: Mapped[str | None] = mapped_column(String(200))  # shown to the market admin
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    resident = relationship("User")
    market = relationship("Market")
    stall_orders = relationship("StallOrder", back_populates="order", order_by="StallOrder.id")
    events = relationship("OrderEvent", back_populates="order", order_by="OrderEvent.id")

    @property
    def charged_total(self) -> int:
        return self.total - self.refund_amount


class StallOrder(db.Model):
    __tablename__ = "stall_orders"
    __table_args__ = (UniqueConstraint("order_id", "stall_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    stall_id: Mapped[int] = mapped_column(ForeignKey("stalls.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    reject_reason: Mapped[str | None] = mapped_column(String(200))
    bags: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # chime tapped
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    packed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    order = relationship("Order", back_populates="stall_orders")
    stall = relationship("Stall")
    lines = relationship("OrderLine", back_populates="stall_order", order_by="OrderLine.id")


class OrderLine(db.Model):
    __tablename__ = "order_lines"
    __table_args__ = (CheckConstraint("quantity BETWEEN 1 AND 99", name="quantity_range"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stall_order_id: Mapped[int] = mapped_column(ForeignKey("stall_orders.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    product_name: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(40))
    unit_price: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    accepted_quantity: Mapped[int | None] = mapped_column(Integer)  # None until answered
    substitution: Mapped[str] = mapped_column(String(10))

    stall_order = relationship("StallOrder", back_populates="lines")
    product = relationship("Product")

    @property
    def amount(self) -> int:
        return self.unit_price * self.quantity

    @property
    def refused_quantity(self) -> int:
        return 0 if self.accepted_quantity is None else self.quantity - self.accepted_quantity


class OrderEvent(db.Model):
    """One row per status change: who, when, from, to (the order page's timeline)."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    stall_order_id: Mapped[int | None] = mapped_column(ForeignKey("stall_orders.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(60))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(String(300))

    order = relationship("Order", back_populates="events")
    stall_order = relationship("StallOrder")
