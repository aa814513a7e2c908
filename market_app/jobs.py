"""The one schedule. Every periodic job is registered here as a thin wrapper around a plain
`tasks.py` function that takes `now` and is safe to run twice."""
from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import import_module
from typing import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy import create_engine, text

from . import clock

log = logging.getLogger(__name__)

# Arbitrary constant shared by every scheduler process: whoever holds it runs the jobs.
SCHEDULER_LOCK_KEY = 727_2020
SCHEDULER_APPLICATION_NAME = "jangbogi-scheduler"


@dataclass(frozen=True)
class Job:
    id: str
    target: str  # "module:function", imported when the job runs so tasks never import the app
    seconds: int


JOBS: tuple[Job, ...] = (
    Job("plan_due_waves", "market_app.delivery.tasks:plan_due_waves", seconds=60),
    Job("remind_unanswered", "market_app.ordering.tasks:remind_unanswered_stall_orders", seconds=60),
    Job("expire_unanswered", "market_app.ordering.tasks:cancel_unanswered_at_cutoff", seconds=60),
    Job("dispatch_sms", "market_app.notify.tasks:dispatch_sms", seconds=5),
    Job("watch_dead_letters", "market_app.notify.tasks:alert_dead_letters", seconds=300),
)


def resolve(target: str) -> Callable:
    module_name, function_name = target.split(":")
    return getattr(import_module(module_name), function_name)


def run_job(app: Flask, job: Job) -> None:
    with app.app_context():
        try:
            resolve(job.target)(now=clock.now())
        except Exception:  # one failing run must not stop the schedule; it is retried next tick
            log.exception("job %s failed", job.id)
            from .extensions import db
            db.session.rollback()


def build_scheduler(app: Flask, scheduler_class=BackgroundScheduler, *, only: Sequence[str] = (),
                    interval_seconds: float | None = None, start_now: bool = False):
    """Every job (or those named in `only`) at its interval (or `interval_seconds` for all, e.g. in
    tests); `start_now` runs each once at start, so a restarted scheduler catches up at once."""
    scheduler = scheduler_class(timezone=app.config["TIMEZONE"])
    unknown = set(only) - {job.id for job in JOBS}
    if unknown:
        raise ValueError(f"unknown job ids: {', '.join(sorted(unknown))}")
    for job in JOBS:
        if only and job.id not in only:
            continue
        first_run = {"next_run_time": clock.now()} if start_now else {}
        scheduler.add_job(run_job, "interval", seconds=interval_seconds or job.seconds, args=(app, job), id=job.id,
                          max_instances=1, coalesce=True, replace_existing=True, **first_run)
    return scheduler


def _is_serving_dev_server(app: Flask) -> bool:
    """True inside the process that serves `flask run`: not under gunicorn, not under another `flask`
    command (db upgrade, scheduler run ...), not in the reloader's parent, which only watches files."""
    import click

    context = click.get_current_context(silent=True)
    if context is None or context.command.name != "run" or context.parent is None \
            or context.parent.parent is not None:
        return False
    reloading = context.params.get("reload")
    if reloading is None:
        reloading = app.debug
    return not reloading or os.environ.get("WERKZEUG_RUN_MAIN") == "true"


def init_app(app: Flask) -> None:
    """Start the in-process scheduler for the development server only; web workers never do."""
    app.extensions["scheduler"] = None
    if not app.config.get("SCHEDULER_ENABLED") or not _is_serving_dev_server(app):
        return
    scheduler = build_scheduler(app)
    scheduler.start()
    app.extensions["scheduler"] = scheduler
    log.info("scheduler started inside the web process (%d jobs)", len(JOBS))


LOCK_CHECK_SECONDS = 15


def _check_lock_alive(scheduler, lock_connection) -> None:
    """If the lock's session died (database restart, network), another process may hold the lock
    now: stop, and let the process supervisor start this one again as a stand-by."""
    try:
        lock_connection.execute(text("SELECT 1")).scalar()
        lock_connection.commit()
    except Exception:
        log.exception("lost the scheduler lock's database session; stopping")
        scheduler.shutdown(wait=False)


def _try_lock(lock_connection) -> bool:
    held = lock_connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": SCHEDULER_LOCK_KEY}).scalar()
    if not held:
        lock_connection.rollback()
    return bool(held)


def run_scheduler_process(app: Flask, *, poll_seconds: float = 5.0, only: Sequence[str] = (),
                          interval_seconds: float | None = None) -> None:
    """`flask scheduler run`: on PostgreSQL wait for the advisory lock so only one process runs jobs;
    a second one stands by and takes over when the first dies (its session, and lock, end)."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    lock_connection = None
    if url.startswith("postgresql"):
        # Named per process, so pg_stat_activity shows which scheduler holds the lock.
        lock_connection = create_engine(
            url, connect_args={"application_name": f"{SCHEDULER_APPLICATION_NAME}:{os.getpid()}"}).connect()
        if not _try_lock(lock_connection):
            log.info("another scheduler holds the lock; standing by")
            while not _try_lock(lock_connection):
                time.sleep(poll_seconds)
        lock_connection.commit()
        log.info("scheduler lock acquired")
    scheduler = build_scheduler(app, BlockingScheduler, only=only, interval_seconds=interval_seconds,
                                start_now=True)
    if lock_connection is not None:
        scheduler.add_job(_check_lock_alive, "interval", seconds=LOCK_CHECK_SECONDS, args=(scheduler, lock_connection),
                          id="scheduler_lock_watchdog", max_instances=1, coalesce=True)
    try:
        scheduler.start()
    finally:
        if lock_connection is not None:
            lock_connection.close()
