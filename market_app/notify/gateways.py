"""SMS gateways: one small interface, chosen from settings by name.

``log`` writes messages to the ``market_app.sms`` logger and never touches
the network (the default). ``twilio`` sends through the official client.
A gateway only reports what happened to one attempt (``SendResult``); when to
try again, and with which delay, is decided by the caller (see
``backoff_seconds``).
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit, urlunsplit

import requests
import urllib3.exceptions
from twilio.base import values
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

logger = logging.getLogger("market_app.sms")

STATUS_CALLBACK_PATH = "/webhooks/twilio/status"
DEFAULT_TIMEOUT_SECONDS = 10.0


class SendOutcome:
    """What one send attempt means for the outbox row."""

    SENT = "sent"  # accepted by the provider
    RETRY = "retry"  # not sent; safe to try again later
    DEAD = "dead"  # will never succeed as it is
    OPTED_OUT = "opted_out"  # the recipient unsubscribed (STOP)
    UNKNOWN = "unknown"  # may have been sent; reconcile with find_sent before any resend

    ALL = frozenset({SENT, RETRY, DEAD, OPTED_OUT, UNKNOWN})


@dataclass(frozen=True)
class SendResult:
    outcome: str
    provider_id: str | None = None
    provider_status: str | None = None
    error_code: int | None = None
    error_message: str | None = None


@runtime_checkable
class SmsGateway(Protocol):
    name: str

    def send(self, to: str, body: str) -> SendResult:
        """Send ``body`` to the E.164 number ``to``; never raises for provider failures."""
        ...

    def find_sent(self, to: str, body: str, since: datetime) -> str | None:
        """The provider id of a message with this body sent to ``to`` since ``since``.

        Raises ``SmsGatewayError`` when the provider cannot be asked: "not found"
        must not be confused with "could not look", or a message goes out twice.
        """
        ...


class SmsGatewayError(RuntimeError):
    """The provider could not be asked (used by ``find_sent``)."""


class GatewayConfigError(ValueError):
    """Settings that cannot make a working gateway."""


# --- log -------------------------------------------------------------------


class LogGateway:
    """Writes each message to the log; for development and the default setup."""

    name = "log"

    def send(self, to: str, body: str) -> SendResult:
        message_id = "LOG" + uuid.uuid4().hex
        logger.info("SMS %s to %s:\n%s", message_id, to, body)
        return SendResult(SendOutcome.SENT, provider_id=message_id, provider_status="logged")

    def find_sent(self, to: str, body: str, since: datetime) -> str | None:
        # A logged message never goes out twice by accident, so there is nothing to reconcile.
        return None


# --- twilio ----------------------------------------------------------------

# Twilio error codes (https://www.twilio.com/docs/api/errors).
TOO_MANY_REQUESTS = 20429
OPTED_OUT = 21610  # "Attempt to send to unsubscribed recipient"
PERMANENT_ERRORS = frozenset(
    {
        21211,  # invalid 'To' number
        21408,  # no permission to send to this region
        21614,  # 'To' is not a mobile number
    }
)
# Twilio's clock and ours differ a little; find_sent looks this much earlier.
CLOCK_SKEW = timedelta(minutes=2)


class RedirectingHttpClient(TwilioHttpClient):
    """Sends requests meant for ``*.twilio.com`` to another base URL (tests, staging)."""

    def __init__(self, api_base_url: str | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.api_base_url = api_base_url.rstrip("/") if api_base_url else None

    def request(self, method: str, url: str, *args: object, **kwargs: object) -> Response:
        return super().request(method, self.rewrite(url), *args, **kwargs)

    def rewrite(self, url: str) -> str:
        if not self.api_base_url:
            return url
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if host != "twilio.com" and not host.endswith(".twilio.com"):
            return url
        base = urlsplit(self.api_base_url)
        path = base.path.rstrip("/") + parts.path
        return urlunsplit((base.scheme, base.netloc, path, parts.query, parts.fragment))


class TwilioGateway:
    """Programmable Messaging through the official ``twilio`` client."""

    name = "twilio"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        status_callback: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        api_base_url: str | None = None,
    ) -> None:
        if not (from_number or messaging_service_sid):
            raise GatewayConfigError("Twilio needs a sender: from_number or messaging_service_sid")
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid
        self.status_callback = status_callback
        self.http_client = RedirectingHttpClient(api_base_url=api_base_url, timeout=timeout)
        # environment={...}: credentials, edge and region come from settings, never os.environ.
        self.client = Client(
            account_sid,
            auth_token,
            http_client=self.http_client,
            environment={"TWILIO_EDGE": "", "TWILIO_REGION": ""},
        )

    def send(self, to: str, body: str) -> SendResult:
        try:
            message = self.client.messages.create(
                to=to,
                body=body,
                from_=self.from_number or values.unset,
                messaging_service_sid=self.messaging_service_sid or values.unset,
                status_callback=self.status_callback or values.unset,
            )
        except (TwilioRestException, TwilioServiceException) as exc:
            return result_for_provider_error(exc.status, exc.code, _provider_message(exc))
        except requests.RequestException as exc:
            return result_for_transport_error(exc)
        except TwilioException as exc:
            # A 2xx answer the client could not read: the message may well exist.
            return SendResult(SendOutcome.UNKNOWN, error_message=f"unreadable Twilio answer: {exc}")
        return SendResult(SendOutcome.SENT, provider_id=message.sid, provider_status=message.status)

    def find_sent(self, to: str, body: str, since: datetime) -> str | None:
        since_utc = _as_utc(since)
        earliest = since_utc - CLOCK_SKEW
        wanted = _comparable_body(body)
        try:
            # Twilio filters DateSent by GMT date only; the exact time is checked below.
            for message in self.client.messages.stream(
                to=to,
                date_sent_after=earliest.date().isoformat(),
                page_size=100,
                limit=500,
            ):
                if _comparable_body(message.body or "") != wanted:
                    continue
                if message.date_sent is not None and message.date_sent < earliest:
                    continue
                return message.sid
        except (TwilioException, requests.RequestException) as exc:
            raise SmsGatewayError(f"could not list Twilio messages to {to}: {exc!r}") from exc
        return None

    def close(self) -> None:
        if self.http_client.session is not None:
            self.http_client.session.close()


def result_for_provider_error(status: int, code: int | None, message: str) -> SendResult:
    """Classify an error answer from Twilio by HTTP status and Twilio error code."""
    if code == OPTED_OUT:
        outcome = SendOutcome.OPTED_OUT
    elif status == 429 or code == TOO_MANY_REQUESTS or status >= 500:
        outcome = SendOutcome.RETRY
    elif code in PERMANENT_ERRORS:
        outcome = SendOutcome.DEAD
    elif status == 401:
        outcome = SendOutcome.DEAD
        message = (
            "Twilio rejected the credentials; check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN "
            f"({message})"
        )
    else:
        outcome = SendOutcome.DEAD
    return SendResult(outcome, error_code=code, error_message=f"HTTP {status}: {message}")


def result_for_transport_error(exc: requests.RequestException) -> SendResult:
    """Classify a failure below HTTP: was the request possibly delivered to Twilio?"""
    detail = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, requests.ConnectTimeout):
        # No connection was made, so nothing was sent.
        return SendResult(SendOutcome.RETRY, error_message=detail)
    if isinstance(exc, requests.ConnectionError) and not _aborted_after_sending(exc):
        return SendResult(SendOutcome.RETRY, error_message=detail)
    # Read timeout, connection dropped mid-answer, broken answer: Twilio may have the message.
    return SendResult(SendOutcome.UNKNOWN, error_message=detail)


def _aborted_after_sending(exc: requests.ConnectionError) -> bool:
    """True when the connection broke after the request went out ("Connection aborted")."""
    cause = exc.args[0] if exc.args else None
    if isinstance(cause, urllib3.exceptions.MaxRetryError):
        cause = cause.reason
    return isinstance(cause, urllib3.exceptions.ProtocolError)


def _provider_message(exc: TwilioRestException | TwilioServiceException) -> str:
    if isinstance(exc, TwilioServiceException):
        return exc.detail or exc.title
    return exc.msg


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("find_sent needs a timezone-aware datetime")
    return moment.astimezone(timezone.utc)


def _comparable_body(body: str) -> str:
    return body.replace("\r\n", "\n").strip()


# --- choosing a gateway ----------------------------------------------------


def _make_log_gateway(settings: Mapping[str, object]) -> SmsGateway:
    return LogGateway()


def _make_twilio_gateway(settings: Mapping[str, object]) -> SmsGateway:
    missing = [key for key in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN") if not settings.get(key)]
    if not (settings.get("TWILIO_FROM") or settings.get("TWILIO_MESSAGING_SERVICE_SID")):
        missing.append("TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID")
    if missing:
        raise GatewayConfigError("SMS_BACKEND=twilio needs " + ", ".join(missing))
    public_base_url = str(settings.get("PUBLIC_BASE_URL") or "").rstrip("/")
    try:
        timeout = float(settings.get("TWILIO_TIMEOUT") or DEFAULT_TIMEOUT_SECONDS)
    except (TypeError, ValueError) as exc:
        raise GatewayConfigError(f"TWILIO_TIMEOUT must be a number of seconds: {exc}") from exc
    if timeout <= 0:
        raise GatewayConfigError("TWILIO_TIMEOUT must be greater than 0")
    return TwilioGateway(
        account_sid=str(settings["TWILIO_ACCOUNT_SID"]),
        auth_token=str(settings["TWILIO_AUTH_TOKEN"]),
        from_number=_str_or_none(settings.get("TWILIO_FROM")),
        messaging_service_sid=_str_or_none(settings.get("TWILIO_MESSAGING_SERVICE_SID")),
        status_callback=public_base_url + STATUS_CALLBACK_PATH if public_base_url else None,
        timeout=timeout,
        api_base_url=_str_or_none(settings.get("TWILIO_API_BASE_URL")),
    )


GATEWAYS: dict[str, Callable[[Mapping[str, object]], SmsGateway]] = {
    "log": _make_log_gateway,
    "twilio": _make_twilio_gateway,
}


def make_gateway(settings: Mapping[str, object]) -> SmsGateway:
    """The gateway named by ``SMS_BACKEND`` (default ``log``), built from ``settings``."""
    backend = str(settings.get("SMS_BACKEND") or "log").strip().lower()
    try:
        factory = GATEWAYS[backend]
    except KeyError:
        known = ", ".join(sorted(GATEWAYS))
        raise GatewayConfigError(f"unknown SMS_BACKEND {backend!r}; choose one of: {known}") from None
    return factory(settings)


def _str_or_none(value: object) -> str | None:
    return str(value) if value else None


# --- retry timing ----------------------------------------------------------

BACKOFF_BASE_SECONDS = 15.0
BACKOFF_CAP_SECONDS = 15 * 60.0


class UniformSource(Protocol):
    """``random`` itself, or a seeded ``random.Random`` in tests."""

    def uniform(self, a: float, b: float) -> float: ...


def backoff_seconds(
    attempt: int,
    rng: UniformSource = random,
    *,
    base: float = BACKOFF_BASE_SECONDS,
    cap: float = BACKOFF_CAP_SECONDS,
) -> float:
    """Delay before retry number ``attempt`` (1 = first retry): exponential, full jitter, capped.

    Full jitter (a uniform draw between 0 and the exponential bound) spreads
    the retries of many rows that failed together, e.g. on a Twilio 429.
    """
    exponent = min(max(attempt, 1) - 1, 32)  # bounded so huge attempt counts cannot overflow
    ceiling = min(cap, base * 2.0**exponent)
    return rng.uniform(0.0, ceiling)
