"""Twilio webhooks: signatures checked against PUBLIC_BASE_URL, status reports only move forward
and are deduplicated, inbound STOP / 수신거부 / 그만 opt out and START opts back in."""
from __future__ import annotations

from datetime import timedelta

import pytest
from twilio.request_validator import RequestValidator

from market_app.extensions import db
from market_app.notify.models import OutboxMessage, OutboxStatus, ProviderStatusEvent, SmsOptOut
from market_app.notify.operations import DispatchSettings, dispatch_due
from tests.notify.fakes import RESIDENT_PHONE, FakeGateway, queue

TOKEN = "webhook0test0token00000000000000"
STATUS_PATH = "/webhooks/twilio/status"
INBOUND_PATH = "/webhooks/twilio/inbound"
ABROAD = "+14155550123"


@pytest.fixture
def signed_app(app):
    app.config["TWILIO_AUTH_TOKEN"] = TOKEN
    return app


def post_signed(client, app, path, params, token=TOKEN, signed_url=None):
    """POST as Twilio would: to this app, signed for the public URL Twilio was given."""
    url = signed_url or app.config["PUBLIC_BASE_URL"] + path
    signature = RequestValidator(token).compute_signature(url, params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature})


def status_params(sid, status, error_code=None):
    params = {"MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "SmsStatus": status,
              "AccountSid": "AC" + "0" * 32, "To": RESIDENT_PHONE, "From": "+15005550006", "ApiVersion": "2010-04-01"}
    if error_code:
        params["ErrorCode"] = str(error_code)
    return params


def sent_message(frozen_now, sid="SMfake0001"):
    message = queue()
    dispatch_due(FakeGateway(), frozen_now, DispatchSettings())
    db.session.expire_all()
    row = db.session.get(OutboxMessage, message.id)
    assert row.provider_id == sid
    return row


def reload(row):
    db.session.expire_all()
    return db.session.get(OutboxMessage, row.id)


def test_delivered_report_marks_the_message_delivered(signed_app, client, frozen_now):
    """Given a sent message, when Twilio reports delivered, then the row is delivered."""
    row = sent_message(frozen_now)

    response = post_signed(client, signed_app, STATUS_PATH, status_params(row.provider_id, "delivered"))

    assert response.status_code == 204
    assert (reload(row).status, reload(row).provider_status) == (OutboxStatus.DELIVERED, "delivered")


@pytest.mark.parametrize("headers", [{}, {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}])
def test_missing_or_bad_signature_is_403_and_changes_nothing(signed_app, client, frozen_now, headers):
    """Given no signature or a wrong one, then the answer is 403 and nothing is recorded."""
    row = sent_message(frozen_now)

    response = client.post(STATUS_PATH, data=status_params(row.provider_id, "delivered"), headers=headers)

    assert response.status_code == 403
    assert reload(row).status == OutboxStatus.SENT
    assert db.session.query(ProviderStatusEvent).count() == 0


def test_tampered_parameters_or_another_token_are_refused(signed_app, client, frozen_now):
    """Given a body changed after signing, or a signature made with another token, then 403."""
    row = sent_message(frozen_now)
    params = status_params(row.provider_id, "sent")
    signature = RequestValidator(TOKEN).compute_signature(signed_app.config["PUBLIC_BASE_URL"] + STATUS_PATH, params)

    tampered = client.post(STATUS_PATH, data={**params, "MessageStatus": "delivered"},
                           headers={"X-Twilio-Signature": signature})
    other_token = post_signed(client, signed_app, STATUS_PATH, status_params(row.provider_id, "delivered"),
                              token="another0token")

    assert (tampered.status_code, other_token.status_code) == (403, 403)
    assert reload(row).status == OutboxStatus.SENT


def test_signature_is_checked_against_the_public_url_not_the_internal_one(signed_app, client, frozen_now):
    """Given the app behind a proxy (it sees http://localhost), then a signature over the internal URL is
    refused and one over PUBLIC_BASE_URL is accepted."""
    row = sent_message(frozen_now)
    params = status_params(row.provider_id, "delivered")

    internal = post_signed(client, signed_app, STATUS_PATH, params, signed_url="http://localhost" + STATUS_PATH)
    public = post_signed(client, signed_app, STATUS_PATH, params)

    assert (internal.status_code, public.status_code) == (403, 204)


