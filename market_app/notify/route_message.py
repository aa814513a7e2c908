"""The courier's route SMS: the route list itself, for couriers on a basic phone with no data."""
from __future__ import annotations

from ..accounts.phones import last4
from ..clock import to_seoul
from .sms_text import fit_route_lines

SHORT_ADDRESS_CHARS = 18


def stop_line(stop) -> str:
    order = stop.order
    address = f"{order.dong} {order.address_detail}"[:SHORT_ADDRESS_CHARS]
    return (f"{stop.sequence}. {to_seoul(stop.eta_start):%H:%M} {address} "
            f"{order.bags}봉 ({last4(order.contact_phone)})")


def route_message(route, link: str) -> str:
    plan = route.plan
    bags = sum(stop.order.bags for stop in route.stops)
    header = (f"[{plan.market.name}] {plan.wave_cutoff} 배송 "
              f"{len(route.stops)}곳 {bags}봉 출발 {to_seoul(route.departure):%H:%M}")
    text, _omitted = fit_route_lines(header, [stop_line(s) for s in route.stops], link)
    return text
