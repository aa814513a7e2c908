"""Delivery use cases: plan a wave (exactly once), re-plan before dispatch, the courier's route
actions, and the couriers a market admin manages.

Dispatch rule: a stored plan is `planned` and every courier has their list; the market admin may
re-plan while no courier has started. A route is dispatched when its courier taps 출발 on the
route page (or completes a first stop, which starts the route on the way): its orders go
`assigned -> out_for_delivery` and each customer gets the dispatch SMS with the ETA window.
The plan turns `dispatched` with its first started route, which ends re-planning.
Opening the page (GET) never dispatches: SMS apps fetch links for previews.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..catalog.market_rules import wave_rules
from ..catalog.models import Market
from ..clock import SEOUL
from ..errors import Conflict, DomainError, NotFound, Unprocessable
from ..extensions import db
from ..geo.distance import GeodesicDistance
from ..notify import events
from ..ordering.models import Order, OrderEvent
from ..ordering.operations import cancel_unanswered_stall_orders
from ..ordering.states import (ACCEPTED_STALL_STATUSES, ROUTABLE_ORDER_STATUSES, InvalidTransition,
                               OrderStatus, check_order_transition)
from .links import RouteLinkInvalid, make_route_token, read_route_token
from .models import (Courier, CourierShift, FailureReason, PlanStatus, Route, RouteStop, StopStatus,
                     UnassignedOrder, VehicleKind, WavePlan)
from .planning import Depot, PlanningProblem, RoutePlan, Stop, Vehicle, plan_routes
from .waves import Wave, WaveError, find_wave, upcoming_waves

log = logging.getLogger(__name__)

# A `planning` row this old was left by a crashed run (SQLite has no row locks to tell).
STALE_PLANNING = timedelta(minutes=5)
PLANNER_LABEL = "배송 계획"
UNASSIGNED_REASON_LABELS = {
    "capacity": "적재 용량 부족",
    "time_window": "배송 시간 안에 도착 불가",
    "no_vehicle": "근무 중인 배송기사 없음",
    "unreachable": "경로 없음",
}


@dataclass
class PlanOutcome:
    """What one planning call did; `result` is the solver's plan (also for a dry run)."""

    market_id: int
    wave: Wave
    action: str  # planned | replanned | dry_run | skipped
    plan: WavePlan | None = None
    result: RoutePlan | None = None
    orders: dict[int, Order] = field(default_factory=dict)
    couriers: dict[int, Courier] = field(default_factory=dict)
    skipped_because: str | None = None
    notified_couriers: list[int] = field(default_factory=list)


# --- reading a market's waves -----------------------------------------------------------------


def market_wave(market: Market, wave_date: date, cutoff: str | time) -> Wave:
    """The wave at `cutoff` ("HH:MM" or a time) on `wave_date`; DomainError if the market has none."""
    if isinstance(cutoff, str):
        try:
            cutoff = time.fromisoformat(cutoff)
        except ValueError:
            raise Unprocessable("배송 회차는 HH:MM 형식입니다.", code="unknown_wave") from None
    try:
        return find_wave(wave_rules(market), wave_date, cutoff)
    except WaveError as error:
        raise DomainError(str(error), code=error.code, status=409) from error


def wave_key(wave: Wave) -> tuple[date, str]:
    return wave.date, f"{wave.cutoff:%H:%M}"


def _plan_row(market_id: int, wave: Wave, *, lock: bool = False) -> WavePlan | None:
    wave_date, cutoff = wave_key(wave)
    statement = select(WavePlan).where(WavePlan.market_id == market_id, WavePlan.wave_date == wave_date,
                                       WavePlan.wave_cutoff == cutoff)
    if lock:
        # PostgreSQL: whoever holds the row works on it; the others skip. SQLite ignores this.
        statement = statement.with_for_update(skip_locked=True)
    return db.session.scalar(statement)


def _wave_orders(market: Market, wave: Wave, statuses: Iterable[str], *, lock: bool) -> list[Order]:
    wave_date, cutoff = wave_key(wave)
    statement = (select(Order).where(Order.market_id == market.id, Order.wave_date == wave_date,
                                     Order.wave_cutoff == cutoff, Order.status.in_([str(s) for s in statuses]))
                 .order_by(Order.id))
    if lock:
        statement = statement.with_for_update()
    return list(db.session.scalars(statement))


