"""Solve public routing benchmark instances, to check the solver against the literature.

Conventions (they decide whether a cost is comparable with the best known one):

* CVRPLIB `.vrp` (A/B/P/X sets): EUC_2D distances rounded to the nearest
  integer (TSPLIB nint), unlimited fleet, cost = total distance.
* Solomon `.txt` (VRPTW): distances truncated to one decimal, i.e. in integers
  d = floor(10 * euclid), with time windows and service times times 10 and the
  cost divided by 10; travel time = distance; at most the file's vehicle
  count; cost = total distance only (not "fewest vehicles first").

Routes are reported as client numbers 1..n in visiting order, depot left out,
as in CVRPLIB `.sol` files.
"""

from __future__ import annotations

import csv
import math
import multiprocessing
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyvrp
import vrplib
from pyvrp import (
    Client,
    Depot,
    IteratedLocalSearchParams,
    Location,
    ProblemData,
    Route,
    Solution,
    SolveParams,
    VehicleType,
    solve,
)
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.search import PerturbationParams
from pyvrp.stop import MaxRuntime

SOLOMON_SCALE = 10  # one decimal of distance, kept in integers


@dataclass(frozen=True)
class BenchmarkInstance:
    name: str
    kind: str  # "cvrp" or "vrptw"
    data: ProblemData
    scale: int  # solver units per unit of reported cost


def read_instance(path: str | Path) -> BenchmarkInstance:
    """A CVRPLIB `.vrp` or Solomon `.txt` file as PyVRP data, under the conventions above."""
    path = Path(path)
    if path.suffix.lower() == ".txt":
        return BenchmarkInstance(path.stem, "vrptw", _read_solomon(path), SOLOMON_SCALE)
    return BenchmarkInstance(path.stem, "cvrp", pyvrp.read(path, round_func="round"), 1)


def _read_solomon(path: Path) -> ProblemData:
    instance = vrplib.read_instance(path, instance_format="solomon")
    coords = np.asarray(instance["node_coord"], dtype=float)
    # Exact: sqrt of an integer is never within float error of a multiple of 0.1 unless equal to it.
    distance = np.floor(SOLOMON_SCALE * np.asarray(instance["edge_weight"], dtype=float)).astype(np.int64)
    windows = np.asarray(instance["time_window"], dtype=np.int64) * SOLOMON_SCALE
    service = np.asarray(instance["service_time"], dtype=np.int64) * SOLOMON_SCALE
    demand = np.asarray(instance["demand"], dtype=np.int64)
    locations = [Location(x=float(x), y=float(y)) for x, y in coords]
    clients = [
        Client(
            location=node,
            delivery=[int(demand[node])],
            service_duration=int(service[node]),
            tw_early=int(windows[node, 0]),
            tw_late=int(windows[node, 1]),
        )
        for node in range(1, len(coords))
    ]
    # The depot's window is the vehicles' shift: leave after its opening, be back by its closing.
    fleet = VehicleType(
        num_available=int(instance["vehicles"]),
        capacity=[int(instance["capacity"])],
        tw_early=int(windows[0, 0]),
        tw_late=int(windows[0, 1]),
    )
    return ProblemData(locations, clients, [Depot(location=0)], [fleet], [distance], [distance])


def bks(path: str | Path) -> float | None:
    """Best-known cost of the instance from `bks.csv` beside it, or None."""
    path = Path(path)
    table = path.parent / "bks.csv"
    if not table.exists():
        return None
    with table.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row.get("file") == path.name or row.get("instance") == path.stem:
                return float(row["bks"])
    return None


def evaluate_routes(path: str | Path, routes: list[list[int]]) -> tuple[float, bool]:
    """Cost and feasibility of given routes (client numbers 1..n), e.g. from a `.sol` file."""
    instance = read_instance(path)
    solution = Solution(instance.data, [[client - 1 for client in route] for route in routes])
    return _reported_cost(instance, solution), solution.is_feasible() and solution.is_complete()


