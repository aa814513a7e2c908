from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from market_app.delivery.planning import (
    CAPACITY,
    NO_VEHICLE,
    TIME_WINDOW,
    UNREACHABLE,
    Depot,
    PlanningProblem,
    RoutePlan,
    Stop,
    Vehicle,
    eta_window,
    plan_routes,
)
from market_app.geo.distance import GeodesicDistance

SEOUL = ZoneInfo("Asia/Seoul")
START = datetime(2026, 11, 24, 14, 30, tzinfo=SEOUL)  # a wave planned at 14:30
DEPOT = Depot(37.5700, 126.9990)  # a market's delivery centre
TIME_LIMIT = 0.5


def stops_around(count: int, *, seed: int = 7, bags: tuple[int, int] = (1, 3), minutes: int = 90) -> list[Stop]:
    """`count` orders within about 1.5 km of the depot, all due in the wave's window."""
    rng = random.Random(seed)
    return [
        Stop(
            order_id=100 + number,
            lat=DEPOT.lat + rng.uniform(-0.012, 0.012),
            lng=DEPOT.lng + rng.uniform(-0.015, 0.015),
            demand_bags=rng.randint(*bags),
            window_start=START,
            window_end=START + timedelta(minutes=minutes),
            service_minutes=3,
        )
        for number in range(count)
    ]


def courier(courier_id: int, capacity: int = 15, kind: str = "motorbike", hours: float = 2.0, **limits) -> Vehicle:
    return Vehicle(courier_id, capacity, kind, START, START + timedelta(hours=hours), **limits)


def solve(stops: Sequence[Stop], vehicles: Sequence[Vehicle], **options) -> RoutePlan:
    problem = PlanningProblem(DEPOT, stops, vehicles, START)
    return plan_routes(problem, time_limit_s=TIME_LIMIT, **options)


def assert_every_stop_accounted_for(stops: Sequence[Stop], plan: RoutePlan) -> None:
    planned = [stop.order_id for route in plan.routes for stop in route.stops]
    unassigned = [item.order_id for item in plan.unassigned]
    assert sorted(planned + unassigned) == sorted(stop.order_id for stop in stops)


class FixedDistance:
    """A distance source with given metres: the shape a road engine would plug in as."""

    def __init__(self, metres: np.ndarray) -> None:
        self.metres = metres

    def matrix(self, points):
        assert len(points) == len(self.metres)
        return self.metres


def test_every_stop_is_routed_when_couriers_have_room():
    """Given 12 small orders and two roomy couriers, every order is on a route, in sequence from 1."""
    stops = stops_around(12)
    plan = solve(stops, [courier(1, 20), courier(2, 20, "bicycle")])
    assert_every_stop_accounted_for(stops, plan)
    assert plan.unassigned == []
    for route in plan.routes:
        assert [stop.sequence for stop in route.stops] == list(range(1, len(route.stops) + 1))
    assert plan.cost == sum(route.distance_m for route in plan.routes) > 0


def test_loads_never_exceed_a_courier_capacity():
    """Given more bags than one courier carries, each route's load is its stops' bags and within capacity."""
    stops = stops_around(20, bags=(1, 4))
    vehicles = [courier(1, 12), courier(2, 14, "bicycle"), courier(3, 20, "car")]
    plan = solve(stops, vehicles)
    assert_every_stop_accounted_for(stops, plan)
    capacity = {vehicle.courier_id: vehicle.capacity_bags for vehicle in vehicles}
    bags = {stop.order_id: stop.demand_bags for stop in stops}
    for route in plan.routes:
        assert route.load_bags == sum(bags[stop.order_id] for stop in route.stops)
        assert route.load_bags <= capacity[route.courier_id]


def test_arrivals_fall_inside_windows_and_routes_inside_shifts():
    """Given early and late windows, every hand-over starts inside its window and every courier is back by shift end."""
    stops = stops_around(16)
    stops = [
        Stop(s.order_id, s.lat, s.lng, s.demand_bags,
             START + timedelta(minutes=45 * (i % 2)), START + timedelta(minutes=45 * (i % 2) + 45), 3)
        for i, s in enumerate(stops)
    ]
    vehicles = [courier(1, 30), courier(2, 30, "bicycle", hours=1.75)]
    plan = solve(stops, vehicles)
    assert_every_stop_accounted_for(stops, plan)
    windows = {stop.order_id: (stop.window_start, stop.window_end) for stop in stops}
    shifts = {vehicle.courier_id: vehicle for vehicle in vehicles}
    for route in plan.routes:
        vehicle = shifts[route.courier_id]
        assert vehicle.shift_start <= route.departure and route.return_at <= vehicle.shift_end
        for stop in route.stops:
            opens, closes = windows[stop.order_id]
            assert opens <= stop.arrival <= closes


