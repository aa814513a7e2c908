"""Courier route planning for one delivery wave (pure: no Flask, no database).

The wave becomes a vehicle-routing problem for PyVRP: the depot is the market's
delivery centre, every order is an optional client with a large prize (so an
order that cannot fit is left out instead of making the whole solve
infeasible), every courier on shift is a vehicle type of one with a capacity in
bags, a shift window and a speed profile. Units inside the solver are integer
metres and seconds counted from `PlanningProblem.start`.

Every input stop comes back either on a route or in `RoutePlan.unassigned`
with a best-effort reason.

Determinism: the search stops after a fixed number of iterations without
improvement, or at `time_limit_s`, whichever comes first. Waves of market size
stall long before the time limit, so the same problem and seed give the same
plan; only a solve cut short by the time limit can vary between runs.
"""

from __future__ import annotations

import math
import multiprocessing
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from pyvrp import CostEvaluator, Model, ProblemData, Solution, solve
from pyvrp.stop import MaxRuntime, MultipleCriteria, NoImprovement

from ..geo.distance import DistanceSource, GeodesicDistance

# City speeds in km/h, door to door on average (traffic lights, alleys, parking).
SPEED_KMH: dict[str, float] = {"walk": 4.5, "bicycle": 13.0, "motorbike": 22.0, "car": 20.0}
VEHICLE_KINDS = tuple(SPEED_KMH)

# Why a stop is not on any route.
CAPACITY = "capacity"  # bigger than every courier's box, or every box already full
TIME_WINDOW = "time_window"  # cannot be reached inside its window, the shifts or the route limit
NO_VEHICLE = "no_vehicle"  # no courier on shift
UNREACHABLE = "unreachable"  # the distance source has no route to or from the stop
REASONS = (CAPACITY, TIME_WINDOW, NO_VEHICLE, UNREACHABLE)

# The customer is told a window around the planned arrival, in whole 5 minutes.
ETA_BEFORE = timedelta(minutes=10)
ETA_AFTER = timedelta(minutes=20)
ETA_ROUNDING_MINUTES = 5

# Stop the search after this many iterations without a better plan (see module docstring).
STALL_ITERATIONS = 2_000
# Stands in for "no route" in the solver's matrices: far beyond any shift, far below overflow.
_UNREACHABLE_M = 100_000_000


@dataclass(frozen=True)
class Depot:
    lat: float
    lng: float


@dataclass(frozen=True)
class Stop:
    order_id: int
    lat: float
    lng: float
    demand_bags: int
    window_start: datetime
    window_end: datetime
    service_minutes: float = 3.0

    def __post_init__(self) -> None:
        if self.demand_bags < 0:
            raise ValueError(f"order {self.order_id}: demand_bags must not be negative")
        if self.window_end < self.window_start:
            raise ValueError(f"order {self.order_id}: window ends before it starts")
        if self.service_minutes < 0:
            raise ValueError(f"order {self.order_id}: service_minutes must not be negative")


@dataclass(frozen=True)
class Vehicle:
    courier_id: int
    capacity_bags: int
    kind: str  # one of VEHICLE_KINDS: walk 도보, bicycle 자전거, motorbike 오토바이, car 차량
    shift_start: datetime
    shift_end: datetime
    max_route_minutes: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in SPEED_KMH:
            raise ValueError(f"courier {self.courier_id}: unknown vehicle kind {self.kind!r}")
        if self.capacity_bags < 0:
            raise ValueError(f"courier {self.courier_id}: capacity_bags must not be negative")
        if self.max_route_minutes is not None and self.max_route_minutes <= 0:
            raise ValueError(f"courier {self.courier_id}: max_route_minutes must be positive")

    @property
    def speed_m_per_s(self) -> float:
        return SPEED_KMH[self.kind] / 3.6


@dataclass(frozen=True)
class PlanningProblem:
    depot: Depot
    stops: Sequence[Stop]
    vehicles: Sequence[Vehicle]
    start: datetime  # time zero: no courier leaves before it

    def __post_init__(self) -> None:
        order_ids = [stop.order_id for stop in self.stops]
        if len(set(order_ids)) != len(order_ids):
            raise ValueError("order ids must be unique within a problem")
        courier_ids = [vehicle.courier_id for vehicle in self.vehicles]
        if len(set(courier_ids)) != len(courier_ids):
            raise ValueError("courier ids must be unique within a problem")


