"""`flask routes ...`: route-planning commands."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

routes_cli = AppGroup("routes", help="Route planning and solver benchmarks.")


@routes_cli.command("solve", with_appcontext=False)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--time-limit", type=float, default=5.0, show_default=True, help="Solver time limit in seconds.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed of the solver.")
@click.option("--json", "json_only", is_flag=True, help="Print only the JSON result on stdout.")
def solve_command(file: str, time_limit: float, seed: int, json_only: bool) -> None:
    """Solve a CVRPLIB .vrp or Solomon .txt benchmark instance and print the result."""
    # Imported here so that other `flask` commands do not pay for loading the solver.
    from .benchmark import bks, solve_instance

    result = solve_instance(file, time_limit, seed)
    if not json_only:
        click.echo(_summary(result, bks(file)))
    click.echo(json.dumps(result))


def _summary(result: dict, best_known: float | None) -> str:
    if not result["feasible"]:
        return f"{result['instance']}: no feasible solution in {result['seconds']} s"
    line = f"{result['instance']}: cost {result['cost']} with {len(result['routes'])} routes in {result['seconds']} s"
    if best_known:
        gap = 100 * (result["cost"] - best_known) / best_known
        line += f" (best known {best_known:g}, gap {gap:.2f}%)"
    return line
