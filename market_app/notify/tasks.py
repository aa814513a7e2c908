"""Scheduled SMS work (registered in market_app/jobs.py): plain functions taking `now`, safe to rerun."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from ..extensions import db
from .operations import DispatchReport, count_dead_letters, current_gateway, dispatch_due

log = logging.getLogger(__name__)

# Admins are texted when this many messages of their market died within DEAD_LETTER_WINDOW.
DEAD_LETTER_THRESHOLD = 3
DEAD_LETTER_WINDOW = timedelta(hours=24)


def dispatch_sms(now: datetime) -> DispatchReport:
    """Send due outbox rows through the configured gateway (one batch; the schedule runs it every 5 s)."""
    report = dispatch_due(current_gateway(), now)
    if report.handled:
        log.info("SMS dispatch: %s", report.summary())
    return report


def alert_dead_letters(now: datetime) -> int:
    """Text each market's admins when dead letters pile up; at most once per market per hour.

    Returns how many texts were queued (0 on a rerun within the same hour)."""
    from ..accounts.models import Role, User
    from ..catalog.models import Market
    from .events import DEAD_LETTERS_KIND, dead_letters_piling_up
    from .models import OutboxMessage, OutboxStatus

    since = now - DEAD_LETTER_WINDOW
    market_ids = db.session.scalars(select(OutboxMessage.market_id).distinct()
                                    .where(OutboxMessage.status == OutboxStatus.DEAD,
                                           OutboxMessage.created_at >= since,
                                           OutboxMessage.market_id.is_not(None))).all()
    alerted = 0
    for market_id in market_ids:
        count = count_dead_letters(market_id, since, exclude_kind=DEAD_LETTERS_KIND)
        if count < DEAD_LETTER_THRESHOLD:
            continue
        admins = db.session.scalars(select(User).where(User.role == Role.MARKET_ADMIN,
                                                       User.market_id == market_id,
                                                       User.is_active_account.is_(True))).all()
        if admins:
            alerted += dead_letters_piling_up(db.session.get(Market, market_id), admins, count, now)
    db.session.commit()
    return alerted