def _shift_bounds(shift: CourierShift, day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.fromisoformat(shift.start), tzinfo=SEOUL)
    end = datetime.combine(day, time.fromisoformat(shift.end), tzinfo=SEOUL)
    return start, end


def couriers_on_shift(market: Market, day: date, between: tuple[datetime, datetime] | None = None
                      ) -> list[tuple[Courier, datetime, datetime]]:
    """Active couriers with a shift on `day`'s weekday (overlapping `between` when given)."""
    statement = (select(Courier, CourierShift).join(CourierShift, CourierShift.courier_id == Courier.id)
                 .where(Courier.market_id == market.id, Courier.is_active, CourierShift.weekday == day.weekday())
                 .order_by(Courier.id))
    found = []
    for courier, shift in db.session.execute(statement):
        start, end = _shift_bounds(shift, day)
        if between is None or (start < between[1] and end > between[0]):
            found.append((courier, start, end))
    return found


def build_problem(market: Market, wave: Wave, orders: list[Order],
                  couriers: list[tuple[Courier, datetime, datetime]]) -> PlanningProblem:
    """Depot = the market; every order a stop in the wave's window; every courier on shift a vehicle.
    Shifts that only overlap the window are kept: the solver keeps each courier inside their shift."""
    stops = [Stop(order_id=order.id, lat=order.lat, lng=order.lng, demand_bags=max(1, order.bags or 1),
                  window_start=wave.window_start, window_end=wave.window_end,
                  service_minutes=market.service_minutes_per_stop)
             for order in orders]
    vehicles = [Vehicle(courier_id=courier.id, capacity_bags=courier.capacity_bags, kind=courier.vehicle_kind,
                        shift_start=start, shift_end=end)
                for courier, start, end in couriers]
    return PlanningProblem(depot=Depot(market.lat, market.lng), stops=stops, vehicles=vehicles,
                           start=wave.window_start)


def _solve(problem: PlanningProblem) -> RoutePlan:
    config = current_app.config
    return plan_routes(problem, GeodesicDistance(config["ROAD_DETOUR_FACTOR"]),
                       time_limit_s=config["ROUTE_SOLVER_SECONDS"])


# --- order changes ----------------------------------------------------------------------------


def _record(order: Order, now: datetime, to_status: str, note: str | None, actor_label: str,
            actor_id: int | None = None) -> None:
    """Move the order (through the one transition table) and write its timeline event."""
    before = order.status
    if to_status != before:
        order.status = str(check_order_transition(before, to_status))
    order.updated_at = now
    db.session.add(OrderEvent(order_id=order.id, actor_id=actor_id, actor_label=actor_label, at=now,
                              from_status=before, to_status=order.status, note=note))


def next_open_wave(market: Market, after: Wave) -> Wave | None:
    """The first wave after `after` that has not been planned yet (so a carried order is seen)."""
    planned = {(d, c) for d, c in db.session.execute(
        select(WavePlan.wave_date, WavePlan.wave_cutoff).where(WavePlan.market_id == market.id,
                                                              WavePlan.wave_date >= after.date))}
    for wave in upcoming_waves(wave_rules(market), after.cutoff, limit=12):
        if wave_key(wave) not in planned:
            return wave
    return None


def carry_to_next_wave(order: Order, market: Market, from_wave: Wave, why: str, now: datetime,
                       actor_label: str = PLANNER_LABEL) -> Wave | None:
    """Move the order to the next unplanned wave and flag it for the market admin."""
    target = next_open_wave(market, from_wave)
    if target is None:
        order.needs_attention = f"{why} — 다음 배송 회차가 없어 확인이 필요합니다."[:200]
        _record(order, now, order.status, order.needs_attention, actor_label)
        return None
    order.wave_date, order.wave_cutoff = wave_key(target)
    order.needs_attention = (f"{why} — {target.date.month}/{target.date.day} "
                             f"{target.cutoff:%H:%M} 회차로 이월")[:200]
    _record(order, now, order.status, order.needs_attention, actor_label)
    return target


