"""The real TwilioGateway and the official client against the local Twilio stand-in."""

from datetime import datetime, timedelta, timezone

import pytest
import requests
from twilio.request_validator import RequestValidator

from market_app.notify.gateways import SendOutcome, SmsGatewayError, TwilioGateway
from tests.support.twilio_standin import LATE_UNDELIVERED_ERROR, TwilioStandin, via_test_client

CALLBACK_URL = "https://jangbogi.example/webhooks/twilio/status"
SENDER = "+15005550006"
RESIDENT = "+821012345678"
TIMEOUT = 0.5  # the "slow" rule holds its answer far longer than this


def make_gateway(standin: TwilioStandin, **overrides) -> TwilioGateway:
    options = {
        "account_sid": standin.account_sid,
        "auth_token": standin.auth_token,
        "from_number": SENDER,
        "status_callback": CALLBACK_URL,
        "timeout": TIMEOUT,
        "api_base_url": standin.base_url,
    }
    options.update(overrides)
    return TwilioGateway(**options)


@pytest.fixture
def gateway(twilio_standin):
    gateway = make_gateway(twilio_standin)
    yield gateway
    gateway.close()


def test_send_records_to_from_body_and_status_callback(gateway, twilio_standin):
    """Given a resident's number, when sent, then Twilio got To/From/Body/StatusCallback; we got the sid."""
    result = gateway.send(RESIDENT, "[망원시장] 주문이 수락되었어요")

    assert result.outcome == SendOutcome.SENT
    assert result.provider_status == "queued"
    [message] = twilio_standin.messages
    assert result.provider_id == message["sid"]
    assert message["sid"].startswith("SM") and len(message["sid"]) == 34
    assert (message["to"], message["from"], message["body"]) == (RESIDENT, SENDER, "[망원시장] 주문이 수락되었어요")
    assert message["status_callback"] == CALLBACK_URL
    assert set(message["form"]) <= twilio_standin.post_fields


def test_messaging_service_sender_is_used_when_no_from_number(twilio_standin):
    """Given only a Messaging Service, when sent, then Twilio gets MessagingServiceSid and accepts it."""
    service_sid = "MG" + "a" * 32
    gateway = make_gateway(twilio_standin, from_number=None, messaging_service_sid=service_sid)

    result = gateway.send(RESIDENT, "안녕하세요")

    assert result.outcome == SendOutcome.SENT
    assert result.provider_status == "accepted"
    [message] = twilio_standin.messages
    assert message["messaging_service_sid"] == service_sid
    assert "From" not in message["form"]


@pytest.mark.parametrize(
    ("to", "outcome", "code"),
    [
        ("+15005550001", SendOutcome.DEAD, 21211),
        ("+15005550009", SendOutcome.DEAD, 21614),
        ("+15005550003", SendOutcome.DEAD, 21408),
        ("+15005550004", SendOutcome.OPTED_OUT, 21610),
    ],
)
def test_twilio_refusals_are_dead_or_opted_out(gateway, twilio_standin, to, outcome, code):
    """Given Twilio's magic test numbers, when sent, then the outcome follows the error code."""
    result = gateway.send(to, "안녕하세요")

    assert (result.outcome, result.error_code) == (outcome, code)
    assert result.error_message.startswith("HTTP 400")
    assert twilio_standin.messages == []


def test_throttled_send_is_retry_then_sent(gateway, twilio_standin):
    """Given Twilio answers 429 once, when sent twice, then retry and then sent, one message in all."""
    twilio_standin.rule(RESIDENT, "429", times=1)

    first = gateway.send(RESIDENT, "안녕하세요")
    second = gateway.send(RESIDENT, "안녕하세요")

    assert (first.outcome, first.error_code) == (SendOutcome.RETRY, 20429)
    assert second.outcome == SendOutcome.SENT
    assert len(twilio_standin.messages) == 1


