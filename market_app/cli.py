"""Operator commands: `flask markets import`, `flask seed demo`, `flask users create`, and each
domain's own command group (routes, scheduler, sms)."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from . import clock
from .errors import DomainError
from .extensions import db

markets_cli = AppGroup("markets", help="Traditional markets.")
seed_cli = AppGroup("seed", help="Demo data.")
users_cli = AppGroup("users", help="Accounts.")
scheduler_cli = AppGroup("scheduler", help="The job scheduler process.")


@markets_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--online", "online", is_flag=True,
              help="Mark every imported market as online (taking orders).")
def import_markets(file: str, online: bool) -> None:
    """Import markets from the official 전국전통시장표준데이터 CSV (CP949 or UTF-8) or the
    seoul_markets.csv layout. Rerunning updates markets by (name, 구) instead of duplicating."""
    from .catalog.market_csv import MarketFileError, read_market_file
    from .catalog.operations import upsert_markets

    try:
        result = read_market_file(file)
    except MarketFileError as error:
        raise click.ClickException(str(error)) from error
    for error in result.errors:
        click.echo(f"{file}:{error.line}: skipped: {error.message}", err=True)
    names = {record.name for record in result.records} if online else None
    summary = upsert_markets(result.records, clock.now(), online_names=names)
    db.session.commit()
    click.echo(f"imported {len(result.records)} markets ({summary.created} new, {summary.updated} updated), "
               f"{len(result.errors)} bad rows skipped, {result.skipped_other_regions} outside Seoul skipped")


@seed_cli.command("demo")
@click.option("--seed", "random_seed", default=2020, show_default=True, help="Random seed.")
def seed_demo_command(random_seed: int) -> None:
    """Create the 65 online markets with stalls, products, couriers and demo accounts (idempotent)."""
    from .demo import DEMO_PASSWORD, seed_demo

    report = seed_demo(clock.now(), random_seed=random_seed)
    db.session.commit()
    click.echo(f"demo: {report.markets} online markets, {report.stalls} stalls, {report.products} products, "
               f"{report.couriers} couriers" + (" (already seeded, nothing added)" if report.unchanged else ""))
    click.echo("demo logins (password for all: %s)" % DEMO_PASSWORD)
    for line in report.logins:
        click.echo("  " + line)


@users_cli.command("create")
@click.option("--role", required=True, type=click.Choice(
    ["resident", "stall_owner", "courier", "market_admin", "city_admin"]))
@click.option("--phone", required=True)
@click.option("--name", required=True)
@click.option("--password", required=True)
@click.option("--market", "market_id", type=int)
@click.option("--stall", "stall_id", type=int)
@click.option("--pin", help="Tablet PIN (4-6 digits) for stall owners.")
def create_user_command(role, phone, name, password, market_id, stall_id, pin) -> None:
    """Create an account of any role."""
    from .accounts.operations import create_user

    try:
        user = create_user(role=role, phone=phone, name=name, password=password, now=clock.now(),
                           market_id=market_id, stall_id=stall_id, pin=pin)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.code}: {error.message}") from error
    click.echo(f"created {user.role} #{user.id} {user.name} {user.phone}")


@scheduler_cli.command("run")
@click.option("--only", "only", multiple=True, help="Run only this job id (repeatable).")
@click.option("--interval", "interval_seconds", type=float, help="Run every job at this interval (seconds).")
@click.option("--standby-poll", "poll_seconds", type=float, default=5.0, show_default=True,
              help="Seconds between lock attempts while another scheduler runs the jobs.")
def run_scheduler_command(only: tuple[str, ...], interval_seconds: float | None, poll_seconds: float) -> None:
    """Run every scheduled job in this process (production: exactly one; others stand by)."""
    from .jobs import run_scheduler_process
    run_scheduler_process(current_app._get_current_object(), poll_seconds=poll_seconds, only=only,
                          interval_seconds=interval_seconds)


def register_cli(app: Flask) -> None:
    from .delivery.cli import routes_cli
    from .notify.cli import sms_cli

    for group in (markets_cli, seed_cli, users_cli, scheduler_cli, routes_cli, sms_cli):
        app.cli.add_command(group)
