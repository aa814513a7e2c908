"""The stall owner's tablet (Korean, large buttons, landscape 10-inch): sign-in by PIN, the order
queue with a chime that repeats until tapped, answers and packing, products and opening.

A tablet is "registered" to a stall by a signed cookie set the first time an owner signs in on it
with their password; from then on the sign-in screen lists that stall's owners and asks for a PIN.
"""
from __future__ import annotations

from functools import wraps

from flask import (Blueprint, current_app, flash, jsonify, make_response, redirect, render_template,
                   request, url_for)
from flask_login import current_user, login_user, logout_user
from wtforms.fields.choices import SelectChoice

from .. import clock
from ..accounts.models import Role
from ..errors import DomainError
from ..extensions import db, limiter
from ..ordering.operations import (accept_stall_order, acknowledge_stall_orders, pack_stall_order,
                                   reject_stall_order)
from ..ordering.models import Substitution
from ..ordering.states import StallOrderStatus
from .forms import (ActionForm, OpenForm, PackForm, PasswordLoginForm, PinLoginForm, ProductForm,
                    RejectForm, SoldOutForm)
from .operations import (TABLET_COOKIE, TABLET_MAX_AGE_S, owners_of_stall, password_login, pin_login,
                         set_stall_open, stall_from_tablet_token, stall_products, stall_queue, tablet_token,
                         update_product)

bp = Blueprint("stalls", __name__, url_prefix="/stall")


def owner_required(view):
    """Signed-in stall owners only; anyone else is sent to the tablet sign-in (or 403 for other roles)."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("stalls.login"))
        if current_user.role != Role.STALL_OWNER or current_user.stall_id is None:
            raise DomainError("점포 주인만 볼 수 있는 화면입니다.", code="forbidden", status=403)
        return view(*args, **kwargs)
    return wrapped


def _tablet_stall():
    return stall_from_tablet_token(request.cookies.get(TABLET_COOKIE), current_app.config["SECRET_KEY"])


def _flash_errors(form) -> None:
    for errors in form.errors.values():
        for message in errors:
            flash(message, "error")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


# --- sign-in ----------------------------------------------------------------------------------

@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    stall = None if request.args.get("password") else _tablet_stall()
    if stall is not None:
        form = PinLoginForm()
        owners = owners_of_stall(stall)
        form.owner_id.choices = [SelectChoice(o.id, o.name) for o in owners]
        if len(owners) == 1 and form.owner_id.data is None:
            form.owner_id.data = owners[0].id
        if form.validate_on_submit():
            owner = pin_login(stall, form.owner_id.data, form.pin.data)
            if owner is not None:
                login_user(owner, remember=True)
                db.session.commit()
                return redirect(url_for("stalls.queue"))
            flash("PIN이 맞지 않습니다.", "error")
        else:
            _flash_errors(form)
        return render_template("stalls/login_pin.html", form=form, stall=stall, owners=owners)

    form = PasswordLoginForm()
    if form.validate_on_submit():
        owner = password_login(form.phone.data, form.password.data)
        if owner is not None:
            login_user(owner, remember=True)
            db.session.commit()
            response = make_response(redirect(url_for("stalls.queue")))
            response.set_cookie(TABLET_COOKIE, tablet_token(owner.stall_id, current_app.config["SECRET_KEY"]),
                                max_age=TABLET_MAX_AGE_S, httponly=True, samesite="Lax",
                                secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
            return response
        flash("상인 계정의 전화번호 또는 비밀번호가 맞지 않습니다.", "error")
    else:
        _flash_errors(form)
    return render_template("stalls/login_password.html", form=form)


@bp.post("/logout")
def logout():
    ActionForm().validate_on_submit()
    logout_user()
    return redirect(url_for("stalls.login"))


@bp.post("/forget-tablet")
def forget_tablet():
    """Unregister this tablet (e.g. it was given to another stall)."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for("stalls.login"))
    logout_user()
    response = make_response(redirect(url_for("stalls.login")))
    response.delete_cookie(TABLET_COOKIE)
    flash("이 태블릿의 점포 등록을 해제했습니다.", "info")
    return response


# --- the queue --------------------------------------------------------------------------------

def _queue_context(queue):
    return dict(queue=queue, action_form=ActionForm(), reject_form=RejectForm(), pack_form=PackForm(),
                substitution_labels=Substitution.LABELS)


@bp.get("")
@owner_required
def queue():
    queue = stall_queue(current_user, clock.now())
    return render_template("stalls/queue.html", **_queue_context(queue))


@bp.get("/feed")
@owner_required
def feed():
    """What the tablet polls: the queue's version, how many new orders await a tap, and its HTML."""
    queue = stall_queue(current_user, clock.now())
    html = render_template("stalls/_queue.html", **_queue_context(queue))
    return jsonify(version=queue.version, unacknowledged=queue.unacknowledged, waiting=len(queue.waiting),
                   to_pack=len(queue.to_pack), html=html)


