"""The one schedule. Every periodic job is registered here as a thin wrapper around a plain
`tasks.py` function that takes `now` and is safe to run twice."""
from __future__ import annotations

import logging
import os
import time
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


def build_scheduler(app: Flask, scheduler_class=BackgroundScheduler):
    scheduler = scheduler_class(timezone=app.config["TIMEZONE"])
    for job in JOBS:
        scheduler.add_job(run_job, "interval", seconds=job.seconds, args=(app, job), id=job.id,
                          max_instances=1, coalesce=True, replace_existing=True)
    return scheduler


def init_app(app: Flask) -> None:
    """Start the in-process scheduler for the development server only; web workers never do."""
    app.extensions["scheduler"] = None
    if not app.config.get("SCHEDULER_ENABLED"):
        return
    # With the reloader, the parent process only watches files; the child (WERKZEUG_RUN_MAIN) serves.
    if app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return
    scheduler = build_scheduler(app)
    scheduler.start()
    app.extensions["scheduler"] = scheduler
    log.info("scheduler started inside the web process (%d jobs)", len(JOBS))


def run_scheduler_process(app: Flask, *, poll_seconds: float = 5.0) -> None:
    """`flask scheduler run`: on PostgreSQL wait for the advisory lock so only one process runs jobs;
    a second one stands by and takes over when the first dies (its session, and lock, end)."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    lock_connection = None
    if url.startswith("postgresql"):
        lock_connection = create_engine(url, poolclass=None).connect()
        while not lock_connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": SCHEDULER_LOCK_KEY}).scalar():
            log.info("another scheduler holds the lock; standing by")
            lock_connection.rollback()
            time.sleep(poll_seconds)
        lock_connection.commit()
        log.info("scheduler lock acquired")
    scheduler = build_scheduler(app, BlockingScheduler)
    try:
        scheduler.start()
    finally:
        if lock_connection is not None:
            lock_connection.close()
