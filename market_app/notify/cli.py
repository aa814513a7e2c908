"""`flask sms ...`: the dispatcher as its own process, and a look at the outbox."""
from __future__ import annotations

import signal
import time

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from .. import clock
from ..extensions import db

sms_cli = AppGroup("sms", help="The SMS outbox.")


@sms_cli.command("worker")
@click.option("--interval", default=2.0, show_default=True, help="Seconds to wait when nothing is due.")
@click.option("--until-empty", is_flag=True, help="Stop once no message is due (benchmarks, one-off runs).")
def worker_command(interval: float, until_empty: bool) -> None:
    """Send the outbox in a loop (production: one or more of these; rows are claimed with
    FOR UPDATE SKIP LOCKED on PostgreSQL, so two workers never send the same message).
    SIGTERM / Ctrl-C finish the message in hand, then stop."""
    from .operations import current_gateway, dispatch_due

    stopping = []
    previous_handler = signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    gateway = current_gateway()
    click.echo(f"sms worker: gateway {gateway.name}, batch {current_app.config['SMS_BATCH_SIZE']}")
    total = 0
    try:
        while not stopping:
            try:
                report = dispatch_due(gateway, clock.now())
            except Exception:  # the database went away, say: log, wait, go on
                current_app.logger.exception("sms worker: dispatch failed; retrying in %.0f s", interval)
                db.session.rollback()
                time.sleep(interval)
                continue
            total += report.sent
            if report.handled:
                click.echo(f"sms worker: {report.summary()}")
            elif until_empty:
                break
            else:
                time.sleep(interval)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous_handler)
        db.session.remove()
    click.echo(f"sms worker: stopped after sending {total}")


@sms_cli.command("status")
def status_command() -> None:
    """Count outbox rows by status."""
    from .models import OutboxMessage

    rows = db.session.execute(select(OutboxMessage.status, func.count(OutboxMessage.id))
                              .group_by(OutboxMessage.status).order_by(OutboxMessage.status)).all()
    if not rows:
        click.echo("outbox is empty")
    for status, count in rows:
        click.echo(f"{status:12} {count}")
