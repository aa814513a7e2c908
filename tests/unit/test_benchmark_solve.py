import json
import shutil
from pathlib import Path

import pytest
import vrplib
from click.testing import CliRunner

from market_app.delivery.benchmark import bks, evaluate_routes, read_instance, solve_instance
from market_app.delivery.cli import routes_cli

DATA = Path(__file__).resolve().parent.parent / "data"
A_N45 = DATA / "A-n45-k7.vrp"
C101 = DATA / "C101.txt"


def test_published_solutions_cost_their_stated_value_under_our_conventions():
    """Given the published A-n45-k7 and C101 solutions, we recompute 1146 and 827.3 and find them feasible."""
    for instance, expected in ((A_N45, 1146), (C101, 827.3)):
        routes = vrplib.read_solution(str(instance.with_suffix(".sol")))["routes"]
        assert evaluate_routes(instance, routes) == (expected, True)


def test_solomon_instance_is_read_in_tenths():
    """Given C101, distances are scaled by 10 and truncated, time windows scaled by 10, at most 25 vehicles."""
    instance = read_instance(C101)
    assert (instance.kind, instance.scale, instance.data.num_clients) == ("vrptw", 10, 100)
    assert instance.data.num_vehicles == 25
    # Depot (40, 50) to customer 1 (45, 68): sqrt(349) = 18.68… -> 186 tenths.
    assert instance.data.distance_matrix(0)[0, 1] == 186
    assert instance.data.vehicle_type(0).tw_late == 12360


def test_a_n45_k7_is_solved_within_three_percent_in_one_second():
    """Given A-n45-k7 and one second, the solution is feasible, visits clients 1..44 once each, within 3% of 1146."""
    result = solve_instance(A_N45, time_limit_s=1.0, seed=1, workers=1)
    assert set(result) == {"instance", "cost", "routes", "seconds", "feasible"}
    assert result["instance"] == "A-n45-k7" and result["feasible"]
    assert sorted(client for route in result["routes"] for client in route) == list(range(1, 45))
    assert result["cost"] <= 1146 * 1.03
    assert evaluate_routes(A_N45, result["routes"]) == (result["cost"], True)


def test_two_workers_run_the_portfolio_and_keep_a_feasible_result():
    """Given C101 and two worker processes, the result is feasible and within 3% of 827.3."""
    result = solve_instance(C101, time_limit_s=0.5, seed=1, workers=2)
    assert result["feasible"] and result["cost"] <= 827.3 * 1.03
    assert sorted(client for route in result["routes"] for client in route) == list(range(1, 101))


def test_best_known_cost_comes_from_bks_csv_beside_the_instance(tmp_path):
    """Given bks.csv beside the instance the best-known cost is read; without the file it is None."""
    assert bks(A_N45) == 1146
    assert bks(C101) == pytest.approx(827.3)
    lonely = tmp_path / "A-n45-k7.vrp"
    shutil.copy(A_N45, lonely)
    assert bks(lonely) is None


def test_cli_solve_with_json_prints_only_the_json_object():
    """Given `routes solve FILE --json`, stdout is one JSON object with the result keys."""
    result = CliRunner().invoke(routes_cli, ["solve", str(A_N45), "--time-limit", "0.3", "--workers", "1", "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["instance"] == "A-n45-k7" and printed["feasible"] is True


def test_cli_solve_without_json_prints_a_summary_with_the_gap_first():
    """Given `routes solve FILE`, the first line names the instance, its cost and the gap to the best known."""
    result = CliRunner().invoke(routes_cli, ["solve", str(A_N45), "--time-limit", "0.3", "--seed", "2", "--workers", "1"])
    assert result.exit_code == 0, result.output
    summary, payload = result.stdout.strip().split("\n", 1)
    assert summary.startswith("A-n45-k7: cost ") and "best known 1146" in summary
    assert json.loads(payload)["feasible"] is True
