"""Run by test_twilio_dispatch in a child process: send one outbox row through the real Twilio
gateway, then die (os._exit) before the outcome is recorded, as a killed dispatcher would.

    python -m tests.notify.crash_dispatcher DATABASE_URL TWILIO_BASE_URL NOW_ISO
"""
from __future__ import annotations

import os
import sys
from datetime import datetime

from config import TestingConfig
from market_app import create_app
from market_app.notify.operations import DispatchSettings, current_gateway, dispatch_due
from tests.support.twilio_standin import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN

KILLED_EXIT_CODE = 137


def main(database_url: str, twilio_base_url: str, now: datetime) -> None:
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, SMS_BACKEND="twilio",
                     TWILIO_ACCOUNT_SID=DEFAULT_ACCOUNT_SID, TWILIO_AUTH_TOKEN=DEFAULT_AUTH_TOKEN,
                     TWILIO_FROM="+15005550006", TWILIO_API_BASE_URL=twilio_base_url, TWILIO_TIMEOUT=2.0)
    with app.app_context():
        gateway = current_gateway()
        send = gateway.send

        def send_then_die(to: str, body: str):
            result = send(to, body)
            print(f"sent {result.provider_id}; dying before recording", flush=True)
            os._exit(KILLED_EXIT_CODE)

        gateway.send = send_then_die
        dispatch_due(gateway, now, DispatchSettings())
    sys.exit("nothing was due")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], datetime.fromisoformat(sys.argv[3]))