def _unassigned_why(wave: Wave, reason: str) -> str:
    return f"{wave.cutoff:%H:%M} 회차 배차 제외({UNASSIGNED_REASON_LABELS.get(reason, reason)})"


def _back_off_route(order: Order, now: datetime) -> None:
    """A re-plan took the order off its route: back to packed, or accepted if a stall still packs."""
    statuses = [so.status for so in order.stall_orders]
    going = [s for s in statuses if s in ACCEPTED_STALL_STATUSES]
    target = OrderStatus.PACKED if going and all(s == "packed" for s in going) else OrderStatus.ACCEPTED
    _record(order, now, target, "재계획으로 경로에서 제외", PLANNER_LABEL)


# --- planning ---------------------------------------------------------------------------------


def _claim(market: Market, wave: Wave, now: datetime) -> tuple[WavePlan | None, str | None]:
    """Claim the wave for this run: the locked `planning` row, or (None, why we skip).

    The INSERT is committed on its own, so a concurrent run hits the unique key; the row lock
    (PostgreSQL) then tells a live run from a crashed one, which the next run completes."""
    wave_date, cutoff = wave_key(wave)
    created = False
    db.session.add(WavePlan(market_id=market.id, wave_date=wave_date, wave_cutoff=cutoff,
                            status=PlanStatus.PLANNING, revision=1, created_at=now))
    try:
        db.session.commit()
        created = True
    except IntegrityError:
        db.session.rollback()
    plan = _plan_row(market.id, wave, lock=True)
    if plan is None:
        return None, "another run is planning this wave"
    if plan.status != PlanStatus.PLANNING:
        db.session.rollback()
        return None, f"already {plan.status} (revision {plan.revision})"
    if not created and db.engine.dialect.name != "postgresql" and now - plan.created_at < STALE_PLANNING:
        db.session.rollback()
        return None, "another run is planning this wave"
    if not created:
        log.warning("completing the crashed planning run of market %s wave %s@%s", market.id, wave_date, cutoff)
    return plan, None


def plan_wave(market: Market, wave_date: date, cutoff: str | time, now: datetime, *,
              dry_run: bool = False, replan: bool = False) -> PlanOutcome:
    """Plan one wave and commit: routes, stops, unassigned orders, order moves and courier SMS in
    ONE transaction. Safe to call twice, concurrently or after a crash: a wave is planned once.

    dry_run solves and returns the plan without storing anything; replan replaces a stored plan
    that no courier has started (a new revision; only couriers whose list changed are texted)."""
    wave = market_wave(market, wave_date, cutoff)
    if dry_run:
        orders = _wave_orders(market, wave, ROUTABLE_ORDER_STATUSES, lock=False)
        couriers = couriers_on_shift(market, wave.date, (wave.window_start, wave.window_end))
        result = _solve(build_problem(market, wave, orders, couriers))
        db.session.rollback()
        return PlanOutcome(market.id, wave, "dry_run", result=result, orders={o.id: o for o in orders},
                           couriers={c.id: c for c, _s, _e in couriers})
    if replan:
        return _replan(market, wave, now)

    plan, why = _claim(market, wave, now)
    if plan is None:
        return PlanOutcome(market.id, wave, "skipped", plan=_plan_row(market.id, wave), skipped_because=why)
    try:
        orders = _wave_orders(market, wave, ROUTABLE_ORDER_STATUSES, lock=True)
        couriers = couriers_on_shift(market, wave.date, (wave.window_start, wave.window_end))
        result = _solve(build_problem(market, wave, orders, couriers)) if orders else RoutePlan([], [], 0, 0.0)
        outcome = PlanOutcome(market.id, wave, "planned", plan=plan, result=result,
                              orders={o.id: o for o in orders}, couriers={c.id: c for c, _s, _e in couriers})
        _store(outcome, now)
        db.session.commit()
    except Exception:
        db.session.rollback()  # the `planning` row stays; the next run completes it
        raise
    # A wave without orders still gets its (empty) plan row, but is not worth a log line.
    log.log(logging.INFO if orders else logging.DEBUG, "planned market %s wave %s: %d routes, %d unassigned",
            market.id, wave.key, len(result.routes), len(result.unassigned))
    return outcome