def test_server_error_is_retry(gateway, twilio_standin):
    """Given Twilio answers 500, when sent, then the outcome is retry and nothing was recorded."""
    twilio_standin.rule(RESIDENT, "500", times=1)

    result = gateway.send(RESIDENT, "안녕하세요")

    assert result.outcome == SendOutcome.RETRY
    assert result.error_message.startswith("HTTP 500")
    assert twilio_standin.messages == []


def test_refused_connection_is_retry():
    """Given nothing listening at the API base URL, when sent, then the outcome is retry."""
    with TwilioStandin() as standin:
        gateway = make_gateway(standin)
    # The stand-in has stopped: its port now refuses connections.

    result = gateway.send(RESIDENT, "안녕하세요")

    assert result.outcome == SendOutcome.RETRY
    assert "ConnectionError" in result.error_message


def test_read_timeout_is_unknown_and_find_sent_finds_the_message(gateway, twilio_standin):
    """Given Twilio keeps the message but answers too late, then the send is unknown; find_sent finds it."""
    since = datetime.now(timezone.utc) - timedelta(seconds=1)
    twilio_standin.rule(RESIDENT, "slow", times=1, seconds=30)

    result = gateway.send(RESIDENT, "[망원시장] 배송 출발")

    assert result.outcome == SendOutcome.UNKNOWN
    assert "ReadTimeout" in result.error_message
    [message] = twilio_standin.messages
    assert gateway.find_sent(RESIDENT, "[망원시장] 배송 출발", since) == message["sid"]
    assert gateway.find_sent(RESIDENT, "[망원시장] 다른 문자", since) is None
    assert gateway.find_sent("+821099998888", "[망원시장] 배송 출발", since) is None
    listing = twilio_standin.requests[-1]
    assert listing["method"] == "GET" and listing["query"]["To"] == "+821099998888"
    assert "DateSent>" in listing["query"]


def test_find_sent_ignores_messages_before_since():
    """Given a message sent at 09:00 UTC, when looking from 10:00 UTC the same day, then it is not found."""
    sent_at = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
    with TwilioStandin(clock=lambda: sent_at) as standin:
        gateway = make_gateway(standin)
        gateway.send(RESIDENT, "안녕하세요")

        assert gateway.find_sent(RESIDENT, "안녕하세요", sent_at - timedelta(minutes=1)) is not None
        assert gateway.find_sent(RESIDENT, "안녕하세요", sent_at + timedelta(hours=1)) is None


def test_find_sent_raises_when_twilio_cannot_be_asked():
    """Given nothing listening, when reconciling, then an error is raised rather than 'not sent'."""
    with TwilioStandin() as standin:
        gateway = make_gateway(standin)

    with pytest.raises(SmsGatewayError, match="could not list"):
        gateway.find_sent(RESIDENT, "안녕하세요", datetime.now(timezone.utc))


def test_wrong_credentials_are_dead_with_a_clear_error(twilio_standin):
    """Given a wrong auth token, when sent, then the outcome is dead and the error says what to check."""
    gateway = make_gateway(twilio_standin, auth_token="not-the-token")

    result = gateway.send(RESIDENT, "안녕하세요")

    assert (result.outcome, result.error_code) == (SendOutcome.DEAD, 20003)
    assert "TWILIO_AUTH_TOKEN" in result.error_message
    assert twilio_standin.requests[-1]["authorized"] is False
    assert twilio_standin.messages == []


