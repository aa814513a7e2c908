"""Jinja filters shared by every page: 원 amounts, Seoul times, distances, status labels."""
from __future__ import annotations

from datetime import datetime

from flask import Flask

from .clock import to_seoul
from .ordering.pricing import format_won


def won(amount: int | None) -> str:
    return "" if amount is None else format_won(amount)


def seoul_time(value: datetime | None, fmt: str = "%H:%M") -> str:
    return "" if value is None else to_seoul(value).strftime(fmt)


def distance(metres: int | float | None) -> str:
    if metres is None:
        return ""
    return f"{metres:,.0f}m" if metres < 1000 else f"{metres / 1000:.1f}km"


# (endpoint, label) per role; links whose domain is not installed are left out.
_NAV = {
    None: [("ordering.cart", "장바구니")],
    "resident": [("ordering.cart", "장바구니"), ("ordering.order_history", "주문 내역"),
                 ("notify.sms_settings", "문자 설정")],
    "stall_owner": [("stalls.queue", "주문 확인"), ("stalls.products", "상품 관리")],
    "market_admin": [("admin.market_home", "배송 관리")],
    "city_admin": [("admin.city_home", "전체 시장")],
    "courier": [],
}


def phone(e164: str | None) -> str:
    """+821012345678 -> 010-1234-5678, the way people read Korean numbers."""
    from .accounts.phones import display_phone
    return "" if not e164 else display_phone(e164)


def register_template_helpers(app: Flask) -> None:
    app.add_template_filter(won)
    app.add_template_filter(seoul_time)
    app.add_template_filter(distance)
    app.add_template_filter(phone)

    @app.context_processor
    def navigation():
        def nav_links(user):
            links = _NAV.get(getattr(user, "role", None), [])
            return [(endpoint, label) for endpoint, label in links if endpoint in app.view_functions]
        return {"nav_links": nav_links, "has_endpoint": lambda name: name in app.view_functions}

    @app.context_processor
    def labels():
        from .accounts.models import Role
        from .ordering.states import ORDER_STATUS_LABELS, STALL_ORDER_STATUS_LABELS
        return {"ROLE_LABELS": Role.LABELS, "ORDER_STATUS_LABELS": ORDER_STATUS_LABELS,
                "STALL_ORDER_STATUS_LABELS": STALL_ORDER_STATUS_LABELS}