def solve_instance(path: str | Path, time_limit_s: float, seed: int = 1, *, workers: int = 2) -> dict:
    """Solve one instance; return {"instance", "cost", "routes", "seconds", "feasible"}.

    `time_limit_s` is the search time of each solver process; `seconds` is
    the wall time of the whole call, process start-up included.

    With `workers >= 2` a small portfolio runs in parallel processes and the
    cheapest feasible result wins: PyVRP with its default parameters, and
    either the same with the next seed or, for CVRP, a run with the fleet
    capped at the trivial lower bound ceil(total demand / capacity). Tight
    instances such as X-n200-k36 have their best solutions at that bound,
    which the free-fleet search rarely reaches within seconds; where the bound
    is infeasible the free-fleet run wins. `cost` is None when no feasible
    solution was found.
    """
    began = time.perf_counter()
    instance = read_instance(path)
    variants = _portfolio(instance, seed)[: max(1, workers)]
    if len(variants) == 1:
        solutions = [_solve_variant(variants[0], time_limit_s)]
    else:
        # "spawn": safe even when the caller runs threads (a scheduler, a dev server).
        with ProcessPoolExecutor(len(variants), mp_context=multiprocessing.get_context("spawn")) as pool:
            solutions = list(pool.map(_solve_variant, variants, [time_limit_s] * len(variants)))
    best = min(solutions, key=lambda solution: (not solution.is_feasible(), solution.distance()))
    feasible = best.is_feasible() and best.is_complete()
    return {
        "instance": instance.name,
        "cost": _reported_cost(instance, best) if feasible else None,
        "routes": [_client_numbers(route) for route in best.routes()],
        "seconds": round(time.perf_counter() - began, 2),
        "feasible": feasible,
    }


@dataclass(frozen=True)
class _Variant:
    data: ProblemData
    seed: int
    capped_fleet: bool = False


def _capped_fleet_params() -> SolveParams:
    # With the fleet capped most of the search is over capacity; shorter perturbations and a
    # shorter acceptance history make iterations cheaper and converge faster there.
    return SolveParams(
        ils=IteratedLocalSearchParams(history_length=100),
        perturbation=PerturbationParams(min_perturbations=1, max_perturbations=15),
    )


def _portfolio(instance: BenchmarkInstance, seed: int) -> list[_Variant]:
    data = instance.data
    variants = [_Variant(data, seed)]
    fleet = data.vehicle_type(0)
    if instance.kind == "cvrp" and data.num_vehicle_types == 1 and data.num_load_dimensions == 1:
        demand = sum(client.delivery[0] for client in data.clients())
        bound = math.ceil(demand / fleet.capacity[0]) if fleet.capacity[0] else fleet.num_available
        if bound < fleet.num_available:
            capped = data.replace(vehicle_types=[fleet.replace(num_available=bound)])
            variants.append(_Variant(capped, seed, capped_fleet=True))
    if len(variants) == 1:
        variants.append(_Variant(data, seed + 1))
    return variants


def _solve_variant(variant: _Variant, time_limit_s: float) -> Solution:
    params = _capped_fleet_params() if variant.capped_fleet else SolveParams()
    with warnings.catch_warnings():
        # A capped fleet may be infeasible; PyVRP then warns about its penalties. The free run covers it.
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        result = solve(variant.data, stop=MaxRuntime(time_limit_s), seed=variant.seed,
                       collect_stats=False, display=False, params=params)
    return result.best


def _client_numbers(route: Route) -> list[int]:
    # PyVRP counts clients from 0; benchmark files count them from 1 (0 being the depot).
    return [activity.idx + 1 for activity in route if activity.is_client()]


def _reported_cost(instance: BenchmarkInstance, solution: Solution) -> float:
    distance = int(solution.distance())
    return distance if instance.scale == 1 else round(distance / instance.scale, 1)
