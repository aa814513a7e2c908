"""`flask routes ...`: route-planning commands."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup
from flask.cli import routes_command as flask_url_routes



@click.group("routes", cls=AppGroup, invoke_without_command=True)
@click.pass_context
def routes_cli(ctx: click.Context) -> None:
    """Route planning and solver benchmarks; with no subcommand, Flask's URL list."""
    # This group takes the place of Flask's own `flask routes` (see pyproject.toml), so the URL
    # list stays available: bare `flask routes` and `flask routes urls`.
    if ctx.invoked_subcommand is None:
        ctx.invoke(flask_url_routes)


routes_cli.add_command(flask_url_routes, "urls")


@routes_cli.command("solve", with_appcontext=False)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--time-limit", type=float, default=5.0, show_default=True, help="Solver time limit in seconds.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed of the solver.")
@click.option("--workers", type=click.IntRange(1), default=2, show_default=True,
              help="Solver processes (a portfolio of search variants; see benchmark.solve_instance).")
@click.option("--json", "json_only", is_flag=True, help="Print only the JSON result on stdout.")
def solve_command(file: str, time_limit: float, seed: int, workers: int, json_only: bool) -> None:
    """Solve a CVRPLIB .vrp or Solomon .txt benchmark instance and print the result."""
    # Imported here so that other `flask` commands do not pay for loading the solver.
    from .benchmark import bks, solve_instance

    result = solve_instance(file, time_limit, seed, workers=workers)
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


@routes_cli.command("plan")
@click.option("--market", "market_id", type=int, required=True, help="Market id.")
@click.option("--date", "wave_date", type=click.DateTime(["%Y-%m-%d"]), required=True, help="Wave date YYYY-MM-DD.")
@click.option("--wave", "cutoff", required=True, help="The wave's cut-off, HH:MM.")
@click.option("--dry-run", is_flag=True, help="Solve and print the routes without storing or texting anything.")
@click.option("--replan", is_flag=True, help="Replace the stored plan (only before any courier has started).")
def plan_command(market_id: int, wave_date, cutoff: str, dry_run: bool, replan: bool) -> None:
    """Plan one wave now (the job does this at cut-off + preparation); a planned wave is not planned twice."""
    from .. import clock
    from ..catalog.models import Market
    from ..errors import DomainError
    from ..extensions import db
    from .operations import plan_wave

    market = db.session.get(Market, market_id)
    if market is None:
        raise click.ClickException(f"market {market_id} not found")
    try:
        outcome = plan_wave(market, wave_date.date(), cutoff, clock.now(), dry_run=dry_run, replan=replan)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.code}: {error.message}") from error
    if outcome.action == "skipped":
        click.echo(f"{market.name} {outcome.wave.key}: not planned again ({outcome.skipped_because})")
        return
    click.echo(_plan_report(outcome))


def _plan_report(outcome) -> str:
    from ..clock import to_seoul

    result = outcome.result
    head = {"dry_run": "DRY RUN (nothing stored)", "planned": "planned", "replanned": "re-planned"}[outcome.action]
    revision = f", revision {outcome.plan.revision}" if outcome.plan is not None else ""
    lines = [f"{outcome.wave.key} {head}{revision}: {len(result.routes)} routes, {result.cost} m, "
             f"{len(result.unassigned)} unassigned, solved in {result.solver_seconds:.1f} s"]
    for route in result.routes:
        courier = outcome.couriers[route.courier_id]
        lines.append(f"  courier {courier.id} {courier.name} ({courier.vehicle_kind}, {route.load_bags}/"
                     f"{courier.capacity_bags} bags) {to_seoul(route.departure):%H:%M}-{to_seoul(route.return_at):%H:%M}"
                     f" {route.distance_m} m")
        for stop in route.stops:
            order = outcome.orders[stop.order_id]
            lines.append(f"    {stop.sequence:>2}. {to_seoul(stop.eta_start):%H:%M}-{to_seoul(stop.eta_end):%H:%M}"
                         f" order {order.id} {order.dong} {order.address_detail} ({order.bags} bags)")
    for item in result.unassigned:
        lines.append(f"  unassigned: order {item.order_id} ({item.reason})")
    return "\n".join(lines)