@dataclass(frozen=True)
class PlannedStop:
    order_id: int
    sequence: int  # 1 for the first stop of the route
    arrival: datetime  # planned start of the hand-over (after any wait for the window)
    eta_start: datetime  # the window the customer is told
    eta_end: datetime
    distance_from_prev_m: int


@dataclass(frozen=True)
class PlannedRoute:
    courier_id: int
    stops: list[PlannedStop]
    distance_m: int  # depot, every stop, back to the depot
    duration_minutes: int
    load_bags: int
    departure: datetime
    return_at: datetime


@dataclass(frozen=True)
class UnassignedStop:
    order_id: int
    reason: str  # one of REASONS


@dataclass(frozen=True)
class RoutePlan:
    routes: list[PlannedRoute]
    unassigned: list[UnassignedStop]
    cost: int  # total distance in metres of all routes
    solver_seconds: float

    @property
    def assigned_order_ids(self) -> list[int]:
        return [stop.order_id for route in self.routes for stop in route.stops]


def eta_window(arrival: datetime, window_start: datetime, window_end: datetime) -> tuple[datetime, datetime]:
    """Customer-facing window: arrival −10/+20 minutes on a 5-minute grid, kept inside the delivery window."""
    early = _floor_minutes(arrival - ETA_BEFORE, ETA_ROUNDING_MINUTES)
    late = _ceil_minutes(arrival + ETA_AFTER, ETA_ROUNDING_MINUTES)
    return max(early, window_start), min(late, window_end)


def plan_routes(
    problem: PlanningProblem,
    distance_source: DistanceSource = GeodesicDistance(),
    *,
    time_limit_s: float = 5.0,
    seed: int = 1,
    parallel_seeds: int = 1,
) -> RoutePlan:
    """Plan the couriers' routes for `problem`; every stop ends on a route or in `unassigned`.

    The solver serves as many orders as it can, then minimises total
    distance. `time_limit_s` bounds the wall time of the call; small waves
    usually finish earlier (see the module docstring).

    `parallel_seeds > 1` solves with seeds `seed, seed+1, ...` in separate
    processes (at most one per CPU core) and keeps the best plan, ties going
    to the lowest seed. The processes are started with "spawn", which is safe
    inside a threaded scheduler but, as always with spawn, needs the calling
    script to guard its entry point with `if __name__ == "__main__":`.
    """
    began = time.perf_counter()
    deadline = time.time() + time_limit_s
    stops = list(problem.stops)
    if not stops:
        return RoutePlan([], [], 0, time.perf_counter() - began)

    metres = _metres_matrix(problem, distance_source)
    vehicles = [vehicle for vehicle in problem.vehicles if _on_shift(problem, vehicle)]
    left_out = {index: reason for index in range(len(stops)) if (reason := _screen(problem, vehicles, metres, index))}
    candidates = [index for index in range(len(stops)) if index not in left_out]

    routes: list[PlannedRoute] = []
    if candidates:
        data = _build_model(problem, vehicles, metres, candidates).data()
        solution = _best_solution(data, seed, parallel_seeds, deadline)
        routes, dropped = _read_routes(problem, vehicles, metres, candidates, solution)
        left_out.update(dropped)
        loads = {route.courier_id: route.load_bags for route in routes}
        spare = [vehicle.capacity_bags - loads.get(vehicle.courier_id, 0) for vehicle in vehicles]
        for index in _unplanned(candidates, routes, stops, left_out):
            left_out[index] = CAPACITY if stops[index].demand_bags > max(spare, default=0) else TIME_WINDOW

    unassigned = [UnassignedStop(stops[index].order_id, left_out[index]) for index in sorted(left_out)]
    plan = RoutePlan(
        routes=routes,
        unassigned=unassigned,
        cost=sum(route.distance_m for route in routes),
        solver_seconds=time.perf_counter() - began,
    )
    _check_every_stop_accounted_for(stops, plan)
    return plan


# --- building the solver model -------------------------------------------------------


def _metres_matrix(problem: PlanningProblem, distance_source: DistanceSource) -> np.ndarray:
    """Index 0 is the depot, index i + 1 is stop i. Non-finite entries mean no route."""
    points = [(problem.depot.lat, problem.depot.lng)] + [(stop.lat, stop.lng) for stop in problem.stops]
    metres = np.asarray(distance_source.matrix(points), dtype=float)
    if metres.shape != (len(points), len(points)):
        raise ValueError(f"distance source gave a {metres.shape} matrix for {len(points)} points")
    return metres


