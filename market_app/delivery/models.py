"""Delivery: couriers and their shifts, and the stored route plan of each wave."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db_types import UTCDateTime
from ..extensions import db


class VehicleKind:
    WALK = "walk"
    BICYCLE = "bicycle"
    MOTORBIKE = "motorbike"
    CAR = "car"
    ALL = (WALK, BICYCLE, MOTORBIKE, CAR)
    LABELS = {WALK: "도보", BICYCLE: "자전거", MOTORBIKE: "오토바이", CAR: "차량"}


class Courier(db.Model):
    __tablename__ = "couriers"
    __table_args__ = (UniqueConstraint("market_id", "phone"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str] = mapped_column(String(20))
    vehicle_kind: Mapped[str] = mapped_column(String(12))
    capacity_bags: Mapped[int] = mapped_column(Integer)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    market = relationship("Market")
    shifts = relationship("CourierShift", back_populates="courier", order_by="CourierShift.weekday",
                          cascade="all, delete-orphan")


class CourierShift(db.Model):
    __tablename__ = "courier_shifts"
    __table_args__ = (UniqueConstraint("courier_id", "weekday"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    courier_id: Mapped[int] = mapped_column(ForeignKey("couriers.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday
    start: Mapped[str] = mapped_column(String(5))  # "HH:MM"
    end: Mapped[str] = mapped_column(String(5))

    courier = relationship("Courier", back_populates="shifts")


class PlanStatus:
    PLANNING = "planning"      # claimed by a run; a crashed run leaves it here for the next
    PLANNED = "planned"
    DISPATCHED = "dispatched"
    LABELS = {PLANNING: "계획 중", PLANNED: "계획 완료", DISPATCHED: "출발"}


class WavePlan(db.Model):
    """Exactly one per (market, date, wave): the unique key is what makes planning idempotent."""

    __tablename__ = "wave_plans"
    __table_args__ = (UniqueConstraint("market_id", "wave_date", "wave_cutoff"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id"), index=True)
    wave_date: Mapped[date] = mapped_column(Date)
    wave_cutoff: Mapped[str] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(12))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    total_distance_m: Mapped[int] = mapped_column(Integer, default=0)
    solver_seconds: Mapped[float | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    planned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    market = relationship("Market")
    routes = relationship("Route", back_populates="plan", order_by="Route.id",
                          cascade="all, delete-orphan")
    unassigned = relationship("UnassignedOrder", back_populates="plan",
                              cascade="all, delete-orphan")


class Route(db.Model):
    __tablename__ = "routes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("wave_plans.id", ondelete="CASCADE"), index=True)
    courier_id: Mapped[int] = mapped_column(ForeignKey("couriers.id"))
    distance_m: Mapped[int] = mapped_column(Integer)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    load_bags: Mapped[int] = mapped_column(Integer)
    departure: Mapped[datetime] = mapped_column(UTCDateTime)
    return_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The plan revision that built this route; the courier's signed link names it, so a link to a
    # route that a re-plan replaced stops working even if the database reuses the id.
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Set when the courier leaves (taps 출발 or completes a first stop): the route is dispatched.
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    plan = relationship("WavePlan", back_populates="routes")
    courier = relationship("Courier")
    stops = relationship("RouteStop", back_populates="route", order_by="RouteStop.sequence",
                         cascade="all, delete-orphan")


class StopStatus:
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class FailureReason:
    ABSENT = "absent"
    BAD_ADDRESS = "bad_address"
    PRODUCT_PROBLEM = "product_problem"
    OTHER = "other"
    LABELS = {ABSENT: "부재", BAD_ADDRESS: "주소 오류", PRODUCT_PROBLEM: "상품 문제", OTHER: "기타"}


class RouteStop(db.Model):
    __tablename__ = "route_stops"
    __table_args__ = (UniqueConstraint("route_id", "sequence"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    route_id: Mapped[int] = mapped_column(ForeignKey("routes.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    arrival: Mapped[datetime] = mapped_column(UTCDateTime)
    eta_start: Mapped[datetime] = mapped_column(UTCDateTime)
    eta_end: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default=StopStatus.PENDING)
    failure_reason: Mapped[str | None] = mapped_column(String(20))
    failure_note: Mapped[str | None] = mapped_column(String(200))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    route = relationship("Route", back_populates="stops")
    order = relationship("Order")


class UnassignedOrder(db.Model):
    __tablename__ = "unassigned_orders"
    __table_args__ = (UniqueConstraint("plan_id", "order_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("wave_plans.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    reason: Mapped[str] = mapped_column(String(20))

    plan = relationship("WavePlan", back_populates="unassigned")
    order = relationship("Order")
