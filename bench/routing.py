"""Routing benchmark: the solver against the literature, then a city-scale planning run.

    python bench/routing.py [INSTANCES_DIR] [--instances DIR] [--limits 1,5] [--city]

1. Literature: every CVRPLIB `.vrp` and Solomon `.txt` instance in the folder
   (default: ../shared/bench/instances beside the repository) is solved at each
   time limit; a table shows instance, size, best known cost, our cost, gap and
   wall seconds, then the mean gap per limit. Targets: mean gap at most 1% at
   5 s and no instance above 2%.
2. City (`--city` runs only this part): 65 online markets, 4,000 orders drawn
   around each market from the 행정동 centroids within its 2 km delivery radius,
   spread over three cut-offs. Every market's wave at the busiest cut-off is
   planned, markets in parallel processes, with a small time limit each;
   printed are the total planning time and km per order. Target: under 60 s on
   2 cores.

Figures only: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import csv
import math
import multiprocessing
import random
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime, time as clock_time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from market_app.delivery.benchmark import bks, read_instance, solve_instance  # noqa: E402
from market_app.delivery.planning import (  # noqa: E402
    Depot,
    PlanningProblem,
    Stop,
    Vehicle,
    plan_routes,
)
from market_app.geo.distance import haversine_m  # noqa: E402

DEFAULT_INSTANCES = ROOT.parent / "shared" / "bench" / "instances"
DEFAULT_MARKETS = ROOT / "market_app" / "catalog" / "data" / "online_markets.csv"
DEFAULT_DONGS = ROOT / "market_app" / "geo" / "data" / "seoul_dongs.csv"

SEOUL = ZoneInfo("Asia/Seoul")
DAY = datetime(2026, 11, 24, tzinfo=SEOUL)  # an ordinary Tuesday
CUTOFFS = (clock_time(11), clock_time(14), clock_time(17))
WAVE_SHARE = (0.30, 0.25, 0.45)  # the evening wave is the busiest
PREPARATION = timedelta(minutes=30)
WINDOW = timedelta(minutes=90)
SHIFT = timedelta(hours=2)
RADIUS_M = 2_000
JITTER_M = 400  # orders scatter around a dong's centroid
BAGS = (1, 2, 3, 4)
BAG_WEIGHTS = (0.35, 0.35, 0.2, 0.1)
SERVICE_MINUTES = 3
COURIER_KINDS = (("motorbike", 14, 20, 0.7), ("bicycle", 12, 16, 0.3))  # kind, min bags, max bags, share
MIN_COURIERS = 3
CAPACITY_HEADROOM = 1.15  # couriers for 15% more bags than ordered


# --- literature -----------------------------------------------------------------------


def literature(folder: Path, limits: list[float], seed: int) -> None:
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".vrp", ".txt"))
    if not files:
        print(f"No .vrp or .txt instances in {folder}; pass the folder with --instances DIR.")
        return
    summary = []
    for limit in limits:
        print(f"\n### Time limit {limit:g} s of search per process, 2 processes "
              f"(free fleet + fleet at the demand bound, or two seeds); seconds = wall time\n")
        print("| instance | n | best known | cost | gap % | seconds |")
        print("|---|---:|---:|---:|---:|---:|")
        gaps = []
        for path in files:
            best = bks(path)
            result = solve_instance(path, limit, seed)
            size = read_instance(path).data.num_clients
            gap = 100 * (result["cost"] - best) / best if best and result["feasible"] else None
            if gap is not None:
                gaps.append(gap)
            cost = result["cost"] if result["feasible"] else "infeasible"
            print(f"| {result['instance']} | {size} | {_number(best)} | {_number(cost)} | "
                  f"{'—' if gap is None else f'{gap:.2f}'} | {result['seconds']:.2f} |", flush=True)
        if gaps:
            summary.append(f"{limit:g} s: mean gap {sum(gaps) / len(gaps):.2f}%, max {max(gaps):.2f}% "
                           f"over {len(gaps)} instances")
    print("\nMean gap per time limit:")
    for line in summary:
        print(f"  {line}")


def _number(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value)}"
    return f"{value}"


# --- city-scale run -------------------------------------------------------------------


@dataclass(frozen=True)
class Market:
    name: str
    lat: float
    lng: float
    stalls: int


@dataclass(frozen=True)
class MarketOutcome:
    name: str
    orders: int
    routed: int
    reasons: Counter
    couriers: int
    routes: int
    distance_m: int
    solver_seconds: float


def read_markets(path: Path, count: int) -> list[Market]:
    """Markets with coordinates; rows with online-sales evidence first, then the first `count`."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = [row for row in csv.DictReader(handle) if row.get("lat") and row.get("lng")]
    rows.sort(key=lambda row: not (row.get("online_evidence") or row.get("evidence")))
    return [
        Market(row["name"], float(row["lat"]), float(row["lng"]), int(float(row.get("stalls") or 0) or 80))
        for row in rows[:count]
    ]


