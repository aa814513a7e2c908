"""Fixtures for SMS tests: a running Twilio stand-in, and the app's gateway pointed at one.

The network guard (tests.support.network_guard) is registered for the whole suite by the root
conftest, so these tests run under it as well.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from market_app import clock
from tests.support.twilio_standin import TwilioStandin

TWILIO_TIMEOUT = 0.5


@pytest.fixture
def twilio_standin() -> Iterator[TwilioStandin]:
    """A Twilio stand-in on 127.0.0.1, stopped after the test."""
    with TwilioStandin() as standin:
        yield standin


@pytest.fixture
def standin() -> Iterator[TwilioStandin]:
    """A stand-in on the app's (frozen) clock, so provider look-ups by time compare like Twilio's."""
    with TwilioStandin(clock=lambda: clock.now()) as standin:
        yield standin


@pytest.fixture
def twilio_gateway(app, standin):
    """The app configured with SMS_BACKEND=twilio against the stand-in; its gateway."""
    from market_app.notify.operations import current_gateway

    app.config.update(SMS_BACKEND="twilio", TWILIO_ACCOUNT_SID=standin.account_sid,
                      TWILIO_AUTH_TOKEN=standin.auth_token, TWILIO_FROM="+15005550006",
                      TWILIO_API_BASE_URL=standin.base_url, TWILIO_TIMEOUT=TWILIO_TIMEOUT)
    app.extensions.pop("sms_gateway", None)
    gateway = current_gateway()
    yield gateway
    gateway.close()