def test_without_an_auth_token_every_webhook_is_refused(app, client, frozen_now):
    """Given no TWILIO_AUTH_TOKEN configured, then nothing can be validated and every call is 403."""
    response = post_signed(client, app, INBOUND_PATH, {"From": ABROAD, "Body": "STOP"})

    assert response.status_code == 403
    assert db.session.query(SmsOptOut).count() == 0


def test_a_late_sent_after_delivered_is_ignored(signed_app, client, frozen_now):
    """Given delivered was reported, when a late "sent" arrives, then the row stays delivered."""
    row = sent_message(frozen_now)
    post_signed(client, signed_app, STATUS_PATH, status_params(row.provider_id, "delivered"))

    post_signed(client, signed_app, STATUS_PATH, status_params(row.provider_id, "sent"))

    assert (reload(row).status, reload(row).provider_status) == (OutboxStatus.DELIVERED, "delivered")


def test_a_repeated_report_is_recorded_once(signed_app, client, frozen_now):
    """Given the same (MessageSid, status) twice, then it is stored once and both calls answer 204."""
    row = sent_message(frozen_now)
    params = status_params(row.provider_id, "undelivered", 30003)

    answers = [post_signed(client, signed_app, STATUS_PATH, params).status_code for _ in range(2)]

    assert answers == [204, 204]
    assert db.session.query(ProviderStatusEvent).filter_by(provider_id=row.provider_id).count() == 1
    assert (reload(row).status, reload(row).error_code) == (OutboxStatus.UNDELIVERED, "30003")


def test_a_report_that_beats_the_dispatcher_is_applied_when_the_id_is_recorded(signed_app, client, frozen_now):
    """Given Twilio's callback arrives before the dispatcher recorded the sid, then the row still ends delivered."""
    post_signed(client, signed_app, STATUS_PATH, status_params("SMfake0001", "delivered"))

    row = sent_message(frozen_now)

    assert reload(row).status == OutboxStatus.DELIVERED


def test_undelivered_because_opted_out_records_the_opt_out(signed_app, client, frozen_now):
    """Given an undelivered report with 21610, then the number is on the opt-out list."""
    row = sent_message(frozen_now)

    post_signed(client, signed_app, STATUS_PATH, status_params(row.provider_id, "undelivered", 21610))

    assert db.session.query(SmsOptOut).filter_by(phone=RESIDENT_PHONE).count() == 1


@pytest.mark.parametrize("word", ["STOP", "수신거부", "그만"])
def test_inbound_stop_words_opt_the_number_out(signed_app, client, frozen_now, word):
    """Given an inbound STOP / 수신거부 / 그만, then the sender is opted out and later texts are not sent."""
    response = post_signed(client, signed_app, INBOUND_PATH, {"From": ABROAD, "To": "+15005550006", "Body": word})
    message = queue(to=ABROAD)
    gateway = FakeGateway()
    dispatch_due(gateway, frozen_now + timedelta(seconds=1), DispatchSettings())

    assert response.status_code == 200 and response.mimetype == "text/xml"
    assert b"<Response></Response>" in response.data  # no reply text
    assert gateway.sent == []
    assert reload(message).status == OutboxStatus.OPTED_OUT


def test_inbound_start_opts_back_in(signed_app, client, frozen_now):
    """Given an opted-out number, when it texts START, then it is taken off the list."""
    post_signed(client, signed_app, INBOUND_PATH, {"From": ABROAD, "Body": "STOP"})

    post_signed(client, signed_app, INBOUND_PATH, {"From": ABROAD, "Body": "START"})

    assert db.session.query(SmsOptOut).count() == 0


def test_other_inbound_text_changes_nothing(signed_app, client, frozen_now):
    """Given an ordinary reply, then nobody is opted out."""
    response = post_signed(client, signed_app, INBOUND_PATH, {"From": ABROAD, "Body": "감사합니다"})

    assert response.status_code == 200
    assert db.session.query(SmsOptOut).count() == 0