def read_dong_centroids(path: Path) -> np.ndarray:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return np.array([(float(row["lat"]), float(row["lng"])) for row in csv.DictReader(handle)])


def offset(lat: float, lng: float, metres: float, bearing: float) -> tuple[float, float]:
    """A point `metres` away from (lat, lng) in direction `bearing` (flat-earth, fine below a few km)."""
    return (lat + metres * math.cos(bearing) / 111_320,
            lng + metres * math.sin(bearing) / (111_320 * math.cos(math.radians(lat))))


def draw_customer(rng: random.Random, market: Market, nearby_dongs: np.ndarray) -> tuple[float, float]:
    """A customer near a random 행정동 centroid inside the market's delivery radius."""
    for _ in range(20):
        if len(nearby_dongs):
            lat, lng = nearby_dongs[rng.randrange(len(nearby_dongs))]
            point = offset(lat, lng, JITTER_M * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi))
        else:
            point = offset(market.lat, market.lng, RADIUS_M * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi))
        if haversine_m(market.lat, market.lng, *point) <= RADIUS_M:
            return point
    return offset(market.lat, market.lng, RADIUS_M * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi))


def city_orders(markets: list[Market], dongs: np.ndarray, total: int, rng: random.Random) -> dict[tuple[int, int], list]:
    """(market index, wave index) -> [(lat, lng, bags)], orders shared out by market size."""
    weights = [market.stalls for market in markets]
    counts = Counter(rng.choices(range(len(markets)), weights, k=total))
    orders: dict[tuple[int, int], list] = {}
    for index, market in enumerate(markets):
        near = dongs[haversine_m(market.lat, market.lng, dongs[:, 0], dongs[:, 1]) <= RADIUS_M]
        for _ in range(counts[index]):
            wave = rng.choices(range(len(CUTOFFS)), WAVE_SHARE)[0]
            lat, lng = draw_customer(rng, market, near)
            orders.setdefault((index, wave), []).append((lat, lng, rng.choices(BAGS, BAG_WEIGHTS)[0]))
    return orders


def couriers_for(bags: int, start: datetime, rng: random.Random) -> list[Vehicle]:
    """Enough couriers for the wave's bags with some headroom, at least three."""
    mean_capacity = sum(share * (low + high) / 2 for _, low, high, share in COURIER_KINDS)
    count = max(MIN_COURIERS, math.ceil(bags * CAPACITY_HEADROOM / mean_capacity))
    shares = [share for *_, share in COURIER_KINDS]
    couriers = []
    for number in range(1, count + 1):
        kind, low, high, _ = rng.choices(COURIER_KINDS, shares)[0]
        couriers.append(Vehicle(number, rng.randint(low, high), kind, start, start + SHIFT))
    return couriers


def plan_market(name: str, problem: PlanningProblem, time_limit_s: float, seed: int) -> MarketOutcome:
    plan = plan_routes(problem, time_limit_s=time_limit_s, seed=seed)
    return MarketOutcome(
        name=name,
        orders=len(problem.stops),
        routed=len(plan.assigned_order_ids),
        reasons=Counter(item.reason for item in plan.unassigned),
        couriers=len(problem.vehicles),
        routes=len(plan.routes),
        distance_m=plan.cost,
        solver_seconds=plan.solver_seconds,
    )


