"""One scheduler at a time: two `flask scheduler run` processes on PostgreSQL make one plan, and the
in-process scheduler starts only in the process that serves `flask run`."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import click
import pytest
from sqlalchemy import func, select, text

from market_app.clock import SEOUL
from market_app.catalog.market_rules import wave_rules
from market_app.delivery.models import Route, WavePlan
from market_app.delivery.waves import due_waves
from market_app.extensions import db
from market_app.jobs import SCHEDULER_APPLICATION_NAME, SCHEDULER_LOCK_KEY, _is_serving_dev_server
from market_app.notify.models import OutboxMessage
from tests.delivery.factories import make_courier, make_order, spot_near
from tests.factories import make_market

ROOT = Path(__file__).resolve().parents[2]
FLASK = [sys.executable, "-m", "flask", "scheduler", "run", "--only", "plan_due_waves", "--interval", "1",
         "--standby-poll", "0.3"]


def _start_scheduler(database_url: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "APP_ENV": "production", "SECRET_KEY": "x",
           "FLASK_APP": "wsgi", "ROUTE_SOLVER_SECONDS": "1", "SCHEDULER_ENABLED": "0", "LOG_LEVEL": "WARNING"}
    return subprocess.Popen(FLASK, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)


def _lock_holders() -> list[str]:
    """application_name of every session holding the scheduler's advisory lock."""
    rows = db.session.execute(text(
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.objid = :key"), {"key": SCHEDULER_LOCK_KEY})
    names = [name for (name,) in rows]
    db.session.rollback()
    return names


def _wait_for(condition, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    return condition()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


@pytest.mark.postgres_only
def test_two_scheduler_processes_make_one_plan(app, database_kind):
    """Given a due wave with orders and two `flask scheduler run` processes started together on
    PostgreSQL, then exactly one holds the advisory lock and plans the wave; the other holds no lock
    while the first lives; when the first is killed the second takes the lock over, and there is
    still exactly one plan and one courier SMS."""
    if database_kind != "postgresql":
        pytest.skip("advisory locks need PostgreSQL")
    market = make_market()
    make_courier(market, shifts=[(d, "00:00", "23:59") for d in range(7)])
    due = due_waves(wave_rules(market), datetime.now(SEOUL) - timedelta(minutes=1))  # the processes' real clock
    if not due:
        pytest.skip("yesterday and today are both public holidays: no wave is due")
    wave = due[-1]
    make_order(market, wave_date=wave.date, wave_cutoff=f"{wave.cutoff:%H:%M}", spot=spot_near(1))
    db.session.commit()
    url = app.config["SQLALCHEMY_DATABASE_URI"]

    first = _start_scheduler(url)
    second = None
    try:
        holder = _wait_for(_lock_holders, 20)
        assert holder == [f"{SCHEDULER_APPLICATION_NAME}:{first.pid}"], first.stderr.read1().decode() if \
            first.poll() is not None else holder
        second = _start_scheduler(url)
        plans = _wait_for(lambda: db.session.scalar(select(func.count(WavePlan.id)).where(
            WavePlan.market_id == market.id, WavePlan.wave_date == wave.date,
            WavePlan.wave_cutoff == f"{wave.cutoff:%H:%M}", WavePlan.status == "planned")), 15)
        time.sleep(1.0)  # the second process has polled for the lock a few times by now
        assert second.poll() is None
        assert _lock_holders() == [f"{SCHEDULER_APPLICATION_NAME}:{first.pid}"]

        _stop(first)
        assert _wait_for(lambda: _lock_holders() == [f"{SCHEDULER_APPLICATION_NAME}:{second.pid}"], 10)
        time.sleep(2.0)  # the second has run the job at least once as the lock holder

        db.session.expire_all()
        assert plans == 1
        assert db.session.scalar(select(func.count(WavePlan.id)).where(
            WavePlan.wave_date == wave.date, WavePlan.wave_cutoff == f"{wave.cutoff:%H:%M}")) == 1
        assert db.session.scalar(select(func.count(Route.id))) == 1
        assert db.session.scalar(select(func.count(OutboxMessage.id)).where(
            OutboxMessage.kind == "courier_route")) == 1
    finally:
        for process in (first, second):
            if process is not None:
                _stop(process)


def _context(*path: str, reload: bool | None = None) -> click.Context:
    parent = None
    for name in path[:-1]:
        parent = click.Context(click.Group(name), parent=parent, info_name=name)
    context = click.Context(click.Command(path[-1]), parent=parent, info_name=path[-1])
    context.params = {"reload": reload}
    return context


@pytest.mark.parametrize("path, reload, run_main, expected", [
    (("flask", "run"), False, None, True),            # make run: flask run --no-reload
    (("flask", "run"), True, None, False),            # reloader parent: only watches files
    (("flask", "run"), True, "true", True),           # reloader child: serves requests
    (("flask", "scheduler", "run"), None, None, False),  # its own scheduler process
    (("flask", "db", "upgrade"), None, None, False),
])
def test_in_process_scheduler_only_in_the_serving_dev_server(app, monkeypatch, path, reload, run_main, expected):
    """Given how the app was started, the in-process scheduler runs only where `flask run` serves."""
    if run_main:
        monkeypatch.setenv("WERKZEUG_RUN_MAIN", run_main)
    else:
        monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)

    with _context(*path, reload=reload):
        assert _is_serving_dev_server(app) is expected


def test_no_scheduler_outside_a_flask_command(app):
    """Given the app loaded by a WSGI server (no click command), then it never runs the scheduler."""
    assert _is_serving_dev_server(app) is False
