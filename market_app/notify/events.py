"""What each event texts to whom. Other domains call these inside their own transaction; each
message has a stable idempotency key, so calling twice for the same event queues it once."""
from __future__ import annotations

from datetime import datetime

from flask import current_app, render_template

from .outbox import queue_sms


def _render(template: str, **context) -> str:
    return render_template(f"sms/{template}.txt", **context).strip()


def _link(path: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"] + path


def _optional_allowed(user) -> bool:
    return user is None or user.optional_sms


def order_placed(order, now: datetime) -> None:
    """Resident: we got the order (optional message); each stall: a new order is waiting."""
    if _optional_allowed(order.resident):
        queue_sms(key=f"order:{order.id}:placed", to=order.contact_phone, kind="order_placed", now=now,
                  critical=False, market_id=order.market_id, order_id=order.id,
                  body=_render("order_placed", order=order, link=_link(f"/orders/{order.id}")))
    for stall_order in order.stall_orders:
        if stall_order.stall.phone:
            queue_sms(key=f"stall-order:{stall_order.id}:waiting", to=stall_order.stall.phone,
                      kind="stall_order_waiting", now=now, market_id=order.market_id, order_id=order.id,
                      body=_render("stall_order_waiting", stall_order=stall_order, order=order))


def order_answered(order, now: datetime) -> None:
    """Resident: every stall answered; says what changed and the amount not charged."""
    queue_sms(key=f"order:{order.id}:accepted", to=order.contact_phone, kind="order_accepted", now=now,
              market_id=order.market_id, order_id=order.id,
              body=_render("order_accepted", order=order, link=_link(f"/orders/{order.id}")))


def order_cancelled(order, now: datetime, reason: str) -> None:
    queue_sms(key=f"order:{order.id}:cancelled", to=order.contact_phone, kind="order_cancelled", now=now,
              market_id=order.market_id, order_id=order.id,
              body=_render("order_cancelled", order=order, reason=reason))


def stall_order_reminder(stall_order, now: datetime) -> None:
    if stall_order.stall.phone:
        queue_sms(key=f"stall-order:{stall_order.id}:reminder", to=stall_order.stall.phone,
                  kind="stall_order_reminder", now=now, market_id=stall_order.order.market_id,
                  order_id=stall_order.order_id,
                  body=_render("stall_order_reminder", stall_order=stall_order, now=now))


def stall_order_escalated(stall_order, admins, now: datetime) -> None:
    for admin in admins:
        queue_sms(key=f"stall-order:{stall_order.id}:escalated:{admin.id}", to=admin.phone,
                  kind="stall_order_escalated", now=now, market_id=stall_order.order.market_id,
                  order_id=stall_order.order_id,
                  body=_render("stall_order_escalated", stall_order=stall_order, now=now))


def route_for_courier(route, revision: int, link: str, now: datetime) -> None:
    """Courier: the route list itself (couriers may have no data) plus the route page link."""
    from .route_message import route_message
    queue_sms(key=f"route:{route.plan_id}:rev{revision}:courier:{route.courier_id}", to=route.courier.phone,
              kind="courier_route", now=now, market_id=route.plan.market_id,
              body=route_message(route, link))


def order_dispatched(order, stop, now: datetime) -> None:
    queue_sms(key=f"order:{order.id}:dispatched:{order.wave_date}:{order.wave_cutoff}", to=order.contact_phone,
              kind="order_dispatched", now=now, market_id=order.market_id, order_id=order.id,
              body=_render("order_dispatched", order=order, stop=stop, link=_link(f"/orders/{order.id}")))


def order_delivered(order, now: datetime) -> None:
    if _optional_allowed(order.resident):
        queue_sms(key=f"order:{order.id}:delivered", to=order.contact_phone, kind="order_delivered", now=now,
                  critical=False, market_id=order.market_id, order_id=order.id,
                  body=_render("order_delivered", order=order))


def order_failed(order, stop, now: datetime) -> None:
    queue_sms(key=f"order:{order.id}:failed:{stop.id}", to=order.contact_phone, kind="order_failed", now=now,
              market_id=order.market_id, order_id=order.id,
              body=_render("order_failed", order=order, stop=stop, link=_link(f"/orders/{order.id}")))
