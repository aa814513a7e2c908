"""Plan many due waves at once on several processes (PostgreSQL only).

At a busy cut-off every online market's wave falls due in the same minute. Each wave's plan is
one self-contained, concurrency-safe `plan_wave` call (its claim row makes a second planner skip),
so waves can simply be handed out to worker processes, each with its own app and database
session. The solver runs in C++ under the GIL, so processes, not threads, use the other cores."""
from __future__ import annotations

import logging
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime

from flask import Flask

log = logging.getLogger(__name__)

_worker_app: Flask | None = None


def picklable_settings(app: Flask) -> dict:
    """The app's settings a worker process rebuilds the app from (planning inline in the worker)."""
    settings = {}
    for key, value in app.config.items():
        if not key.isupper():
            continue
        try:
            pickle.dumps(value)
        except Exception:  # a live object (e.g. a session interface) cannot cross processes
            continue
        settings[key] = value
    settings.update(SCHEDULER_ENABLED=False, PLANNING_PROCESSES=1)
    return settings


def _start_worker(settings: dict) -> None:
    global _worker_app
    from config import Config

    from .. import create_app
    _worker_app = create_app(Config, **settings)


def _plan_in_worker(market_id: int, wave_date: date, cutoff: str, now: datetime) -> tuple[str, str | None]:
    from ..catalog.models import Market
    from ..extensions import db
    from .operations import plan_wave

    with _worker_app.app_context():
        try:
            outcome = plan_wave(db.session.get(Market, market_id), wave_date, cutoff, now)
            return outcome.action, outcome.skipped_because
        except Exception:
            db.session.rollback()
            log.exception("planning market %s wave %s@%s failed; retried next run", market_id, wave_date, cutoff)
            return "failed", "error (see the worker's log)"
        finally:
            db.session.remove()


def plan_in_processes(app: Flask, waves: list[tuple[int, date, str]], now: datetime,
                      processes: int) -> list[tuple[str, str | None]]:
    """Plan (market_id, date, "HH:MM") waves on `processes` spawned workers; results in input order."""
    context = multiprocessing.get_context("spawn")  # safe inside the scheduler's threads
    with ProcessPoolExecutor(max_workers=processes, mp_context=context, initializer=_start_worker,
                             initargs=(picklable_settings(app),)) as pool:
        futures = [pool.submit(_plan_in_worker, market_id, wave_date, cutoff, now)
                   for market_id, wave_date, cutoff in waves]
        return [future.result() for future in futures]
