"""Gateway rules without a network: choice by settings, error classification, backoff."""

import logging
import random
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import requests
import urllib3.exceptions

from market_app.notify.gateways import (
    BACKOFF_CAP_SECONDS,
    GatewayConfigError,
    LogGateway,
    RedirectingHttpClient,
    SendOutcome,
    SmsGateway,
    TwilioGateway,
    backoff_seconds,
    make_gateway,
    result_for_provider_error,
    result_for_transport_error,
)

SEOUL = ZoneInfo("Asia/Seoul")

TWILIO_SETTINGS = {
    "SMS_BACKEND": "twilio",
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_AUTH_TOKEN": "token",
    "TWILIO_FROM": "+15005550006",
    "PUBLIC_BASE_URL": "https://jangbogi.example/",
}


def test_log_is_the_default_gateway():
    """Given no SMS_BACKEND, when a gateway is made, then it is the log gateway."""
    gateway = make_gateway({})

    assert isinstance(gateway, LogGateway)
    assert isinstance(gateway, SmsGateway)


def test_log_gateway_logs_and_reports_sent(caplog):
    """Given the log gateway, when sending, then the text is logged and the result is sent with a LOG id."""
    caplog.set_level(logging.INFO, logger="market_app.sms")

    result = LogGateway().send("+821012345678", "주문이 수락되었습니다")

    assert result.outcome == SendOutcome.SENT
    assert result.provider_id.startswith("LOG")
    assert "주문이 수락되었습니다" in caplog.text
    assert LogGateway().find_sent("+821012345678", "x", datetime(2026, 1, 1, tzinfo=SEOUL)) is None


def test_twilio_gateway_is_built_from_settings():
    """Given Twilio settings, when a gateway is made, then sender, callback and timeout come from them."""
    gateway = make_gateway({**TWILIO_SETTINGS, "TWILIO_TIMEOUT": "4.5"})

    assert isinstance(gateway, TwilioGateway)
    assert gateway.from_number == "+15005550006"
    assert gateway.status_callback == "https://jangbogi.example/webhooks/twilio/status"
    assert gateway.http_client.timeout == 4.5
    assert gateway.http_client.api_base_url is None


@pytest.mark.parametrize(
    ("drop", "named"),
    [
        ("TWILIO_ACCOUNT_SID", "TWILIO_ACCOUNT_SID"),
        ("TWILIO_AUTH_TOKEN", "TWILIO_AUTH_TOKEN"),
        ("TWILIO_FROM", "TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID"),
    ],
)
def test_missing_twilio_settings_are_named(drop, named):
    """Given Twilio chosen but a setting missing, when a gateway is made, then the error names it."""
    settings = {k: v for k, v in TWILIO_SETTINGS.items() if k != drop}

    with pytest.raises(GatewayConfigError, match=named):
        make_gateway(settings)


def test_unknown_backend_is_refused():
    """Given an unknown SMS_BACKEND, when a gateway is made, then the error lists the known names."""
    with pytest.raises(GatewayConfigError, match="log, twilio"):
        make_gateway({"SMS_BACKEND": "carrier-pigeon"})


def test_redirect_rewrites_only_twilio_hosts():
    """Given an API base URL, then *.twilio.com requests go there and other hosts are untouched."""
    client = RedirectingHttpClient(api_base_url="http://127.0.0.1:8123/")

    assert (
        client.rewrite("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?To=%2B82")
        == "http://127.0.0.1:8123/2010-04-01/Accounts/AC1/Messages.json?To=%2B82"
    )
    assert client.rewrite("https://messaging.twilio.com/v1/Services") == "http://127.0.0.1:8123/v1/Services"
    assert client.rewrite("https://example.com/x") == "https://example.com/x"
    assert RedirectingHttpClient().rewrite("https://api.twilio.com/x") == "https://api.twilio.com/x"


@pytest.mark.parametrize(
    ("status", "code", "outcome"),
    [
        (429, 20429, SendOutcome.RETRY),
        (429, None, SendOutcome.RETRY),
        (500, 20500, SendOutcome.RETRY),
        (503, None, SendOutcome.RETRY),
        (400, 21211, SendOutcome.DEAD),
        (400, 21614, SendOutcome.DEAD),
        (400, 21408, SendOutcome.DEAD),
        (400, 21610, SendOutcome.OPTED_OUT),
        (400, 21617, SendOutcome.DEAD),
        (401, 20003, SendOutcome.DEAD),
        (404, 20404, SendOutcome.DEAD),
    ],
)
def test_provider_errors_are_classified(status, code, outcome):
    """Given a Twilio error answer, when classified, then throttling and 5xx retry and 4xx do not."""
    result = result_for_provider_error(status, code, "message")

    assert result.outcome == outcome
    assert result.error_code == code


def test_transport_errors_tell_never_sent_from_maybe_sent():
    """Given failures below HTTP, then only those before the request went out are retryable."""
    refused = requests.ConnectionError(
        urllib3.exceptions.MaxRetryError(None, "/", urllib3.exceptions.NewConnectionError(None, "refused"))
    )
    aborted = requests.ConnectionError(
        urllib3.exceptions.ProtocolError("Connection aborted.", ConnectionResetError())
    )

    assert result_for_transport_error(refused).outcome == SendOutcome.RETRY
    assert result_for_transport_error(requests.ConnectTimeout()).outcome == SendOutcome.RETRY
    assert result_for_transport_error(requests.ReadTimeout()).outcome == SendOutcome.UNKNOWN
    assert result_for_transport_error(aborted).outcome == SendOutcome.UNKNOWN


def test_backoff_grows_exponentially_under_full_jitter():
    """Given an rng that always draws its upper bound, then delays double per attempt up to the cap."""

    class UpperBound:
        def uniform(self, low, high):
            return high

    delays = [backoff_seconds(attempt, UpperBound()) for attempt in (1, 2, 3, 4, 20, 10_000)]

    assert delays[:4] == [15.0, 30.0, 60.0, 120.0]
    assert delays[4:] == [BACKOFF_CAP_SECONDS, BACKOFF_CAP_SECONDS]


def test_backoff_draws_between_zero_and_the_bound():
    """Given a seeded rng, when many delays are drawn, then all lie in [0, bound] and they vary."""
    rng = random.Random(7)

    delays = [backoff_seconds(3, rng) for _ in range(200)]

    assert all(0.0 <= delay <= 60.0 for delay in delays)
    assert len(set(delays)) > 100