def _store(outcome: PlanOutcome, now: datetime, previous: dict[int, Route] | None = None) -> None:
    """Write the solver's plan onto `outcome.plan` (routes are kept for couriers whose list is
    unchanged on a re-plan), move the orders, and queue the courier lists."""
    plan, result, wave = outcome.plan, outcome.result, outcome.wave
    market = db.session.get(Market, outcome.market_id)
    previous = previous or {}
    routed_ids = set(result.assigned_order_ids)
    kept: set[int] = set()
    for planned in result.routes:
        old = previous.get(planned.courier_id)
        if old is not None and _signature_of_route(old) == _signature_of_planned(planned):
            kept.add(planned.courier_id)
            continue
        route = Route(courier=outcome.couriers[planned.courier_id], distance_m=planned.distance_m,
                      duration_minutes=planned.duration_minutes, load_bags=planned.load_bags,
                      departure=planned.departure, return_at=planned.return_at, revision=plan.revision)
        route.stops = [RouteStop(order_id=s.order_id, sequence=s.sequence, arrival=s.arrival, eta_start=s.eta_start,
                                 eta_end=s.eta_end, status=StopStatus.PENDING) for s in planned.stops]
        plan.routes.append(route)
    for courier_id, old in previous.items():
        if courier_id not in kept:
            plan.routes.remove(old)
            if courier_id not in {r.courier_id for r in result.routes}:
                events.route_cancelled_for_courier(old, plan, now)
    db.session.flush()

    for order_id in routed_ids:
        order = outcome.orders[order_id]
        if order.status != OrderStatus.ASSIGNED:
            _record(order, now, OrderStatus.ASSIGNED, f"{wave.cutoff:%H:%M} 회차 배송 경로에 배정", PLANNER_LABEL)
        order.needs_attention = None
    plan.unassigned = []
    db.session.flush()
    for item in result.unassigned:
        order = outcome.orders[item.order_id]
        if order.status == OrderStatus.ASSIGNED:
            _back_off_route(order, now)
        plan.unassigned.append(UnassignedOrder(order_id=order.id, reason=item.reason[:20]))
        carry_to_next_wave(order, market, wave, _unassigned_why(wave, item.reason), now)

    plan.status = PlanStatus.PLANNED
    plan.planned_at = now
    plan.total_distance_m = int(sum(r.distance_m for r in plan.routes))
    plan.solver_seconds = result.solver_seconds
    db.session.flush()
    for route in plan.routes:
        if route.courier_id not in kept:
            events.route_for_courier(route, plan.revision, route_link(route, now), now)
            outcome.notified_couriers.append(route.courier_id)


def _signature_of_route(route: Route) -> tuple:
    return tuple((s.order_id, s.eta_start, s.eta_end) for s in route.stops)


def _signature_of_planned(planned) -> tuple:
    return tuple((s.order_id, s.eta_start, s.eta_end) for s in planned.stops)


def _has_plan(market_id: int, order: Order) -> bool:
    return db.session.scalar(select(WavePlan.id).where(
        WavePlan.market_id == market_id, WavePlan.wave_date == order.wave_date,
        WavePlan.wave_cutoff == order.wave_cutoff)) is not None


