"""Resident pages: cart, checkout into a delivery wave, order page and history."""
from __future__ import annotations

import secrets
from datetime import date
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from .. import clock
from ..accounts.auth import role_required
from ..accounts.models import Role
from ..delivery.waves import KOREAN_WEEKDAYS, Wave
from ..errors import DomainError
from ..extensions import db
from ..geo.distance import haversine_m
from ..geo.gazetteer import Gazetteer
from ..particles import with_particle
from ..safe_redirect import local_path
from . import carts
from .errors import OtherMarketCart
from .forms import NEW_ADDRESS, AddToCartForm, CartLineForm, CheckoutForm, EmptyForm
from .models import Substitution
from .operations import (AddressRequest, CheckoutRequest, LineRequest, can_cancel, cancel_order,
                         get_order_for_resident, kept_quantity, order_by_idempotency_key, parse_wave_key,
                         orderable_waves, place_order, resident_orders, wave_of)

bp = Blueprint("ordering", __name__)


def _visitor():
    return current_user if current_user.is_authenticated else None


def _back_to(fallback: str) -> str:
    """The page the form was posted from (same site only), else `fallback`."""
    target = request.form.get("next") or ""
    if not target and request.referrer:
        parts = urlsplit(request.referrer)
        if parts.netloc == request.host:
            target = parts.path + (f"?{parts.query}" if parts.query else "")
    return local_path(target) or fallback


# --- cart ---------------------------------------------------------------------------------

@bp.post("/cart/add")
def add_to_cart():
    form = AddToCartForm()
    if not form.validate():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(_back_to(url_for("catalog.home")))
    owner = carts.owner_for(_visitor(), create_session_key=True)
    try:
        line = carts.add_to_cart(owner, form.product_id.data, form.quantity.data, clock.now(),
                                 replace=form.replace.data)
    except OtherMarketCart as conflict:
        db.session.rollback()
        return render_template("ordering/cart_conflict.html", message=conflict.message, form=form,
                               back=_back_to(url_for("catalog.home"))), 409
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(_back_to(url_for("catalog.home")))
    db.session.commit()
    flash(f"{with_particle(line.product.name, '을/를')} 장바구니에 담았습니다. (모두 {line.quantity}개)", "success")
    return redirect(_back_to(url_for("ordering.cart")))


@bp.get("/cart")
def cart():
    summary = carts.summarise(carts.find_cart(carts.owner_for(_visitor())))
    return render_template("ordering/cart.html", summary=summary, line_form=CartLineForm(),
                           substitution_labels=Substitution.LABELS, empty_form=EmptyForm())


@bp.post("/cart/lines/<int:line_id>")
def update_cart_line(line_id: int):
    form = CartLineForm()
    if not form.validate():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(url_for("ordering.cart"))
    return _change_cart(lambda owner: carts.update_cart_line(
        owner, line_id, clock.now(), quantity=form.quantity.data, substitution=form.substitution.data or None),
        "장바구니를 고쳤습니다.")


@bp.post("/cart/lines/<int:line_id>/remove")
def remove_cart_line(line_id: int):
    EmptyForm().validate_on_submit() or _csrf_failed()
    return _change_cart(lambda owner: carts.remove_cart_line(owner, line_id, clock.now()), "상품을 뺐습니다.")


def _change_cart(change, success: str):
    """Apply a change to the visitor's cart; commit and say so, or roll back and show why."""
    try:
        change(carts.owner_for(_visitor()))
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(success, "success")
    return redirect(url_for("ordering.cart"))


def _csrf_failed():
    raise DomainError("요청이 만료되었습니다. 페이지를 새로 고친 뒤 다시 시도해 주세요.", code="csrf_failed")


# --- checkout -----------------------------------------------------------------------------

def wave_title(wave: Wave, today: date) -> str:
    if wave.date == today:
        day = "오늘"
    elif (wave.date - today).days == 1:
        day = "내일"
    else:
        day = f"{wave.date.month}/{wave.date.day}({KOREAN_WEEKDAYS[wave.date.weekday()][0]})"
    return f"{day} {wave.label}"


def _deliverable_dongs(market) -> list[tuple[str, str]]:
    """The 동 whose centre lies inside the market's radius, nearest first (others are not offered)."""
    places = Gazetteer.load().all_places()
    scored = [(haversine_m(market.lat, market.lng, p.lat, p.lng), p) for p in places]
    return [(p.code, f"{p.gu} {p.dong}") for d, p in sorted(scored, key=lambda s: s[0])
            if d <= market.delivery_radius_m]


