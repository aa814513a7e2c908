"""Scheduled ordering work (registered in market_app/jobs.py). Plain functions taking `now`;
running either twice changes nothing the second time."""
from __future__ import annotations

import logging
from datetime import datetime

from .operations import ReminderRun, cancel_unanswered_stall_orders, remind_unanswered

log = logging.getLogger(__name__)


def remind_unanswered_stall_orders(now: datetime) -> ReminderRun:
    """Remind stalls of orders waiting past the answer timeout; escalate to the market admin later."""
    run = remind_unanswered(now)
    if run.reminded or run.escalated:
        log.info("stall orders: %d reminded, %d escalated", run.reminded, run.escalated)
    return run


def cancel_unanswered_at_cutoff(now: datetime) -> int:
    """At a wave's cut-off, cancel still-unanswered stall orders and refund them."""
    cancelled = cancel_unanswered_stall_orders(now)
    if cancelled:
        log.info("cut-off: %d unanswered stall orders cancelled", cancelled)
    return cancelled
