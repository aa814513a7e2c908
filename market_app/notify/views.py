"""SMS pages: Twilio webhooks, the development inbox, the resident's SMS settings, the market
admin's list of messages that could not be sent, and the short links texts carry."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from twilio.request_validator import SIGNATURE_SETTINGS_HEADER, RequestValidator, get_signature_algorithm

from .. import clock
from ..accounts.auth import role_required
from ..accounts.models import Role
from ..errors import Forbidden
from ..extensions import csrf, db
from . import inbox
from .forms import ConfirmForm, SmsSettingsForm
from .gateways import STATUS_CALLBACK_PATH
from .models import OutboxStatus
from .operations import (apply_status_report, is_opted_out, problem_messages, record_opt_out, remove_opt_out,
                         retry_message)
from .provider_status import opt_keyword

bp = Blueprint("notify", __name__)

INBOUND_PATH = "/webhooks/twilio/inbound"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


# --- Twilio webhooks ----------------------------------------------------------------------------


def _signed_by_twilio() -> bool:
    """X-Twilio-Signature checked against the public URL (PUBLIC_BASE_URL), not the one this
    process sees: behind a proxy the scheme and host differ from what Twilio signed."""
    token = current_app.config.get("TWILIO_AUTH_TOKEN")
    signature = request.headers.get("X-Twilio-Signature")
    if not token or not signature:
        return False
    url = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + request.path
    if request.query_string:
        url += "?" + request.query_string.decode("latin-1")
    algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
    return RequestValidator(token).validate(url, request.form, signature, algorithm)


@bp.post(STATUS_CALLBACK_PATH)
@csrf.exempt
def twilio_status():
    if not _signed_by_twilio():
        abort(403)
    sid = request.form.get("MessageSid") or request.form.get("SmsSid")
    status = (request.form.get("MessageStatus") or request.form.get("SmsStatus") or "").lower()
    if sid and status:
        apply_status_report(sid, status, request.form.get("ErrorCode") or None, request.form.get("To"),
                            clock.now())
    return Response(status=204)


@bp.post(INBOUND_PATH)
@csrf.exempt
def twilio_inbound():
    """STOP / 수신거부 / 그만 opt the sender out, START opts back in. Korean numbers cannot reply
    (Twilio has no two-way SMS in Korea); this serves numbers abroad and provider opt-outs."""
    if not _signed_by_twilio():
        abort(403)
    phone = request.form.get("From", "").strip()
    keyword = opt_keyword(request.form.get("Body", ""))
    if phone and keyword == "stop":
        record_opt_out(phone, "inbound", clock.now())
    elif phone and keyword == "start":
        remove_opt_out(phone)
    db.session.commit()
    return Response(EMPTY_TWIML, mimetype="text/xml")


# --- development inbox ------------------------------------------------------------------------


def _dev_inbox_enabled() -> bool:
    return (str(current_app.config.get("SMS_BACKEND") or "log").lower() == "log"
            and current_app.config.get("ENV_NAME") != "production")


@bp.get("/dev/sms")
def dev_inbox():
    """Every queued text, one phone-like inbox per recipient (log gateway, not in production)."""
    if not _dev_inbox_enabled():
        abort(404)
    recipients = inbox.recipients()
    selected = request.args.get("to") or (recipients[0].phone if recipients else None)
    messages = inbox.messages_to(selected) if selected else []
    return render_template("notify/dev_inbox.html", recipients=recipients, selected=selected,
                           messages=messages, labels=OutboxStatus.LABELS)


# --- the resident's settings ------------------------------------------------------------------


@bp.route("/settings/sms", methods=["GET", "POST"])
@role_required(Role.RESIDENT)
def sms_settings():
    """Switch optional texts (order received, delivered) off; order-critical ones always go."""
    # An unticked checkbox sends nothing; read the posted form even when it is empty.
    form = SmsSettingsForm(formdata=request.form) if request.method == "POST" else SmsSettingsForm(obj=current_user)
    if form.validate_on_submit():
        current_user.optional_sms = form.optional_sms.data
        db.session.commit()
        flash("문자 설정을 저장했습니다.", "success")
        return redirect(url_for("notify.sms_settings"))
    return render_template("notify/settings.html", form=form, opt_in_form=ConfirmForm(),
                           opted_out=is_opted_out(current_user.phone))


@bp.post("/settings/sms/opt-in")
@role_required(Role.RESIDENT)
def sms_opt_in():
    """Take the resident's number off the opt-out list (after a STOP reply or a provider refusal)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    remove_opt_out(current_user.phone)
    db.session.commit()
    flash("문자 수신을 다시 켰습니다.", "success")
    return redirect(url_for("notify.sms_settings"))


# --- the market admin's problem list ----------------------------------------------------------


def _admin_market_id() -> int:
    if current_user.market_id is None:
        raise Forbidden("담당 시장이 지정되지 않았습니다.")
    return current_user.market_id


@bp.get("/admin/sms")
@role_required(Role.MARKET_ADMIN)
def problem_list():
    messages = problem_messages(_admin_market_id())
    return render_template("notify/admin_problems.html", messages=messages, form=ConfirmForm(),
                           labels=OutboxStatus.LABELS)


@bp.post("/admin/sms/<int:message_id>/retry")
@role_required(Role.MARKET_ADMIN)
def retry(message_id: int):
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    message = retry_message(message_id, _admin_market_id(), clock.now())
    db.session.commit()
    if message.status == OutboxStatus.UNKNOWN:
        flash("발송 여부를 Twilio에 다시 확인한 뒤, 보내지지 않았으면 다시 보냅니다.", "success")
    else:
        flash("다시 보내도록 대기열에 넣었습니다.", "success")
    return redirect(url_for("notify.problem_list"))


# --- short links in texts (every character counts in one segment) -----------------------------


def _first_endpoint(*endpoints: str) -> str | None:
    return next((e for e in endpoints if e in current_app.view_functions), None)


@bp.get("/o/<int:order_id>")
def order_link(order_id: int):
    endpoint = _first_endpoint("ordering.order_detail")
    return redirect(url_for(endpoint, order_id=order_id) if endpoint else f"/orders/{order_id}")


@bp.get("/s")
def stall_link():
    endpoint = _first_endpoint("stalls.queue")
    return redirect(url_for(endpoint) if endpoint else url_for("catalog.home"))


@bp.get("/a")
def market_admin_link():
    endpoint = _first_endpoint("admin.market_home")
    return redirect(url_for(endpoint) if endpoint else url_for("notify.problem_list"))
