"""Market and city admin use cases: who may see which market, the day's waves and plans, what
needs attention, wave settings, and the city's figures."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload

from ..accounts.models import Role, User
from ..catalog.market_rules import wave_rules
from ..catalog.models import Market
from ..clock import SEOUL
from ..delivery.models import PlanStatus, Route, RouteStop, StopStatus, WavePlan
from ..delivery.svgmap import PlanDrawing, draw_plan
from ..delivery.waves import CutoffFormatError, Wave, closed_reason, find_wave, format_cutoffs, parse_cutoffs
from ..errors import Forbidden, NotFound, Unprocessable
from ..extensions import db
from ..ordering.models import Order, StallOrder
from ..ordering.states import FINAL_ORDER_STATUSES, OrderStatus


def market_for(user: User, market_id: int | None) -> Market:
    """The market `user` may manage: a market admin only their own (403 for another), the city
    admin any (the id is then required)."""
    if user.role == Role.MARKET_ADMIN:
        if market_id is not None and market_id != user.market_id:
            raise Forbidden("다른 시장의 관리 화면은 볼 수 없습니다.")
        market_id = user.market_id
    elif user.role != Role.CITY_ADMIN:
        raise Forbidden("관리자만 볼 수 있습니다.")
    market = db.session.get(Market, market_id) if market_id is not None else None
    if market is None:
        raise NotFound("시장을 찾을 수 없습니다.")
    return market


@dataclass
class WaveRow:
    wave: Wave
    plan: WavePlan | None
    status_label: str
    order_count: int
    can_replan: bool
    drawing: PlanDrawing | None


def _order_counts(market: Market, day: date) -> dict[str, int]:
    rows = db.session.execute(
        select(Order.wave_cutoff, func.count(Order.id))
        .where(Order.market_id == market.id, Order.wave_date == day, Order.status != OrderStatus.CANCELLED)
        .group_by(Order.wave_cutoff))
    return {cutoff: count for cutoff, count in rows}


def wave_status_label(wave: Wave, plan: WavePlan | None, now: datetime) -> str:
    if plan is not None:
        return PlanStatus.LABELS.get(plan.status, plan.status)
    if now < wave.cutoff:
        return "주문 접수 중"
    if now < wave.plan_at:
        return "상품 준비 중"
    return "계획 대기"


def can_replan(plan: WavePlan | None) -> bool:
    return (plan is not None and plan.status == PlanStatus.PLANNED
            and not any(route.started_at for route in plan.routes))


def plan_drawing(market: Market, plan: WavePlan) -> PlanDrawing | None:
    if not plan.routes and not plan.unassigned:
        return None
    routes = [(route.courier.name, [(stop.order.lat, stop.order.lng) for stop in route.stops])
              for route in plan.routes]
    loose = [(item.order.lat, item.order.lng) for item in plan.unassigned]
    return draw_plan((market.lat, market.lng), routes, loose, radius_m=market.delivery_radius_m)


def wave_board(market: Market, day: date, now: datetime) -> tuple[str | None, list[WaveRow]]:
    """(why the market is closed that day or None, one row per wave with its plan)."""
    from ..delivery.operations import plans_of_day

    rules = wave_rules(market)
    reason = closed_reason(rules, day)
    plans = {plan.wave_cutoff: plan for plan in plans_of_day(market, day)}
    counts = _order_counts(market, day)
    rows = []
    if reason is None:
        for cutoff in rules.cutoffs:
            wave = find_wave(rules, day, cutoff)
            key = f"{cutoff:%H:%M}"
            plan = plans.pop(key, None)
            rows.append(WaveRow(wave, plan, wave_status_label(wave, plan, now), counts.get(key, 0),
                                can_replan(plan), plan_drawing(market, plan) if plan else None))
    return reason, rows


def attention_orders(market: Market) -> list[Order]:
    """Open orders flagged for the market admin (left out of a plan, failed delivery ...)."""
    return list(db.session.scalars(
        select(Order).where(Order.market_id == market.id, Order.needs_attention.is_not(None),
                            Order.status.not_in([str(s) for s in FINAL_ORDER_STATUSES]))
        .order_by(Order.wave_date, Order.wave_cutoff, Order.id)))


def clear_attention(market: Market, order_id: int, now: datetime) -> Order:
    order = db.session.get(Order, order_id)
    if order is None or order.market_id != market.id:
        raise NotFound("주문을 찾을 수 없습니다.")
    order.needs_attention = None
    order.updated_at = now
    return order


def unanswered_stall_orders(market: Market, now: datetime) -> list[tuple[StallOrder, int]]:
    """Stall orders still waiting for the stall's answer, longest waiting first, with minutes."""
    rows = db.session.scalars(
        select(StallOrder).join(Order, StallOrder.order_id == Order.id)
        .where(Order.market_id == market.id, StallOrder.status == "pending")
        .options(contains_eager(StallOrder.order), joinedload(StallOrder.stall))  # not a query per row
        .order_by(StallOrder.created_at))
    return [(so, max(0, int((now - so.created_at).total_seconds() // 60))) for so in rows]


# --- settings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaveSettings:
    cutoffs: str
    preparation_minutes: int
    delivery_window_minutes: int
    service_minutes_per_stop: int
    closed_weekdays: frozenset[int]


def current_wave_settings(market: Market) -> WaveSettings:
    return WaveSettings(market.wave_cutoffs, market.preparation_minutes, market.delivery_window_minutes,
                        market.service_minutes_per_stop, market.closed_weekday_set)


def update_wave_settings(market: Market, settings: WaveSettings, now: datetime) -> Market:
    """Validate and store the wave settings; nothing is changed when one value is refused."""
    try:
        cutoffs = parse_cutoffs(settings.cutoffs)
    except CutoffFormatError as error:
        raise Unprocessable(str(error), code="invalid_cutoffs") from error
    if not 0 <= settings.preparation_minutes <= 240:
        raise Unprocessable("준비 시간은 0~240분입니다.", code="invalid_preparation")
    if not 30 <= settings.delivery_window_minutes <= 480:
        raise Unprocessable("배송 시간대는 30~480분입니다.", code="invalid_window")
    if not 1 <= settings.service_minutes_per_stop <= 30:
        raise Unprocessable("배송지당 전달 시간은 1~30분입니다.", code="invalid_service_minutes")
    if len(settings.closed_weekdays) >= 7 or not all(0 <= d <= 6 for d in settings.closed_weekdays):
        raise Unprocessable("최소 하루는 영업해야 합니다.", code="invalid_closed_days")
    market.wave_cutoffs = format_cutoffs(cutoffs)
    market.preparation_minutes = settings.preparation_minutes
    market.delivery_window_minutes = settings.delivery_window_minutes
    market.service_minutes_per_stop = settings.service_minutes_per_stop
    market.closed_weekdays = ",".join(str(d) for d in sorted(settings.closed_weekdays))
    market.updated_at = now
    return market


# --- city -------------------------------------------------------------------------------------


@dataclass
class MarketFigures:
    market: Market
    orders: int
    sales: int  # KRW actually charged, cancelled orders excluded
    delivered_stops: int
    on_time_stops: int

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time_stops / self.delivered_stops if self.delivered_stops else None


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=SEOUL)
    return start, start + timedelta(days=1)


def city_overview(day: date) -> tuple[list[MarketFigures], MarketFigures | None]:
    """Every online market with the day's orders, sales and on-time deliveries (delivered stops
    completed by the end of their ETA window / delivered stops), plus the city total."""
    start, end = _day_bounds(day)
    markets = db.session.scalars(select(Market).where(Market.is_online).order_by(Market.gu, Market.name)).all()
    sales = {market_id: (count, total or 0) for market_id, count, total in db.session.execute(
        select(Order.market_id, func.count(Order.id), func.sum(Order.total - Order.refund_amount))
        .where(Order.created_at >= start, Order.created_at < end, Order.status != OrderStatus.CANCELLED)
        .group_by(Order.market_id))}
    delivered: dict[int, list[int]] = {}
    for market_id, completed_at, eta_end in db.session.execute(
            select(WavePlan.market_id, RouteStop.completed_at, RouteStop.eta_end)
            .join(Route, RouteStop.route_id == Route.id).join(WavePlan, Route.plan_id == WavePlan.id)
            .where(WavePlan.wave_date == day, RouteStop.status == StopStatus.DELIVERED)):
        tally = delivered.setdefault(market_id, [0, 0])
        tally[0] += 1
        tally[1] += int(completed_at <= eta_end)
    rows = [MarketFigures(m, *sales.get(m.id, (0, 0)), *delivered.get(m.id, (0, 0))) for m in markets]
    total = MarketFigures(None, sum(r.orders for r in rows), sum(r.sales for r in rows),
                          sum(r.delivered_stops for r in rows), sum(r.on_time_stops for r in rows)) if rows else None
    return rows, total