def _seconds_from_start(problem: PlanningProblem, moment: datetime) -> int:
    return math.floor((moment - problem.start).total_seconds())


def _shift_seconds(problem: PlanningProblem, vehicle: Vehicle) -> tuple[int, int]:
    return max(0, _seconds_from_start(problem, vehicle.shift_start)), _seconds_from_start(problem, vehicle.shift_end)


def _on_shift(problem: PlanningProblem, vehicle: Vehicle) -> bool:
    shift_open, shift_close = _shift_seconds(problem, vehicle)
    return shift_close > shift_open


def _window_seconds(problem: PlanningProblem, stop: Stop) -> tuple[int, int]:
    return max(0, _seconds_from_start(problem, stop.window_start)), _seconds_from_start(problem, stop.window_end)


def _travel_seconds(metres: float | np.ndarray, vehicle_kind: str) -> np.ndarray:
    return np.ceil(np.asarray(metres) * 3.6 / SPEED_KMH[vehicle_kind]).astype(np.int64)


def _screen(problem: PlanningProblem, vehicles: list[Vehicle], metres: np.ndarray, index: int) -> str | None:
    """Why stop `index` cannot be served even as the only stop of a route, or None if it can."""
    if not vehicles:
        return NO_VEHICLE
    node = index + 1
    if not (np.isfinite(metres[0, node]) and np.isfinite(metres[node, 0])):
        return UNREACHABLE
    stop = problem.stops[index]
    big_enough = [vehicle for vehicle in vehicles if vehicle.capacity_bags >= stop.demand_bags]
    if not big_enough:
        return CAPACITY
    if not any(_can_serve_alone(problem, vehicle, stop, metres[0, node], metres[node, 0]) for vehicle in big_enough):
        return TIME_WINDOW
    return None


def _can_serve_alone(problem: PlanningProblem, vehicle: Vehicle, stop: Stop, out_m: float, back_m: float) -> bool:
    shift_open, shift_close = _shift_seconds(problem, vehicle)
    window_open, window_close = _window_seconds(problem, stop)
    out_s, back_s = int(_travel_seconds(out_m, vehicle.kind)), int(_travel_seconds(back_m, vehicle.kind))
    service_s = round(stop.service_minutes * 60)
    hand_over = max(shift_open + out_s, window_open)
    # A courier may leave later instead of waiting, so the route lasts out + service + back.
    route_s = out_s + service_s + back_s
    max_route_s = vehicle.max_route_minutes * 60 if vehicle.max_route_minutes else math.inf
    return hand_over <= window_close and hand_over + service_s + back_s <= shift_close and route_s <= max_route_s


def _build_model(problem: PlanningProblem, vehicles: list[Vehicle], metres: np.ndarray, candidates: list[int]) -> Model:
    nodes = [0] + [index + 1 for index in candidates]
    sub = metres[np.ix_(nodes, nodes)]
    sub = np.where(np.isfinite(sub), sub, _UNREACHABLE_M)
    distance = np.rint(sub).astype(np.int64)
    # Serving any one stop must always be worth more than the detour it costs.
    reachable = distance[distance < _UNREACHABLE_M]
    prize = int(10 * reachable.max(initial=0) + 10_000)

    model = Model()
    depot_location = model.add_location(x=problem.depot.lng, y=problem.depot.lat, name="depot")
    model.add_depot(depot_location, name="depot")
    locations = [depot_location]
    for index in candidates:
        stop = problem.stops[index]
        location = model.add_location(x=stop.lng, y=stop.lat, name=str(stop.order_id))
        window_open, window_close = _window_seconds(problem, stop)
        model.add_client(
            location,
            delivery=stop.demand_bags,
            service_duration=round(stop.service_minutes * 60),
            tw_early=window_open,
            tw_late=window_close,
            prize=prize,
            required=False,
            name=str(stop.order_id),
        )
        locations.append(location)

    kinds = [kind for kind in VEHICLE_KINDS if any(vehicle.kind == kind for vehicle in vehicles)]
    profiles = {}
    distance_rows = distance.tolist()
    for kind in kinds:
        profile = profiles[kind] = model.add_profile(name=kind)
        duration_rows = _travel_seconds(distance, kind).tolist()
        for i, frm in enumerate(locations):
            for j, to in enumerate(locations):
                if i != j:
                    model.add_edge(frm, to, distance_rows[i][j], duration_rows[i][j], profile=profile)

    for vehicle in vehicles:
        shift_open, shift_close = _shift_seconds(problem, vehicle)
        limits = {"shift_duration": vehicle.max_route_minutes * 60} if vehicle.max_route_minutes else {}
        model.add_vehicle_type(
            num_available=1,
            capacity=vehicle.capacity_bags,
            tw_early=shift_open,
            tw_late=shift_close,
            profile=profiles[vehicle.kind],
            name=str(vehicle.courier_id),
            **limits,
        )
    return model