@bp.post("/acknowledge")
@owner_required
def acknowledge():
    if not ActionForm().validate_on_submit():
        raise DomainError("요청이 만료되었습니다. 화면을 새로 고쳐 주세요.", code="csrf_failed")
    count = acknowledge_stall_orders(current_user, clock.now())
    if request.accept_mimetypes.best == "application/json":
        return jsonify(acknowledged=count)
    return redirect(url_for("stalls.queue"))


def _answer(action, success):
    """Run the owner's answer and flash `success` (a text, or a function of the answered stall order)."""
    try:
        answered = action()
    except DomainError as error:
        if error.status == 404:
            raise
        message = ("이미 처리된 주문입니다. 화면을 확인해 주세요." if error.code == "invalid_transition"
                   else error.message)
        flash(message, "error")
    else:
        flash(success(answered) if callable(success) else success, "success")
    return redirect(url_for("stalls.queue"), 303)


@bp.post("/orders/<int:stall_order_id>/accept")
@owner_required
def accept(stall_order_id: int):
    if not ActionForm().validate_on_submit():
        raise DomainError("요청이 만료되었습니다. 화면을 새로 고쳐 주세요.", code="csrf_failed")
    return _answer(lambda: accept_stall_order(current_user, stall_order_id, clock.now()),
                   "주문을 수락했습니다. 포장이 끝나면 '포장 완료'를 눌러 주세요.")


@bp.post("/orders/<int:stall_order_id>/partial")
@owner_required
def accept_partly(stall_order_id: int):
    if not ActionForm().validate_on_submit():
        raise DomainError("요청이 만료되었습니다. 화면을 새로 고쳐 주세요.", code="csrf_failed")
    quantities: dict[int, int] = {}
    for name, value in request.form.items():
        if name.startswith("line-"):
            try:
                quantities[int(name[5:])] = int(value)
            except ValueError:
                flash("수량은 숫자로 입력해 주세요.", "error")
                return redirect(url_for("stalls.queue"), 303)
    return _answer(lambda: accept_stall_order(current_user, stall_order_id, clock.now(), quantities),
                   _partial_answer_message)


def _partial_answer_message(stall_order) -> str:
    # Every line set to 0 (품절) makes the operation reject the whole stall order.
    if stall_order.status == StallOrderStatus.REJECTED:
        return "모든 품목이 품절이라 주문을 거절했습니다. 손님께 알려드립니다."
    return "일부 수락했습니다. 손님께 빠진 금액을 알려드립니다."


@bp.post("/orders/<int:stall_order_id>/reject")
@owner_required
def reject(stall_order_id: int):
    form = RejectForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return redirect(url_for("stalls.queue"), 303)
    reason = form.reason.data
    if reason == "기타" and form.other.data:
        reason = f"기타: {form.other.data.strip()}"
    return _answer(lambda: reject_stall_order(current_user, stall_order_id, reason, clock.now()),
                   "주문을 거절했습니다.")


@bp.post("/orders/<int:stall_order_id>/pack")
@owner_required
def pack(stall_order_id: int):
    form = PackForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return redirect(url_for("stalls.queue"), 303)
    return _answer(lambda: pack_stall_order(current_user, stall_order_id, clock.now(), form.bags.data),
                   f"포장 완료 (봉투 {form.bags.data}개).")


# --- products and opening ---------------------------------------------------------------------

@bp.get("/products")
@owner_required
def products():
    return render_template("stalls/products.html", products=stall_products(current_user), stall=current_user.stall,
                           product_form=ProductForm(), action_form=ActionForm())


def _product_change(change, success: str, product_id: int):
    try:
        change()
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        flash(error.message, "error")
        return redirect(url_for("stalls.products"), 303)
    flash(success, "success")
    # Back to the row just changed: a long list must not jump to the top after every tap.
    return redirect(url_for("stalls.products", _anchor=f"product-{product_id}"), 303)


@bp.post("/products/<int:product_id>")
@owner_required
def edit_product(product_id: int):
    form = ProductForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return redirect(url_for("stalls.products"), 303)
    return _product_change(lambda: update_product(current_user, product_id, clock.now(), price=form.price.data,
                                                  stock=form.stock.data), "가격과 재고를 저장했습니다.",
                           product_id)


@bp.post("/products/<int:product_id>/sold-out")
@owner_required
def toggle_sold_out(product_id: int):
    form = SoldOutForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return redirect(url_for("stalls.products"), 303)
    sold_out = form.sold_out.data == "1"
    return _product_change(lambda: update_product(current_user, product_id, clock.now(), sold_out=sold_out),
                           "품절로 표시했습니다." if sold_out else "다시 판매합니다.", product_id)


@bp.post("/open")
@owner_required
def toggle_open():
    form = OpenForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return redirect(url_for("stalls.products"), 303)
    is_open = form.is_open.data == "1"
    set_stall_open(current_user, is_open, clock.now())
    flash("오늘 주문을 받습니다." if is_open else "오늘 주문 받기를 마감했습니다. 받은 주문은 그대로 처리해 주세요.",
          "success")
    return redirect(url_for("stalls.products"), 303)
