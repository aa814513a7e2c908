"""The operator's real `flask` command line, not the test runner: Flask's own `flask routes`
must not shadow the route-planning commands."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_flask(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "FLASK_APP": "wsgi", "APP_ENV": "testing"}
    return subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_flask_routes_solve_prints_only_the_json_result():
    """Given a CVRPLIB instance, when an operator runs `flask routes solve --json`, then stdout is
    one JSON object with a feasible solution visiting every client once."""
    result = run_flask("routes", "solve", "tests/data/A-n45-k7.vrp", "--time-limit", "0.5",
                       "--workers", "1", "--json")

    assert result.returncode == 0, result.stderr
    solution = json.loads(result.stdout)
    assert solution["feasible"] is True
    assert sorted(c for route in solution["routes"] for c in route) == list(range(1, 45))


def test_bare_flask_routes_still_lists_the_url_rules():
    """Given the planning group replaced Flask's built-in command, when `flask routes` runs bare,
    then the URL list is still printed."""
    result = run_flask("routes")

    assert result.returncode == 0, result.stderr
    assert "/healthz" in result.stdout