def _replan(market: Market, wave: Wave, now: datetime) -> PlanOutcome:
    plan = _plan_row(market.id, wave, lock=True)
    if plan is None:
        existing = _plan_row(market.id, wave)
        db.session.rollback()
        if existing is None:
            raise Conflict("아직 계획되지 않은 배송 회차입니다.", code="not_planned")
        raise Conflict("다른 작업이 이 회차를 계획하는 중입니다. 잠시 후 다시 시도해 주세요.", code="plan_busy")
    if plan.status != PlanStatus.PLANNED or any(r.started_at for r in plan.routes) or any(
            s.status != StopStatus.PENDING for r in plan.routes for s in r.stops):
        db.session.rollback()
        raise Conflict("배송이 이미 출발해 다시 계획할 수 없습니다.", code="already_dispatched")
    on_routes = [s.order for r in plan.routes for s in r.stops]
    # Orders this plan left out come back if their new wave has not been planned yet.
    carried_back = [u.order for u in plan.unassigned
                    if u.order.status in ROUTABLE_ORDER_STATUSES and not _has_plan(market.id, u.order)]
    waiting = _wave_orders(market, wave, ROUTABLE_ORDER_STATUSES, lock=True)
    orders = {o.id: o for o in [*on_routes, *carried_back, *waiting]}
    for order in carried_back:
        order.wave_date, order.wave_cutoff = wave_key(wave)
    ordered = sorted(orders.values(), key=lambda o: o.id)
    couriers = couriers_on_shift(market, wave.date, (wave.window_start, wave.window_end))
    courier_map = {c.id: c for c, _s, _e in couriers}
    courier_map.update({r.courier_id: r.courier for r in plan.routes})
    result = _solve(build_problem(market, wave, ordered, couriers)) if ordered else RoutePlan([], [], 0, 0.0)
    previous = {r.courier_id: r for r in plan.routes}
    plan.revision += 1
    outcome = PlanOutcome(market.id, wave, "replanned", plan=plan, result=result, orders=orders,
                          couriers=courier_map)
    _store(outcome, now, previous)
    db.session.commit()
    return outcome


def route_link(route: Route, now: datetime) -> str:
    token = make_route_token(route.id, route.revision, current_app.config["SECRET_KEY"], now)
    return f"{current_app.config['PUBLIC_BASE_URL']}/r/{token}"


def plan_due(now: datetime) -> list[PlanOutcome]:
    """Every (online market, date, wave) whose planning time has come and that has no finished
    plan; a failing market is logged and retried next run, the others go on. On PostgreSQL,
    several due waves are planned on PLANNING_PROCESSES worker processes at once."""
    # A wave is planned after its cut-off: settle what the stalls left unanswered first, so an order
    # is never left `placed` behind a planned wave when the cut-off job has not run yet (both jobs
    # start at once after a scheduler outage, in any order).
    cancel_unanswered_stall_orders(now)
    due = _due_waves(now)
    processes = min(current_app.config["PLANNING_PROCESSES"], len(due))
    if processes > 1 and db.engine.dialect.name == "postgresql":
        from .parallel import plan_in_processes

        db.session.rollback()  # nothing of ours may hold a lock the workers wait for
        results = plan_in_processes(current_app._get_current_object(),
                                    [(market.id, *wave_key(wave)) for market, wave in due], now, processes)
        return [PlanOutcome(market.id, wave, action, plan=_plan_row(market.id, wave), skipped_because=why)
                for (market, wave), (action, why) in zip(due, results)]
    outcomes = []
    for market, wave in due:
        try:
            outcomes.append(plan_wave(market, wave.date, wave.cutoff_time, now))
        except Exception:
            db.session.rollback()
            log.exception("planning market %s wave %s failed; retried next run", market.id, wave.key)
    return outcomes


def _due_waves(now: datetime) -> list[tuple[Market, Wave]]:
    from .waves import due_waves

    local_today = now.astimezone(SEOUL).date()
    done = {(m, d, c) for m, d, c in db.session.execute(
        select(WavePlan.market_id, WavePlan.wave_date, WavePlan.wave_cutoff)
        .where(WavePlan.wave_date >= local_today - timedelta(days=1), WavePlan.status != PlanStatus.PLANNING))}
    markets = db.session.scalars(select(Market).where(Market.is_online).order_by(Market.id)).all()
    return [(market, wave) for market in markets for wave in due_waves(wave_rules(market), now)
            if (market.id, *wave_key(wave)) not in done]


# --- the courier's route page -----------------------------------------------------------------


