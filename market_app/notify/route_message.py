"""The courier's route SMS: the route list itself, for couriers on a basic phone with no data.

A header (market, wave, stops, bags, departure), one line per stop in route order, then the
signed route-page link; at most 10 segments, a longer route ends with how many stops remain.
Header and stop lines are templates in templates/sms/ like every other text.
"""
from __future__ import annotations

from flask import render_template

from ..accounts.phones import last4
from .sms_text import fit_route_lines
from .text_parts import carrier_safe, short_address, short_market_name

SHORT_ADDRESS_CHARS = 22


def stop_line(stop) -> str:
    order = stop.order
    return carrier_safe(render_template(
        "sms/courier_route_stop.txt", stop=stop, bags=order.bags, last4=last4(order.contact_phone),
        address=short_address(order.dong, order.address_detail, SHORT_ADDRESS_CHARS)).strip())


def route_header(route, revision: int) -> str:
    plan = route.plan
    return carrier_safe(render_template(
        "sms/courier_route_header.txt", market=short_market_name(plan.market.name), revision=revision,
        cutoff=plan.wave_cutoff, stops=len(route.stops), bags=sum(s.order.bags for s in route.stops),
        departure=route.departure).strip())


def route_message(route, link: str, revision: int = 1) -> str:
    text, _omitted = fit_route_lines(route_header(route, revision), [stop_line(s) for s in route.stops], link)
    return text