def test_standin_rejects_a_field_not_in_the_spec(twilio_standin):
    """Given a posted field the Messages spec does not know, then the stand-in answers a Twilio error."""
    url = f"{twilio_standin.base_url}/2010-04-01/Accounts/{twilio_standin.account_sid}/Messages.json"
    auth = (twilio_standin.account_sid, twilio_standin.auth_token)
    form = {"To": RESIDENT, "From": SENDER, "Body": "x", "Sender": SENDER}

    response = requests.post(url, data=form, auth=auth)

    assert response.status_code == 400
    assert response.json()["code"] == 20001
    assert "Sender" in response.json()["message"]
    assert set(response.json()) == {"code", "message", "more_info", "status"}


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"From": SENDER, "Body": "x"}, 21604),
        ({"To": RESIDENT, "Body": "x"}, 21603),
    ],
)
def test_standin_requires_to_and_a_sender(twilio_standin, form, code):
    """Given a send without To or without any sender, then the stand-in answers Twilio's error code."""
    url = f"{twilio_standin.base_url}/2010-04-01/Accounts/{twilio_standin.account_sid}/Messages.json"

    response = requests.post(url, data=form, auth=(twilio_standin.account_sid, twilio_standin.auth_token))

    assert (response.status_code, response.json()["code"]) == (400, code)


def test_status_callbacks_are_signed_and_sent_in_order(gateway, twilio_standin):
    """Given a sent message, when callbacks are delivered, then sent and delivered arrive signed."""
    received = []
    twilio_standin.callbacks_to = lambda url, params, headers: received.append((url, params, headers))
    sid = gateway.send(RESIDENT, "안녕하세요").provider_id

    twilio_standin.deliver_callbacks()
    twilio_standin.deliver_callbacks()  # already delivered: nothing is repeated

    assert [params["MessageStatus"] for _, params, _ in received] == ["sent", "delivered"]
    validator = RequestValidator(twilio_standin.auth_token)
    for url, params, headers in received:
        assert url == CALLBACK_URL
        assert params["MessageSid"] == sid and params["To"] == RESIDENT and params["From"] == SENDER
        assert params["AccountSid"] == twilio_standin.account_sid
        assert "ErrorCode" not in params
        assert validator.validate(url, params, headers["X-Twilio-Signature"])
    assert twilio_standin.message(sid)["status"] == "delivered"


def test_late_undelivered_follows_delivered(gateway, twilio_standin):
    """Given the late_undelivered rule, when callbacks are delivered, then undelivered (with a code) comes last."""
    received = []
    twilio_standin.callbacks_to = lambda url, params, headers: received.append(params)
    twilio_standin.rule(RESIDENT, "late_undelivered")
    gateway.send(RESIDENT, "안녕하세요")

    twilio_standin.deliver_callbacks()

    assert [p["MessageStatus"] for p in received] == ["sent", "delivered", "undelivered"]
    assert received[-1]["ErrorCode"] == str(LATE_UNDELIVERED_ERROR)


def test_callbacks_go_over_http_by_default(twilio_standin):
    """Given no override, when callbacks are delivered, then they are POSTed to the callback URL."""
    with TwilioStandin() as receiver:
        # A second stand-in serves only as a local HTTP endpoint that records what arrives.
        callback_url = f"{receiver.base_url}/2010-04-01/Accounts/AC1/Messages.json"
        make_gateway(twilio_standin, status_callback=callback_url).send(RESIDENT, "안녕하세요")

        [callback, *_] = twilio_standin.deliver_callbacks(statuses=("sent",))

        assert callback["response_status"] == 401  # the receiver wants Basic auth; the POST arrived
        assert receiver.requests[0]["form"]["MessageStatus"] == "sent"
        assert receiver.requests[0]["method"] == "POST"


def test_callbacks_can_be_routed_to_a_flask_test_client(gateway, twilio_standin):
    """Given a test client sink, when callbacks are delivered, then it posts path, host and signature."""

    class RecordingClient:
        def __init__(self):
            self.posts = []

        def post(self, path, **kwargs):
            self.posts.append((path, kwargs))

    client = RecordingClient()
    twilio_standin.callbacks_to = via_test_client(client)
    gateway.send(RESIDENT, "안녕하세요")

    twilio_standin.deliver_callbacks(statuses=("delivered",))

    [(path, kwargs)] = client.posts
    assert path == "/webhooks/twilio/status"
    assert kwargs["base_url"] == "https://jangbogi.example"
    assert kwargs["data"]["MessageStatus"] == "delivered"
    assert "X-Twilio-Signature" in kwargs["headers"]