def route_from_token(token: str, now: datetime, *, lock: bool = False) -> Route:
    """The route a signed link opens; RouteLinkExpired / RouteLinkInvalid (-> 403) otherwise.

    lock (the courier's actions): first lock the route's plan row (PostgreSQL) until the caller
    commits, so a double tap is applied once and a re-plan never replaces a route mid-action."""
    config = current_app.config
    claims = read_route_token(token, config["SECRET_KEY"], config["ROUTE_LINK_MAX_AGE_HOURS"], now)
    if lock:
        plan_id = db.session.scalar(select(Route.plan_id).where(Route.id == claims.route_id))
        if plan_id is not None:
            db.session.execute(select(WavePlan.id).where(WavePlan.id == plan_id).with_for_update())
    route = db.session.get(Route, claims.route_id, populate_existing=lock)
    if route is None or route.revision != claims.revision:
        raise RouteLinkInvalid("배송 경로가 다시 계획되어 이 링크는 더 이상 쓰이지 않습니다. 새 문자의 링크를 열어 주세요.")
    return route


def _courier_label(route: Route) -> str:
    return f"배송기사 {route.courier.name}"[:60]


def start_route(route: Route, now: datetime) -> bool:
    """The courier leaves: the route's orders go out for delivery and each customer gets the ETA
    window. Returns False when the route had already started (a repeated tap changes nothing)."""
    if route.started_at is not None:
        return False
    route.started_at = now
    plan = route.plan
    if plan.status == PlanStatus.PLANNED:
        plan.status = PlanStatus.DISPATCHED
        plan.dispatched_at = now
    for stop in route.stops:
        if stop.status == StopStatus.PENDING and stop.order.status == OrderStatus.ASSIGNED:
            _record(stop.order, now, OrderStatus.OUT_FOR_DELIVERY, "배송 출발", _courier_label(route))
            events.order_dispatched(stop.order, stop, now)
    return True


def _stop_of(route: Route, stop_id: int) -> RouteStop:
    stop = next((s for s in route.stops if s.id == stop_id), None)
    if stop is None:
        raise NotFound("이 경로에 없는 배송지입니다.")
    return stop


def _deliverable(route: Route, stop: RouteStop, now: datetime) -> None:
    start_route(route, now)
    if stop.order.status == OrderStatus.ASSIGNED:  # e.g. added back after the route started
        _record(stop.order, now, OrderStatus.OUT_FOR_DELIVERY, "배송 출발", _courier_label(route))


def mark_stop_delivered(route: Route, stop_id: int, now: datetime) -> bool:
    """배송 완료: the stop and the order are delivered and the customer texted. Idempotent:
    False when it was already delivered; Conflict if it was marked failed."""
    stop = _stop_of(route, stop_id)
    if stop.status == StopStatus.DELIVERED:
        return False
    if stop.status == StopStatus.FAILED:
        raise Conflict("이미 배송 실패로 처리된 곳입니다. 배송센터에 알려 주세요.", code="invalid_transition")
    _deliverable(route, stop, now)
    try:
        _record(stop.order, now, OrderStatus.DELIVERED, "배송 완료", _courier_label(route))
    except InvalidTransition as error:
        raise Conflict("이 주문은 지금 배송 완료로 바꿀 수 없습니다.", code="invalid_transition") from error
    stop.status = StopStatus.DELIVERED
    stop.completed_at = now
    events.order_delivered(stop.order, now)
    return True


def mark_stop_failed(route: Route, stop_id: int, reason: str, note: str | None, now: datetime) -> bool:
    """배송 실패 with a reason: order failed, customer texted, order carried to the next wave and
    flagged for the market admin. Idempotent like mark_stop_delivered."""
    if reason not in FailureReason.LABELS:
        raise Unprocessable("실패 사유를 선택해 주세요.", code="invalid_reason")
    stop = _stop_of(route, stop_id)
    if stop.status == StopStatus.FAILED:
        return False
    if stop.status == StopStatus.DELIVERED:
        raise Conflict("이미 배송 완료된 곳입니다.", code="invalid_transition")
    _deliverable(route, stop, now)
    label = FailureReason.LABELS[reason]
    note = (note or "").strip()[:200] or None
    try:
        _record(stop.order, now, OrderStatus.FAILED, f"배송 실패: {label}" + (f" ({note})" if note else ""),
                _courier_label(route))
    except InvalidTransition as error:
        raise Conflict("이 주문은 지금 배송 실패로 바꿀 수 없습니다.", code="invalid_transition") from error
    stop.status = StopStatus.FAILED
    stop.failure_reason = reason
    stop.failure_note = note
    stop.completed_at = now
    plan = route.plan
    wave = market_wave(plan.market, plan.wave_date, plan.wave_cutoff)
    next_wave = carry_to_next_wave(stop.order, plan.market, wave, f"{plan.wave_cutoff} 회차 배송 실패({label})",
                                   now, actor_label=_courier_label(route))
    events.order_failed(stop.order, stop, now, redelivery=next_wave is not None)
    return True