def _prepare_checkout_form(form: CheckoutForm, summary, now) -> list[Wave]:
    addresses = list(current_user.addresses)
    form.address.choices = [SelectChoice(str(a.id), f"{a.gu} {a.dong} {a.detail}") for a in reversed(addresses)]
    form.address.choices.append(SelectChoice(NEW_ADDRESS, "새 주소 입력"))
    if form.address.data is None:
        form.address.data = form.address.choices[0].value
    form.dong_code.choices = [SelectChoice("", "동을 선택해 주세요")] + [
        SelectChoice(code, label) for code, label in _deliverable_dongs(summary.market)]
    waves = orderable_waves(summary.market, now)
    today = now.astimezone(clock.SEOUL).date()
    form.wave.choices = [SelectChoice(w.key, wave_title(w, today)) for w in waves]
    if form.wave.data is None and waves:
        form.wave.data = waves[0].key
    return waves


def _render_checkout(form: CheckoutForm, summary, waves, status: int = 200):
    return render_template("ordering/checkout.html", form=form, summary=summary, waves=waves,
                           substitution_choices=[(k, Substitution.LABELS[k]) for k in Substitution.ALL]), status


@bp.route("/checkout", methods=["GET", "POST"])
@role_required(Role.RESIDENT)
def checkout():
    now = clock.now()
    owner = carts.owner_for(current_user)
    cart_row = carts.find_cart(owner)
    summary = carts.summarise(cart_row)
    form = CheckoutForm()
    if request.method == "GET":
        if summary.is_empty:
            flash("장바구니가 비어 있습니다.", "info")
            return redirect(url_for("ordering.cart"))
        form.idempotency_key.data = secrets.token_urlsafe(24)
        form.expected_subtotal.data = str(summary.totals.subtotal)
        waves = _prepare_checkout_form(form, summary, now)
        return _render_checkout(form, summary, waves)

    if summary.market is None:  # cart already emptied: a double submit finds its order by the key
        existing = order_by_idempotency_key(current_user.id, (request.form.get("idempotency_key") or "").strip())
        if existing is not None:
            return redirect(url_for("ordering.order_detail", order_id=existing.id), 303)
        flash("장바구니가 비어 있습니다.", "info")
        return redirect(url_for("ordering.cart"))
    waves = _prepare_checkout_form(form, summary, now)
    if not form.validate():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return _render_checkout(form, summary, waves, 422)
    try:
        wave_date, wave_cutoff = parse_wave_key(form.wave.data)
        if form.address.data == NEW_ADDRESS:
            address = AddressRequest(dong_code=form.dong_code.data, detail=form.detail.data or "")
        else:
            address = AddressRequest(address_id=int(form.address.data))
        lines = tuple(
            LineRequest(item.product.id, item.line.quantity,
                        request.form.get(f"substitution-{item.line.id}", item.line.substitution))
            for item in summary.items)
        expected = form.expected_subtotal.data
        result = place_order(current_user, CheckoutRequest(
            market_id=summary.market.id, lines=lines, address=address, wave_date=wave_date,
            wave_cutoff=wave_cutoff, idempotency_key=form.idempotency_key.data,
            expected_subtotal=int(expected) if expected and expected.isdigit() else None), now)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        if error.code == "price_changed":
            form.expected_subtotal.data = str(summary.totals.subtotal)
        return _render_checkout(form, summary, waves, error.status)
    carts.empty_cart(owner)
    db.session.commit()
    if result.created:
        flash(f"주문 {result.order.id}번을 접수했습니다. 상점이 확인하면 문자로 알려드립니다.", "success")
    return redirect(url_for("ordering.order_detail", order_id=result.order.id), 303)


# --- orders -------------------------------------------------------------------------------

@bp.get("/orders")
@role_required(Role.RESIDENT)
def order_history():
    return render_template("ordering/history.html", orders=resident_orders(current_user))


@bp.get("/orders/<int:order_id>")
@role_required(Role.RESIDENT)
def order_detail(order_id: int):
    order = get_order_for_resident(current_user, order_id)
    return render_template("ordering/order.html", order=order, wave=wave_of(order), can_cancel=can_cancel(order),
                           kept_quantity=kept_quantity, substitution_labels=Substitution.LABELS,
                           cancel_form=EmptyForm())


@bp.post("/orders/<int:order_id>/cancel")
@role_required(Role.RESIDENT)
def cancel(order_id: int):
    EmptyForm().validate_on_submit() or _csrf_failed()
    try:
        cancel_order(current_user, order_id, clock.now())
    except DomainError as error:
        if error.status == 404:
            raise
        flash(error.message, "error")
    else:
        flash("주문을 취소했습니다. 결제되지 않습니다.", "success")
    return redirect(url_for("ordering.order_detail", order_id=order_id), 303)
