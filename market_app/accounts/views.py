"""Sign in and out (password). Stall tablets sign in by PIN on the stalls blueprint."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user

from ..extensions import db, limiter
from ..ordering.carts import merge_session_cart_into_user
from ..safe_redirect import local_path
from .forms import LoginForm
from .models import Role
from .operations import authenticate

bp = Blueprint("accounts", __name__)

HOME_BY_ROLE = {
    Role.STALL_OWNER: "stalls.queue",
    Role.MARKET_ADMIN: "admin.market_home",
    Role.CITY_ADMIN: "admin.city_home",
}


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.phone.data, form.password.data)
        if user is None:
            flash("전화번호 또는 비밀번호가 맞지 않습니다.", "error")
        else:
            login_user(user, remember=True)
            merge_session_cart_into_user(user)
            db.session.commit()
            endpoint = HOME_BY_ROLE.get(user.role, "catalog.home")
            target = local_path(request.args.get("next"))
            if target is None:
                target = url_for(endpoint) if endpoint in current_app.view_functions else url_for("catalog.home")
            return redirect(target)
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash("로그아웃했습니다.", "info")
    return redirect(url_for("catalog.home"))