# --- couriers (market admin) ------------------------------------------------------------------


@dataclass(frozen=True)
class ShiftInput:
    weekday: int
    start: str  # "HH:MM"
    end: str


def save_courier(market: Market, now: datetime, *, name: str, phone: str, vehicle_kind: str,
                 capacity_bags: int, shifts: list[ShiftInput], is_active: bool = True,
                 courier: Courier | None = None) -> Courier:
    """Create or update a courier of `market` with their weekly shifts (replacing the old ones)."""
    from ..accounts.models import Role
    from ..accounts.operations import normalize_phone_for_role

    name = (name or "").strip()
    if not name:
        raise Unprocessable("이름을 입력해 주세요.", code="invalid_name")
    if vehicle_kind not in VehicleKind.ALL:
        raise Unprocessable("배송 수단을 선택해 주세요.", code="invalid_vehicle")
    if not 1 <= capacity_bags <= 200:
        raise Unprocessable("적재 용량은 1~200봉입니다.", code="invalid_capacity")
    e164 = normalize_phone_for_role(phone, Role.COURIER)
    for shift in shifts:
        if not 0 <= shift.weekday <= 6:
            raise Unprocessable("요일이 올바르지 않습니다.", code="invalid_shift")
        try:
            start, end = time.fromisoformat(shift.start), time.fromisoformat(shift.end)
        except ValueError:
            raise Unprocessable("근무 시간은 HH:MM 형식입니다.", code="invalid_shift") from None
        if end <= start:
            raise Unprocessable("근무 종료 시각은 시작 시각보다 늦어야 합니다.", code="invalid_shift")
    taken = db.session.scalar(select(Courier.id).where(Courier.market_id == market.id, Courier.phone == e164))
    if taken and (courier is None or taken != courier.id):
        raise Conflict("이미 등록된 배송기사 전화번호입니다.", code="phone_taken")
    if courier is None:
        courier = Courier(market_id=market.id)
        db.session.add(courier)
    courier.name, courier.phone, courier.vehicle_kind = name, e164, vehicle_kind
    courier.capacity_bags, courier.is_active = capacity_bags, is_active
    courier.shifts = []
    db.session.flush()  # the old shifts go before the new ones reuse their (courier, weekday)
    courier.shifts = [CourierShift(weekday=s.weekday, start=s.start, end=s.end) for s in
                      sorted(shifts, key=lambda s: s.weekday)]
    db.session.flush()
    return courier


def get_courier(market: Market, courier_id: int) -> Courier:
    courier = db.session.get(Courier, courier_id)
    if courier is None or courier.market_id != market.id:
        raise NotFound("배송기사를 찾을 수 없습니다.")
    return courier


def market_couriers(market: Market) -> list[Courier]:
    return list(db.session.scalars(select(Courier).where(Courier.market_id == market.id)
                                   .options(selectinload(Courier.shifts)).order_by(Courier.is_active.desc(),
                                                                                   Courier.name)))


def plans_of_day(market: Market, day: date) -> list[WavePlan]:
    """The day's stored plans with routes, stops, orders and unassigned orders loaded."""
    return list(db.session.scalars(
        select(WavePlan).where(WavePlan.market_id == market.id, WavePlan.wave_date == day)
        .options(selectinload(WavePlan.routes).selectinload(Route.stops).selectinload(RouteStop.order),
                 selectinload(WavePlan.routes).selectinload(Route.courier),
                 selectinload(WavePlan.unassigned).selectinload(UnassignedOrder.order))
        .order_by(WavePlan.wave_cutoff)))
