"""Scheduled delivery work (registered in market_app/jobs.py)."""
from __future__ import annotations

from datetime import datetime

from .operations import PlanOutcome, plan_due


def plan_due_waves(now: datetime) -> list[PlanOutcome]:
    """Plan every wave whose time (cut-off + preparation) has come, exactly once each.

    Safe to run twice, from two scheduler processes or after a crash: the wave plan's unique key
    and row lock make the second run skip, and a run that died half-way is completed."""
    return plan_due(now)
