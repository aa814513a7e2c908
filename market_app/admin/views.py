"""Market admin (배송센터) and city admin pages."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import clock
from ..accounts.auth import role_required
from ..accounts.models import Role
from ..delivery.forms import CourierForm, read_shifts, shift_rows
from ..delivery.models import VehicleKind
from ..delivery.operations import (UNASSIGNED_REASON_LABELS, couriers_on_shift, get_courier, market_couriers,
                                   plan_wave, save_courier)
from ..errors import DomainError
from ..extensions import db
from ..ordering.operations import cancel_order_for_market
from .forms import WaveSettingsForm
from .operations import (WaveSettings, attention_orders, city_overview, clear_attention, current_wave_settings,
                         market_for, unanswered_stall_orders, update_wave_settings, wave_board)

bp = Blueprint("admin", __name__, url_prefix="/admin")

ADMINS = (Role.MARKET_ADMIN, Role.CITY_ADMIN)


def _day() -> date:
    raw = request.args.get("date")
    if raw:
        try:
            return date.fromisoformat(raw)
        except ValueError:
            abort(400)
    return clock.now().date()


@bp.get("/market", defaults={"market_id": None})
@bp.get("/markets/<int:market_id>")
@role_required(*ADMINS)
def market_home(market_id: int | None):
    """Today's waves with status, the plans drawn as SVG, routes, unassigned and flagged orders,
    couriers on shift and stall orders still unanswered."""
    market = market_for(current_user, market_id)
    now = clock.now()
    day = _day()
    closed, waves = wave_board(market, day, now)
    return render_template(
        "admin/market_home.html", market=market, day=day, closed=closed, waves=waves, now=now,
        flagged=attention_orders(market), on_shift=couriers_on_shift(market, day),
        unanswered=unanswered_stall_orders(market, now), reason_labels=UNASSIGNED_REASON_LABELS,
        vehicle_labels=VehicleKind.LABELS)


@bp.post("/markets/<int:market_id>/waves/<wave_date>/<cutoff>/replan")
@role_required(*ADMINS)
def replan(market_id: int, wave_date: str, cutoff: str):
    market = market_for(current_user, market_id)
    try:
        day = date.fromisoformat(wave_date)
    except ValueError:
        abort(404)
    try:
        outcome = plan_wave(market, day, cutoff, clock.now(), replan=True)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(f"{cutoff} 회차를 다시 계획했습니다 (버전 {outcome.plan.revision}, "
              f"새 목록을 받은 배송기사 {len(outcome.notified_couriers)}명).", "success")
    return redirect(url_for("admin.market_home", market_id=market.id, date=wave_date))


@bp.post("/markets/<int:market_id>/orders/<int:order_id>/checked")
@role_required(*ADMINS)
def order_checked(market_id: int, order_id: int):
    market = market_for(current_user, market_id)
    clear_attention(market, order_id, clock.now())
    db.session.commit()
    flash(f"주문 {order_id}번을 확인했습니다.", "success")
    return redirect(url_for("admin.market_home", market_id=market.id))


@bp.post("/markets/<int:market_id>/orders/<int:order_id>/cancel")
@role_required(*ADMINS)
def cancel_order(market_id: int, order_id: int):
    """The resident phoned after a stall accepted, or a failed delivery is given up."""
    market = market_for(current_user, market_id)
    try:
        cancel_order_for_market(current_user, market, order_id, request.form.get("reason", ""), clock.now())
    except DomainError as error:
        if error.status == 404:
            raise
        flash(error.message, "error")
    else:
        flash(f"주문 {order_id}번을 취소했습니다. 상품은 재고로 돌아가고 고객에게 문자를 보냅니다.", "success")
    return redirect(url_for("admin.market_home", market_id=market.id))


@bp.route("/markets/<int:market_id>/settings", methods=["GET", "POST"])
@role_required(*ADMINS)
def wave_settings(market_id: int):
    market = market_for(current_user, market_id)
    current = current_wave_settings(market)
    form = WaveSettingsForm(data={"cutoffs": current.cutoffs, "preparation_minutes": current.preparation_minutes,
                                  "delivery_window_minutes": current.delivery_window_minutes,
                                  "service_minutes_per_stop": current.service_minutes_per_stop,
                                  "closed_weekdays": sorted(current.closed_weekdays)})
    if form.validate_on_submit():
        try:
            update_wave_settings(market, WaveSettings(
                form.cutoffs.data, form.preparation_minutes.data, form.delivery_window_minutes.data,
                form.service_minutes_per_stop.data, frozenset(form.closed_weekdays.data or ())), clock.now())
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            flash("배송 회차 설정을 저장했습니다.", "success")
            return redirect(url_for("admin.wave_settings", market_id=market.id))
    return render_template("admin/settings.html", market=market, form=form)


@bp.get("/markets/<int:market_id>/couriers")
@role_required(*ADMINS)
def couriers(market_id: int):
    market = market_for(current_user, market_id)
    return render_template("admin/couriers.html", market=market, couriers=market_couriers(market),
                           vehicle_labels=VehicleKind.LABELS)


@bp.route("/markets/<int:market_id>/couriers/new", methods=["GET", "POST"], defaults={"courier_id": None})
@bp.route("/markets/<int:market_id>/couriers/<int:courier_id>", methods=["GET", "POST"])
@role_required(*ADMINS)
def courier_form(market_id: int, courier_id: int | None):
    market = market_for(current_user, market_id)
    courier = get_courier(market, courier_id) if courier_id else None
    form = CourierForm(obj=courier)
    rows = shift_rows(courier)
    if form.validate_on_submit():
        shifts, rows = read_shifts(request.form)
        try:
            saved = save_courier(market, clock.now(), name=form.name.data, phone=form.phone.data,
                                 vehicle_kind=form.vehicle_kind.data, capacity_bags=form.capacity_bags.data,
                                 shifts=shifts, is_active=form.is_active.data, courier=courier)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            flash(f"배송기사 {saved.name}님을 저장했습니다.", "success")
            return redirect(url_for("admin.couriers", market_id=market.id))
    return render_template("admin/courier_form.html", market=market, form=form, courier=courier, rows=rows)


@bp.get("/city")
@role_required(Role.CITY_ADMIN)
def city_home():
    """Every online market with today's orders, sales and on-time delivery figures."""
    day = _day()
    rows, total = city_overview(day)
    return render_template("admin/city_home.html", rows=rows, total=total, day=day)
