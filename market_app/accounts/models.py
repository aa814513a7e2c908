"""Accounts: every person who signs in, and residents' delivery addresses."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..db_types import UTCDateTime
from ..extensions import db


class Role:
    RESIDENT = "resident"
    STALL_OWNER = "stall_owner"
    COURIER = "courier"
    MARKET_ADMIN = "market_admin"
    CITY_ADMIN = "city_admin"
    ALL = (RESIDENT, STALL_OWNER, COURIER, MARKET_ADMIN, CITY_ADMIN)
    LABELS = {
        RESIDENT: "주민",
        STALL_OWNER: "상인",
        COURIER: "배송기사",
        MARKET_ADMIN: "시장 관리자",
        CITY_ADMIN: "서울시 관리자",
    }


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(f"role IN {Role.ALL!r}", name="role_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    phone: Mapped[str] = mapped_column(String(20), unique=True)  # E.164
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    pin_hash: Mapped[str | None] = mapped_column(String(255))
    market_id: Mapped[int | None] = mapped_column(ForeignKey("markets.id"), index=True)
    stall_id: Mapped[int | None] = mapped_column(ForeignKey("stalls.id"), index=True)
    # Residents may switch off everything but order-critical messages.
    optional_sms: Mapped[bool] = mapped_column(Boolean, default=True)
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    market = relationship("Market", foreign_keys=[market_id])
    stall = relationship("Stall", foreign_keys=[stall_id])
    addresses = relationship("Address", back_populates="user", order_by="Address.id")

    @property
    def is_active(self) -> bool:
        return self.is_active_account

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def set_pin(self, pin: str) -> None:
        self.pin_hash = generate_password_hash(pin)

    def check_pin(self, pin: str) -> bool:
        return bool(self.pin_hash) and check_password_hash(self.pin_hash, pin)

    def has_role(self, *roles: str) -> bool:
        return self.role in roles


class Address(db.Model):
    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    gu: Mapped[str] = mapped_column(String(20))
    dong: Mapped[str] = mapped_column(String(40))
    dong_code: Mapped[str | None] = mapped_column(String(10))
    detail: Mapped[str] = mapped_column(String(120))
    lat: Mapped[float] = mapped_column(Float)
    lng: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user = relationship("User", back_populates="addresses")

    @property
    def short(self) -> str:
        return f"{self.dong} {self.detail}"