# --- solving -------------------------------------------------------------------------


def _solve_once(data: ProblemData, seed: int, deadline: float) -> Solution:
    remaining = max(0.0, deadline - time.time())
    stop = MultipleCriteria([MaxRuntime(remaining), NoImprovement(STALL_ITERATIONS)])
    return solve(data, stop=stop, seed=seed, collect_stats=False, display=False).best


def _objective(solution: Solution) -> float:
    """Distance plus the prizes of stops left out; infinite when infeasible."""
    if not solution.is_feasible():
        return math.inf
    return CostEvaluator([0], 0, 0).cost(solution)


def _best_solution(data: ProblemData, seed: int, parallel_seeds: int, deadline: float) -> Solution:
    seeds = [seed + offset for offset in range(max(1, parallel_seeds))]
    if len(seeds) == 1:
        return _solve_once(data, seed, deadline)
    workers = min(len(seeds), multiprocessing.cpu_count())
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        solutions = list(pool.map(_solve_once, [data] * len(seeds), seeds, [deadline] * len(seeds)))
    # min() keeps the first of equal objectives: the lowest seed wins ties.
    return min(solutions, key=_objective)


# --- reading the solution back -------------------------------------------------------


def _read_routes(
    problem: PlanningProblem,
    vehicles: list[Vehicle],
    metres: np.ndarray,
    candidates: list[int],
    solution: Solution,
) -> tuple[list[PlannedRoute], dict[int, str]]:
    """Routes in courier order, plus the stops of any route the solver left infeasible."""
    routes: dict[int, PlannedRoute] = {}
    dropped: dict[int, str] = {}
    for route in solution.routes():
        vehicle = vehicles[route.vehicle_type()]
        visits = [activity for activity in route.schedule() if activity.is_client()]
        if not route.is_feasible():
            reason = CAPACITY if route.has_excess_load() else TIME_WINDOW
            dropped.update({candidates[visit.idx]: reason for visit in visits})
            continue
        planned: list[PlannedStop] = []
        previous_node = 0
        for sequence, visit in enumerate(visits, start=1):
            index = candidates[visit.idx]
            stop = problem.stops[index]
            arrival = problem.start + timedelta(seconds=visit.start_time)
            eta_start, eta_end = eta_window(arrival, stop.window_start, stop.window_end)
            leg = int(round(float(metres[previous_node, index + 1])))
            planned.append(PlannedStop(stop.order_id, sequence, arrival, eta_start, eta_end, leg))
            previous_node = index + 1
        routes[route.vehicle_type()] = PlannedRoute(
            courier_id=vehicle.courier_id,
            stops=planned,
            distance_m=int(route.distance()),
            duration_minutes=math.ceil(route.duration() / 60),
            load_bags=int(route.delivery()[0]),
            departure=problem.start + timedelta(seconds=route.start_time()),
            return_at=problem.start + timedelta(seconds=route.end_time()),
        )
    return [routes[key] for key in sorted(routes)], dropped


def _unplanned(candidates: list[int], routes: list[PlannedRoute], stops: list[Stop], left_out: dict[int, str]) -> list[int]:
    on_routes = {stop.order_id for route in routes for stop in route.stops}
    return [index for index in candidates if stops[index].order_id not in on_routes and index not in left_out]


def _check_every_stop_accounted_for(stops: list[Stop], plan: RoutePlan) -> None:
    planned = plan.assigned_order_ids + [item.order_id for item in plan.unassigned]
    if sorted(planned) != sorted(stop.order_id for stop in stops):
        raise AssertionError("route plan lost or duplicated a stop")  # a bug here, never bad input


def _floor_minutes(moment: datetime, step: int) -> datetime:
    moment = moment.replace(second=0, microsecond=0)
    return moment - timedelta(minutes=moment.minute % step)


def _ceil_minutes(moment: datetime, step: int) -> datetime:
    floored = _floor_minutes(moment, step)
    return floored if floored == moment else floored + timedelta(minutes=step)
