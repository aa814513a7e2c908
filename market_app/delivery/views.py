"""The courier's route page at a signed, expiring link (no login; the link arrives by SMS).

The POST endpoints are exempt from CSRF: there is no session cookie to ride on, and the
signed token in the URL is the credential itself, so a forged cross-site form would
need the token it is trying to steal.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from .. import clock
from ..errors import DomainError
from ..extensions import csrf, db
from ..ordering.operations import kept_quantity
from .forms import StopFailedForm
from .links import RouteLinkError, RouteLinkExpired
from .models import FailureReason, StopStatus
from .operations import mark_stop_delivered, mark_stop_failed, route_from_token, start_route

bp = Blueprint("delivery", __name__)


@bp.errorhandler(RouteLinkError)
def link_refused(error: RouteLinkError):
    return render_template("delivery/link_refused.html", message=str(error),
                           expired=isinstance(error, RouteLinkExpired)), 403


def _items(order) -> list[tuple[str, int]]:
    """What the courier hands over: every line's kept quantity (refused ones left out)."""
    return [(line.product_name, kept_quantity(line)) for stall_order in order.stall_orders
            for line in stall_order.lines if kept_quantity(line) > 0]


@bp.get("/r/<token>")
def route_page(token: str):
    route = route_from_token(token, clock.now())
    pending = sum(stop.status == StopStatus.PENDING for stop in route.stops)
    return render_template("delivery/route.html", route=route, plan=route.plan, token=token, items=_items,
                           pending=pending, form=StopFailedForm(), reasons=FailureReason.LABELS)


def _back(token: str, stop_id: int | None = None):
    anchor = f"#stop-{stop_id}" if stop_id else ""
    return redirect(url_for("delivery.route_page", token=token) + anchor)


def _act(token: str, stop_id: int | None, action, success: str):
    now = clock.now()
    route = route_from_token(token, now, lock=True)
    try:
        changed = action(route, now)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _back(token, stop_id)
    flash(success if changed else "이미 처리되었습니다.", "success" if changed else "info")
    return _back(token, stop_id)


@bp.post("/r/<token>/start")
@csrf.exempt
def start(token: str):
    return _act(token, None, start_route, "출발했습니다. 고객에게 도착 예정 문자를 보냅니다.")


@bp.post("/r/<token>/stops/<int:stop_id>/delivered")
@csrf.exempt
def stop_delivered(token: str, stop_id: int):
    return _act(token, stop_id, lambda route, now: mark_stop_delivered(route, stop_id, now),
                "배송 완료로 처리했습니다.")


@bp.post("/r/<token>/stops/<int:stop_id>/failed")
@csrf.exempt
def stop_failed(token: str, stop_id: int):
    form = StopFailedForm(request.form)
    if not form.validate():
        route_from_token(token, clock.now())  # a bad link is still a 403, not a form error
        flash("실패 사유를 선택해 주세요.", "error")
        return _back(token, stop_id)
    return _act(token, stop_id,
                lambda route, now: mark_stop_failed(route, stop_id, form.reason.data, form.note.data, now),
                f"배송 실패({FailureReason.LABELS[form.reason.data]})로 처리했습니다.")