def city(markets_path: Path, dongs_path: Path, market_count: int, total_orders: int,
         time_limit_s: float, workers: int, seed: int) -> None:
    rng = random.Random(seed)
    markets = read_markets(markets_path, market_count)
    dongs = read_dong_centroids(dongs_path)
    orders = city_orders(markets, dongs, total_orders, rng)
    per_wave = Counter()
    for (_, wave), items in orders.items():
        per_wave[wave] += len(items)
    busiest = max(range(len(CUTOFFS)), key=lambda wave: per_wave[wave])
    start = datetime.combine(DAY.date(), CUTOFFS[busiest], tzinfo=SEOUL) + PREPARATION

    jobs = []
    next_order_id = 1
    for index, market in enumerate(markets):
        items = orders.get((index, busiest), [])
        stops = []
        for lat, lng, bags in items:
            stops.append(Stop(next_order_id, lat, lng, bags, start, start + WINDOW, SERVICE_MINUTES))
            next_order_id += 1
        vehicles = couriers_for(sum(stop.demand_bags for stop in stops), start, rng)
        jobs.append((market.name, PlanningProblem(Depot(market.lat, market.lng), stops, vehicles, start)))

    print(f"\n### City-scale run: {len(markets)} markets, {total_orders:,} orders in {len(CUTOFFS)} waves\n")
    waves = ", ".join(f"{CUTOFFS[w]:%H:%M} {per_wave[w]:,}" for w in range(len(CUTOFFS)))
    print(f"Orders per cut-off: {waves}")
    wave_orders = sum(len(problem.stops) for _, problem in jobs)
    wave_bags = sum(stop.demand_bags for _, problem in jobs for stop in problem.stops)
    courier_counts = [len(problem.vehicles) for _, problem in jobs]
    print(f"Busiest cut-off {CUTOFFS[busiest]:%H:%M}: {wave_orders:,} orders, {wave_bags:,} bags, "
          f"{sum(courier_counts)} couriers ({min(courier_counts)}–{max(courier_counts)} per market), "
          f"delivery window {start:%H:%M}–{start + WINDOW:%H:%M}")

    began = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        outcomes = list(pool.map(plan_market, *zip(*jobs), [time_limit_s] * len(jobs), [seed] * len(jobs)))
    elapsed = time.perf_counter() - began

    routed = sum(outcome.routed for outcome in outcomes)
    reasons = sum((outcome.reasons for outcome in outcomes), Counter())
    distance_km = sum(outcome.distance_m for outcome in outcomes) / 1000
    solver = [outcome.solver_seconds for outcome in outcomes]
    print(f"Planned {len(outcomes)} market waves in {elapsed:.1f} s wall time on {workers} processes "
          f"(limit {time_limit_s:g} s per market; solver mean {sum(solver) / len(solver):.2f} s, "
          f"max {max(solver):.2f} s)")
    unplanned = ", ".join(f"{reason} {count}" for reason, count in sorted(reasons.items())) or "none"
    print(f"Routed {routed:,} of {wave_orders:,} orders on {sum(o.routes for o in outcomes)} routes; "
          f"unassigned: {unplanned}")
    if routed:
        print(f"Distance {distance_km:,.1f} km, {distance_km / routed:.2f} km per routed order "
              f"(geodesic x 1.3 road-detour factor, depot and back included)")


# --- command line ---------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, help="folder of benchmark instances")
    parser.add_argument("--instances", type=Path, help="folder of benchmark instances (same as FOLDER)")
    parser.add_argument("--limits", default="1,5", help="comma-separated time limits in seconds (default 1,5)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--city", action="store_true", help="run only the city-scale planning run")
    parser.add_argument("--markets", type=Path, default=DEFAULT_MARKETS, help="markets CSV (name, lat, lng, stalls)")
    parser.add_argument("--dongs", type=Path, default=DEFAULT_DONGS, help="행정동 centroids CSV (lat, lng)")
    parser.add_argument("--market-count", type=int, default=65)
    parser.add_argument("--orders", type=int, default=4_000)
    parser.add_argument("--city-time-limit", type=float, default=1.0, help="solver seconds per market wave")
    parser.add_argument("--workers", type=int, default=2, help="processes for the city run")
    args = parser.parse_args(argv)

    if not args.city:
        folder = args.instances or args.folder or DEFAULT_INSTANCES
        if folder.is_dir():
            literature(folder, [float(value) for value in args.limits.split(",")], args.seed)
        else:
            print(f"Instances folder {folder} not found; pass it as FOLDER or --instances DIR.")
    city(args.markets, args.dongs, args.market_count, args.orders, args.city_time_limit, args.workers, args.seed)


if __name__ == "__main__":
    main()