def test_eta_windows_hold_the_arrival_and_stay_inside_the_delivery_window():
    """Given a planned wave, each customer's ETA window contains the arrival, lies in the delivery window, on 5 minutes."""
    stops = stops_around(10)
    plan = solve(stops, [courier(1, 30)])
    windows = {stop.order_id: (stop.window_start, stop.window_end) for stop in stops}
    for stop in plan.routes[0].stops:
        opens, closes = windows[stop.order_id]
        assert opens <= stop.eta_start <= stop.arrival <= stop.eta_end <= closes
        assert stop.eta_start.minute % 5 == 0 and stop.eta_end.minute % 5 == 0


def test_eta_window_is_ten_minutes_before_and_twenty_after_rounded_outwards():
    """Given an arrival at 15:07:30 in a 14:30–16:00 window, the customer is told 14:55–15:30."""
    arrival = START.replace(hour=15, minute=7, second=30)
    assert eta_window(arrival, START, START + timedelta(minutes=90)) == (
        START.replace(hour=14, minute=55), START.replace(hour=15, minute=30))


def test_eta_window_is_clipped_to_the_delivery_window():
    """Given an arrival two minutes after the window opens, the ETA starts at the window's opening."""
    arrival = START + timedelta(minutes=2)
    start, end = eta_window(arrival, START, START + timedelta(minutes=15))
    assert (start, end) == (START, START + timedelta(minutes=15))


def test_an_order_bigger_than_every_box_is_unassigned_for_capacity():
    """Given an order of 10 bags and couriers carrying 6, that order is left out for capacity, the rest routed."""
    stops = stops_around(5)
    big = Stop(999, DEPOT.lat + 0.003, DEPOT.lng, 10, START, START + timedelta(minutes=90), 3)
    plan = solve([*stops, big], [courier(1, 6), courier(2, 6)])
    assert_every_stop_accounted_for([*stops, big], plan)
    assert [(item.order_id, item.reason) for item in plan.unassigned] == [(999, CAPACITY)]


def test_orders_beyond_the_fleet_capacity_are_unassigned_for_capacity():
    """Given 3 orders of 3 bags and two couriers of 4, one order is left out for capacity."""
    stops = stops_around(3, bags=(3, 3))
    plan = solve(stops, [courier(1, 4), courier(2, 4)])
    assert_every_stop_accounted_for(stops, plan)
    assert len(plan.unassigned) == 1
    assert plan.unassigned[0].reason == CAPACITY


def test_an_order_whose_window_has_passed_is_unassigned_for_time():
    """Given an order due before planning starts, it is left out with reason time_window."""
    stops = stops_around(4)
    late = Stop(998, DEPOT.lat, DEPOT.lng + 0.002, 1, START - timedelta(hours=2), START - timedelta(hours=1), 3)
    plan = solve([*stops, late], [courier(1)])
    assert_every_stop_accounted_for([*stops, late], plan)
    assert [(item.order_id, item.reason) for item in plan.unassigned] == [(998, TIME_WINDOW)]


def test_a_walking_courier_with_a_short_route_limit_leaves_far_orders_for_time():
    """Given one walker limited to 20 minutes, far orders are unassigned for time and the route keeps the limit."""
    stops = stops_around(8)
    plan = solve(stops, [courier(1, 30, "walk", max_route_minutes=20)])
    assert_every_stop_accounted_for(stops, plan)
    assert plan.unassigned and {item.reason for item in plan.unassigned} == {TIME_WINDOW}
    assert all(route.duration_minutes <= 20 for route in plan.routes)


def test_no_couriers_means_every_order_is_unassigned_for_no_vehicle():
    """Given orders but no courier on shift, every order is unassigned with reason no_vehicle."""
    stops = stops_around(4)
    plan = solve(stops, [])
    assert plan.routes == []
    assert [(item.order_id, item.reason) for item in plan.unassigned] == [(s.order_id, NO_VEHICLE) for s in stops]


