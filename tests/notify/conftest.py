"""Fixtures for SMS tests: a running Twilio stand-in.

The network guard (tests.support.network_guard) is registered for the whole
suite by the root conftest, so these tests run under it as well.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.twilio_standin import TwilioStandin


@pytest.fixture
def twilio_standin() -> Iterator[TwilioStandin]:
    """A Twilio stand-in on 127.0.0.1, stopped after the test."""
    with TwilioStandin() as standin:
        yield standin
