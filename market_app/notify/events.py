"""What each event texts to whom. Other domains call these inside their own transaction; each
message has a stable idempotency key, so calling twice for the same event queues it once.

Customer, stall and admin texts are one SMS segment with a short link to the page with the
details (`views.py` serves /o/<id>, /s and /a). Each template has a `compact` form used when the
full one would not fit; values from people (names, reasons) are made carrier safe first, so a
stray character never makes the change that queues the message fail.
"""
from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app, render_template

from ..clock import to_seoul
from .outbox import queue_sms
from .sms_text import SmsTextError, check_one_segment
from .text_parts import carrier_safe, short_market_name, short_stall_name

log = logging.getLogger(__name__)

ORDER_LINK = "/o/{order_id}"
STALL_LINK = "/s"
MARKET_ADMIN_LINK = "/a"
DEAD_LETTERS_LINK = "/admin/sms"
DEAD_LETTERS_KIND = "dead_letters"


def render_sms(template: str, **context) -> str:
    """One-segment text: the full form if it fits, else the compact form (logged if even that does not)."""
    body = ""
    for compact in (False, True):
        body = carrier_safe(render_template(f"sms/{template}.txt", compact=compact, **context).strip())
        try:
            check_one_segment(body)
            return body
        except SmsTextError:
            continue
    log.warning("SMS %s is longer than one segment (%d characters); check PUBLIC_BASE_URL length",
                template, len(body))
    return body


def link(path: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"] + path


def order_link(order) -> str:
    return link(ORDER_LINK.format(order_id=order.id))


def _market(order_or_market) -> str:
    market = getattr(order_or_market, "market", order_or_market)
    return short_market_name(market.name)


def _optional_allowed(user) -> bool:
    return user is None or user.optional_sms


def order_placed(order, now: datetime) -> None:
    """Resident: we got the order (optional message); each stall: a new order is waiting."""
    if _optional_allowed(order.resident):
        queue_sms(key=f"order:{order.id}:placed", to=order.contact_phone, kind="order_placed", now=now,
                  critical=False, market_id=order.market_id, order_id=order.id,
                  body=render_sms("order_placed", market=_market(order), link=order_link(order)))
    for stall_order in order.stall_orders:
        if stall_order.stall.phone:
            queue_sms(key=f"stall-order:{stall_order.id}:waiting", to=stall_order.stall.phone,
                      kind="stall_order_waiting", now=now, market_id=order.market_id, order_id=order.id,
                      body=render_sms("stall_order_waiting", items=len(stall_order.lines),
                                      link=link(STALL_LINK)))


def order_answered(order, now: datetime) -> None:
    """Resident: every stall answered; says what changed and the amount not charged."""
    queue_sms(key=f"order:{order.id}:accepted", to=order.contact_phone, kind="order_accepted", now=now,
              market_id=order.market_id, order_id=order.id,
              body=render_sms("order_accepted", order=order, market=_market(order), link=order_link(order)))


def order_cancelled(order, now: datetime, reason: str) -> None:
    """Resident: the order is cancelled (the reason is shown when it fits) and nothing is charged."""
    queue_sms(key=f"order:{order.id}:cancelled", to=order.contact_phone, kind="order_cancelled", now=now,
              market_id=order.market_id, order_id=order.id,
              body=render_sms("order_cancelled", market=_market(order), reason=carrier_safe(reason or ""),
                              link=order_link(order)))


def stall_order_reminder(stall_order, now: datetime) -> None:
    """Stall owner: a stall order is still unanswered."""
    if stall_order.stall.phone:
        queue_sms(key=f"stall-order:{stall_order.id}:reminder", to=stall_order.stall.phone,
                  kind="stall_order_reminder", now=now, market_id=stall_order.order.market_id,
                  order_id=stall_order.order_id,
                  body=render_sms("stall_order_reminder", stall_order=stall_order, link=link(STALL_LINK)))


def stall_order_escalated(stall_order, admins, now: datetime) -> None:
    """Each market admin: a stall has not answered for a long time; call them."""
    minutes = max(int((now - stall_order.created_at).total_seconds() // 60), 0)
    body = render_sms("stall_order_escalated", stall_order=stall_order, minutes=minutes,
                      stall=short_stall_name(stall_order.stall.name), link=link(MARKET_ADMIN_LINK))
    for admin in admins:
        queue_sms(key=f"stall-order:{stall_order.id}:escalated:{admin.id}", to=admin.phone,
                  kind="stall_order_escalated", now=now, market_id=stall_order.order.market_id,
                  order_id=stall_order.order_id, body=body)


def route_for_courier(route, revision: int, link: str, now: datetime) -> None:
    """Courier: the route list itself (couriers may have no data) plus the route page link.

    A re-planned route has a new revision, so the courier gets the new list (marked 경로 변경)."""
    from .route_message import route_message
    queue_sms(key=f"route:{route.plan_id}:rev{revision}:courier:{route.courier_id}", to=route.courier.phone,
              kind="courier_route", now=now, market_id=route.plan.market_id,
              body=route_message(route, link, revision=revision))


def route_cancelled_for_courier(route, plan, now: datetime) -> None:
    """Courier: a re-plan left them without a route; the list they got must not be used."""
    queue_sms(key=f"route:{plan.id}:rev{plan.revision}:courier:{route.courier_id}:cancelled",
              to=route.courier.phone, kind="courier_route_cancelled", now=now, market_id=plan.market_id,
              body=render_sms("courier_route_cancelled", market=_market(plan), cutoff=plan.wave_cutoff))


def order_dispatched(order, stop, now: datetime) -> None:
    """Resident: the courier left; the ETA window. Keyed by wave, so a re-delivery texts again."""
    queue_sms(key=f"order:{order.id}:dispatched:{order.wave_date}:{order.wave_cutoff}", to=order.contact_phone,
              kind="order_dispatched", now=now, market_id=order.market_id, order_id=order.id,
              body=render_sms("order_dispatched", market=_market(order), stop=stop, link=order_link(order)))


def order_delivered(order, now: datetime) -> None:
    if _optional_allowed(order.resident):
        queue_sms(key=f"order:{order.id}:delivered", to=order.contact_phone, kind="order_delivered", now=now,
                  critical=False, market_id=order.market_id, order_id=order.id,
                  body=render_sms("order_delivered", market=_market(order), link=order_link(order)))


def order_failed(order, stop, now: datetime, *, redelivery: bool = True) -> None:
    """Resident: the delivery failed (with the reason) and what happens next: the next wave, or
    (redelivery False: no wave to carry the order to) a call from the market."""
    from ..delivery.models import FailureReason
    reason = FailureReason.LABELS.get(stop.failure_reason or "", "")
    queue_sms(key=f"order:{order.id}:failed:{stop.id}", to=order.contact_phone, kind="order_failed", now=now,
              market_id=order.market_id, order_id=order.id,
              body=render_sms("order_failed", market=_market(order), reason=reason, redelivery=redelivery,
                              link=order_link(order)))


def dead_letters_piling_up(market, admins, count: int, now: datetime) -> int:
    """Each market admin: messages could not be sent; at most one text per market per hour.
    Returns how many texts were queued (0 when this hour's were already)."""
    hour = to_seoul(now).strftime("%Y%m%d%H")
    body = render_sms("dead_letters", market=_market(market), count=count, link=link(DEAD_LETTERS_LINK))
    queued = [queue_sms(key=f"market:{market.id}:dead-letters:{hour}:{admin.id}", to=admin.phone,
                        kind=DEAD_LETTERS_KIND, now=now, market_id=market.id, body=body) for admin in admins]
    return sum(message is not None for message in queued)

