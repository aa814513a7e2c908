"""Catalog: markets, their stalls and the products they sell."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db_types import UTCDateTime
from ..extensions import db


class Market(db.Model):
    __tablename__ = "markets"
    __table_args__ = (UniqueConstraint("name", "gu"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    gu: Mapped[str] = mapped_column(String(20), index=True)
    dong: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float] = mapped_column(Float)
    lng: Mapped[float] = mapped_column(Float)
    stall_count: Mapped[int | None] = mapped_column(Integer)
    is_online: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    source: Mapped[str | None] = mapped_column(String(60))
    # Delivery rules (a market admin edits them).
    delivery_radius_m: Mapped[int] = mapped_column(Integer, default=2000)
    minimum_order: Mapped[int] = mapped_column(Integer, default=15000)
    delivery_fee: Mapped[int] = mapped_column(Integer, default=3000)
    free_delivery_threshold: Mapped[int] = mapped_column(Integer, default=40000)
    wave_cutoffs: Mapped[str] = mapped_column(String(60), default="11:00,14:00,17:00")
    preparation_minutes: Mapped[int] = mapped_column(Integer, default=30)
    delivery_window_minutes: Mapped[int] = mapped_column(Integer, default=120)
    closed_weekdays: Mapped[str] = mapped_column(String(20), default="")  # "0,6" = Mon, Sun
    answer_timeout_minutes: Mapped[int] = mapped_column(Integer, default=10)
    escalation_minutes: Mapped[int] = mapped_column(Integer, default=20)
    service_minutes_per_stop: Mapped[int] = mapped_column(Integer, default=4)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    stalls = relationship("Stall", back_populates="market", order_by="Stall.id")

    @property
    def closed_weekday_set(self) -> frozenset[int]:
        return frozenset(int(d) for d in self.closed_weekdays.split(",") if d.strip())


class StallCategory:
    """Categories in the order a market page lists them."""

    ORDER = ("정육점", "청과", "채소", "수산", "건어물", "반찬", "김치", "두부", "떡집",
             "방앗간", "잡곡", "닭집", "제과", "분식")


class Stall(db.Model):
    __tablename__ = "stalls"
    __table_args__ = (UniqueConstraint("market_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    category: Mapped[str] = mapped_column(String(20))
    phone: Mapped[str | None] = mapped_column(String(20))
    owner_name: Mapped[str | None] = mapped_column(String(40))
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    market = relationship("Market", back_populates="stalls")
    products = relationship("Product", back_populates="stall", order_by="Product.id")


class Product(db.Model):
    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("stall_id", "name"),
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint("stock IS NULL OR stock >= 0", name="stock_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stall_id: Mapped[int] = mapped_column(ForeignKey("stalls.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(40), default="")
    price: Mapped[int] = mapped_column(Integer)  # KRW
    stock: Mapped[int | None] = mapped_column(Integer)  # None = unlimited
    sold_out: Mapped[bool] = mapped_column(Boolean, default=False)
    search_key: Mapped[str] = mapped_column(String(120), index=True)  # name without spaces
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    stall = relationship("Stall", back_populates="products")

    @property
    def available(self) -> bool:
        return not self.sold_out and (self.stock is None or self.stock > 0)
