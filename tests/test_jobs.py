"""The one job registry: every scheduled job points at a plain function taking keyword `now`."""
from __future__ import annotations

import inspect

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from market_app.jobs import JOBS, build_scheduler, resolve


@pytest.mark.parametrize("job", JOBS, ids=[job.id for job in JOBS])
def test_every_job_target_is_a_function_taking_now(job):
    """Given a registered job, its target imports and is callable with only the keyword `now`."""
    target = resolve(job.target)

    assert callable(target)
    parameters = inspect.signature(target).parameters
    assert "now" in parameters
    assert parameters["now"].kind in (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    required = [name for name, p in parameters.items()
                if p.default is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    assert required == ["now"]


def test_job_ids_are_unique_and_intervals_positive():
    """Given the registry, no two jobs share an id and every interval is at least a second."""
    assert len({job.id for job in JOBS}) == len(JOBS)
    assert all(job.seconds >= 1 for job in JOBS)


def test_scheduler_registers_every_job_once(app):
    """Given the app, the built (not started) scheduler holds exactly the registry's jobs."""
    scheduler = build_scheduler(app, BackgroundScheduler)
    assert sorted(job.id for job in scheduler.get_jobs()) == sorted(job.id for job in JOBS)


def test_web_app_under_test_runs_no_scheduler(app):
    """Given SCHEDULER_ENABLED off (web workers, tests), create_app starts no scheduler."""
    assert app.extensions["scheduler"] is None