def test_couriers_whose_shift_is_over_count_as_no_vehicle():
    """Given a courier whose shift ended before planning starts, orders are unassigned with reason no_vehicle."""
    gone = Vehicle(1, 20, "motorbike", START - timedelta(hours=3), START - timedelta(hours=1))
    plan = solve(stops_around(2), [gone])
    assert {item.reason for item in plan.unassigned} == {NO_VEHICLE}


def test_no_orders_gives_an_empty_plan():
    """Given no orders, the plan has no routes, nothing unassigned and no cost."""
    plan = solve([], [courier(1)])
    assert (plan.routes, plan.unassigned, plan.cost) == ([], [], 0)


def test_an_order_the_distance_source_cannot_reach_is_unassigned_as_unreachable():
    """Given a distance source with no route to one order, that order is unreachable and the other is routed."""
    stops = stops_around(2)
    metres = np.array([[0, 500, np.inf], [500, 0, np.inf], [np.inf, np.inf, 0]], dtype=float)
    problem = PlanningProblem(DEPOT, stops, [courier(1)], START)
    plan = plan_routes(problem, FixedDistance(metres), time_limit_s=TIME_LIMIT)
    assert [(item.order_id, item.reason) for item in plan.unassigned] == [(stops[1].order_id, UNREACHABLE)]
    assert [stop.order_id for stop in plan.routes[0].stops] == [stops[0].order_id]


@pytest.mark.parametrize("kind, km_per_hour", [("walk", 4.5), ("bicycle", 13.0), ("motorbike", 22.0), ("car", 20.0)])
def test_travel_time_follows_the_vehicle_speed(kind, km_per_hour):
    """Given one order 1,000 m away, the courier arrives after 1,000 m at the vehicle's speed and reports the legs."""
    stop = Stop(1, DEPOT.lat, DEPOT.lng, 1, START, START + timedelta(hours=2), 0)
    metres = np.array([[0.0, 1000.0], [1000.0, 0.0]])
    problem = PlanningProblem(DEPOT, [stop], [courier(7, kind=kind, hours=3)], START)
    route = plan_routes(problem, FixedDistance(metres), time_limit_s=TIME_LIMIT).routes[0]
    expected = math.ceil(1000 * 3.6 / km_per_hour)
    assert (route.stops[0].arrival - route.departure).total_seconds() == expected
    assert (route.stops[0].distance_from_prev_m, route.distance_m) == (1000, 2000)


def test_same_seed_gives_the_same_plan():
    """Given the same problem and seed twice, the routes are identical."""
    stops = stops_around(18, bags=(1, 4))
    vehicles = [courier(1, 15), courier(2, 12, "bicycle"), courier(3, 10, "walk")]
    first, second = solve(stops, vehicles, seed=3), solve(stops, vehicles, seed=3)
    assert first.routes == second.routes
    assert first.unassigned == second.unassigned


def test_parallel_seeds_keep_every_stop_and_are_no_worse_than_one_seed():
    """Given two seeds in two processes, the plan accounts for every order and costs no more than seed 1 alone."""
    stops = stops_around(15)
    vehicles = [courier(1, 20), courier(2, 20, "bicycle")]
    alone = solve(stops, vehicles, seed=1)
    together = solve(stops, vehicles, seed=1, parallel_seeds=2)
    assert_every_stop_accounted_for(stops, together)
    assert len(together.unassigned) <= len(alone.unassigned)
    assert together.cost <= alone.cost


def test_inconsistent_input_is_refused():
    """Given a window that ends before it starts, an unknown vehicle kind or duplicate order ids, a ValueError is raised."""
    with pytest.raises(ValueError):
        Stop(1, DEPOT.lat, DEPOT.lng, 1, START, START - timedelta(minutes=1), 3)
    with pytest.raises(ValueError):
        courier(1, kind="scooter")
    with pytest.raises(ValueError):
        PlanningProblem(DEPOT, stops_around(1) * 2, [courier(1)], START)


def test_the_default_distance_source_is_geodesic_with_a_detour():
    """Given the default source, a route's first leg is 1.3 times the straight line from the depot."""
    stop = Stop(1, DEPOT.lat + 0.009, DEPOT.lng, 1, START, START + timedelta(hours=1), 3)
    plan = solve([stop], [courier(1)])
    straight = GeodesicDistance(detour_factor=1.0).matrix([(DEPOT.lat, DEPOT.lng), (stop.lat, stop.lng)])[0, 1]
    assert plan.routes[0].stops[0].distance_from_prev_m == round(1.3 * straight)
