"""A local stand-in for Twilio's Messages API, for tests.

It serves the three Messages operations the app uses on 127.0.0.1 (a random
port), checks HTTP Basic auth and the posted fields against the Messages part
of Twilio's OpenAPI description (``twilio_messages_spec.json``), and answers
with Twilio-shaped JSON. Tests steer it with Twilio's magic test numbers and
with per-number rules (``rule``), and trigger status callbacks explicitly
(``deliver_callbacks``) so nothing happens on a timer.

Stricter than Twilio in one place on purpose: an unknown form field is
rejected (Twilio only warns with 20001), so a typo in our code fails a test.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from twilio.request_validator import RequestValidator
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from market_app.notify.sms_text import segment_count

SPEC_PATH = Path(__file__).with_name("twilio_messages_spec.json")
API_VERSION = "2010-04-01"
MESSAGES_PATH = "/2010-04-01/Accounts/{AccountSid}/Messages.json"
MESSAGE_PATH = "/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json"

DEFAULT_ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
DEFAULT_AUTH_TOKEN = "standin0auth0token0000000000000a"
# The number a Messaging Service would pick from its pool.
POOL_NUMBER = "+15005550006"
LATE_UNDELIVERED_ERROR = 30003  # "Unreachable destination handset"

# Twilio's magic "To" numbers for test credentials: (HTTP status, code, message).
MAGIC_TO_NUMBERS: dict[str, tuple[int, int, str]] = {
    "+15005550001": (400, 21211, "The 'To' number {to} is not a valid phone number."),
    "+15005550002": (400, 21612, "The 'To' phone number {to} is not currently reachable via SMS."),
    "+15005550003": (
        400,
        21408,
        "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: {to}.",
    ),
    "+15005550004": (400, 21610, "Attempt to send to unsubscribed recipient"),
    "+15005550009": (400, 21614, "'To' number {to} is not a valid mobile number"),
}

RULE_KINDS = frozenset({"429", "500", "slow", "late_undelivered"})

CallbackSink = Callable[[str, dict[str, str], dict[str, str]], None]


@dataclass
class _Rule:
    kind: str
    remaining: int | None  # None: every time
    seconds: float


class _TwilioError(Exception):
    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class _QuietRequestHandler(WSGIRequestHandler):
    """No access log lines in the test output; errors are still logged."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def _load_spec() -> dict[str, Any]:
    return json.loads(SPEC_PATH.read_text(encoding="utf-8"))


def _post_fields(spec: dict[str, Any]) -> frozenset[str]:
    operation = spec["paths"][MESSAGES_PATH]["post"]
    schema = operation["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    return frozenset(schema["properties"])


def _query_fields(spec: dict[str, Any]) -> frozenset[str]:
    operation = spec["paths"][MESSAGES_PATH]["get"]
    return frozenset(p["name"] for p in operation["parameters"] if p["in"] == "query")


class TwilioStandin:
    """``with TwilioStandin() as twilio: ... twilio.base_url ...``"""

    def __init__(
        self,
        account_sid: str = DEFAULT_ACCOUNT_SID,
        auth_token: str = DEFAULT_AUTH_TOKEN,
        *,
        callbacks_to: CallbackSink | None = None,
        clock: Callable[[], datetime] | None = None,
        slow_seconds: float = 5.0,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.callbacks_to = callbacks_to
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.slow_seconds = slow_seconds
        spec = _load_spec()
        self.post_fields = _post_fields(spec)
        self.query_fields = _query_fields(spec)
        self.messages: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.callbacks: list[dict[str, Any]] = []
        self._rules: dict[str, list[_Rule]] = {}
        self._lock = threading.Lock()
        self._release_slow = threading.Event()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._urls = Map(
            [
                Rule(
                    "/2010-04-01/Accounts/<account_sid>/Messages.json",
                    endpoint="messages",
                    methods=["GET", "POST"],
                ),
                Rule(
                    "/2010-04-01/Accounts/<account_sid>/Messages/<sid>.json",
                    endpoint="message",
                    methods=["GET"],
                ),
            ]
        )

    # --- lifecycle -----------------------------------------------------------

    def start(self) -> TwilioStandin:
        self._release_slow.clear()
        self._server = make_server(
            "127.0.0.1", 0, self._wsgi, threaded=True, request_handler=_QuietRequestHandler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # stop() waits at most this long
            name="twilio-standin",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release_slow.set()  # let "slow" handlers finish instead of holding the shutdown
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def __enter__(self) -> TwilioStandin:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the Twilio stand-in is not running; call start() first")
        return f"http://127.0.0.1:{self._server.server_port}"

    # --- steering ------------------------------------------------------------

    def rule(self, to: str, kind: str, times: int | None = 1, seconds: float | None = None) -> None:
        """Make messages to ``to`` misbehave.

        ``"429"`` / ``"500"``: the first ``times`` sends fail with that status.
        ``"slow"``: the first ``times`` sends are recorded as sent, then the
        answer waits ``seconds`` (longer than the client's timeout).
        ``"late_undelivered"``: ``deliver_callbacks`` ends with ``undelivered``.
        ``times=None`` applies the rule to every send.
        """
        if kind not in RULE_KINDS:
            raise ValueError(f"unknown rule kind {kind!r}; choose one of {sorted(RULE_KINDS)}")
        delay = self.slow_seconds if seconds is None else seconds
        with self._lock:
            self._rules.setdefault(to, []).append(_Rule(kind, times, delay))

    def deliver_callbacks(
        self,
        statuses: Iterable[str] = ("sent", "delivered"),
        sids: Iterable[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Send each pending status callback now, in message order; returns what was sent.

        A status already delivered for a message is not sent again; use
        ``send_callback`` to repeat one on purpose.
        """
        wanted = set(sids) if sids is not None else None
        sent: list[dict[str, Any]] = []
        for message in list(self.messages):
            if not message["status_callback"] or (wanted is not None and message["sid"] not in wanted):
                continue
            for status in statuses:
                if status not in message["callback_statuses"]:
                    sent.append(self.send_callback(message["sid"], status))
            late = self._take_rule(message["to"], "late_undelivered", consume=False)
            if late and "undelivered" not in message["callback_statuses"]:
                sent.append(self.send_callback(message["sid"], "undelivered", LATE_UNDELIVERED_ERROR))
        return sent

    def send_callback(self, sid: str, status: str, error_code: int | None = None) -> dict[str, Any]:
        """Send one signed status callback for message ``sid`` and set its status."""
        message = self.message(sid)
        message["status"] = status
        message["callback_statuses"].append(status)
        if error_code is not None:
            message["error_code"] = error_code
        params = {
            "AccountSid": self.account_sid,
            "ApiVersion": API_VERSION,
            "From": message["from"] or POOL_NUMBER,
            "MessageSid": sid,
            "MessageStatus": status,
            "SmsSid": sid,
            "SmsStatus": status,
            "To": message["to"],
        }
        if message["messaging_service_sid"]:
            params["MessagingServiceSid"] = message["messaging_service_sid"]
        if error_code is not None:
            params["ErrorCode"] = str(error_code)
        url = message["status_callback"]
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": "TwilioProxy/1.1",
            "X-Twilio-Signature": RequestValidator(self.auth_token).compute_signature(url, params),
        }
        record: dict[str, Any] = {"url": url, "params": params, "headers": headers, "response_status": None}
        if self.callbacks_to is not None:
            self.callbacks_to(url, params, headers)
        else:
            response = requests.post(url, data=params, headers=headers, timeout=5)
            record["response_status"] = response.status_code
        self.callbacks.append(record)
        return record

    def message(self, sid: str) -> dict[str, Any]:
        for message in self.messages:
            if message["sid"] == sid:
                return message
        raise KeyError(sid)

    # --- HTTP ----------------------------------------------------------------

    def _wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        entry: dict[str, Any] = {
            "method": request.method,
            "path": request.path,
            "query": request.args.to_dict(),
            "form": request.form.to_dict(),
            "authorized": False,
            "status": None,
        }
        with self._lock:
            self.requests.append(entry)
        try:
            endpoint, args = self._urls.bind_to_environ(environ).match()
            self._authenticate(request, args["account_sid"])
            entry["authorized"] = True
            if endpoint == "message":
                response = self._json(200, self._resource(self._message_or_404(args["sid"], request.path)))
            elif request.method == "POST":
                response = self._create(request, entry)
            else:
                response = self._list(request)
        except _TwilioError as error:
            response = self._error(error)
        except NotFound:
            response = self._error(
                _TwilioError(404, 20404, f"The requested resource {request.path} was not found")
            )
        except MethodNotAllowed:
            response = self._error(_TwilioError(405, 20004, "Method not allowed"))
        except HTTPException as exc:
            response = self._error(_TwilioError(exc.code or 400, exc.code or 400, exc.description or ""))
        entry["status"] = response.status_code
        return response(environ, start_response)

    def _authenticate(self, request: Request, path_account_sid: str) -> None:
        auth = request.authorization
        valid = (
            auth is not None
            and auth.type == "basic"
            and secrets.compare_digest(auth.username or "", self.account_sid)
            and secrets.compare_digest(auth.password or "", self.auth_token)
            and path_account_sid == self.account_sid
        )
        if not valid:
            raise _TwilioError(401, 20003, "Authenticate")

    def _create(self, request: Request, entry: dict[str, Any]) -> Response:
        form = request.form
        unknown = sorted(set(form) - self.post_fields)
        if unknown:
            raise _TwilioError(400, 20001, "Unknown parameters: " + ", ".join(unknown))
        to = form.get("To", "").strip()
        if not to:
            raise _TwilioError(400, 21604, "A 'To' phone number is required.")
        if not (form.get("From") or form.get("MessagingServiceSid")):
            raise _TwilioError(
                400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message."
            )
        body = form.get("Body", "")
        if not (body or form.get("MediaUrl") or form.get("ContentSid")):
            raise _TwilioError(400, 21602, "Message body is required.")
        if len(body) > 1600:
            raise _TwilioError(400, 21617, "The concatenated message body exceeds the 1600 character limit.")
        status_callback = form.get("StatusCallback") or None
        if status_callback and urlsplit(status_callback).scheme not in ("http", "https"):
            raise _TwilioError(400, 21609, f"Invalid StatusCallback url: {status_callback}")

        for kind, status, code, text in (
            ("429", 429, 20429, "Too Many Requests"),
            ("500", 500, 20500, "Internal Server Error"),
        ):
            if self._take_rule(to, kind):
                raise _TwilioError(status, code, text)
        if to in MAGIC_TO_NUMBERS:
            status, code, text = MAGIC_TO_NUMBERS[to]
            raise _TwilioError(status, code, text.format(to=to))

        message = self._record(form, to, body, status_callback)
        entry["message_sid"] = message["sid"]
        slow = self._take_rule(to, "slow")
        if slow is not None:
            # Recorded first: the client gives up waiting, yet the message exists.
            self._release_slow.wait(slow.seconds)
        return self._json(201, self._resource(message))

    def _record(self, form: Any, to: str, body: str, status_callback: str | None) -> dict[str, Any]:
        now = self.clock().astimezone(timezone.utc)
        message = {
            "sid": "SM" + secrets.token_hex(16),
            "to": to,
            "from": form.get("From") or None,
            "body": body,
            "messaging_service_sid": form.get("MessagingServiceSid") or None,
            "status_callback": status_callback,
            "time": now,
            # With only a Messaging Service, Twilio accepts first and picks a sender later.
            "status": "queued" if form.get("From") else "accepted",
            "error_code": None,
            "callback_statuses": [],
            "form": form.to_dict(),
        }
        with self._lock:
            self.messages.append(message)
        return message

    def _list(self, request: Request) -> Response:
        query = request.args
        unknown = sorted(set(query) - self.query_fields)
        if unknown:
            raise _TwilioError(400, 20001, "Unknown parameters: " + ", ".join(unknown))
        page_size = min(int(query.get("PageSize", 50)), 1000)
        page = int(query.get("Page", 0))
        found = [m for m in reversed(self.messages) if self._matches(m, query)]
        chunk = found[page * page_size : (page + 1) * page_size]
        path = MESSAGES_PATH.format(AccountSid=self.account_sid)
        filters = {k: v for k, v in query.items() if k not in ("Page", "PageSize", "PageToken")}

        def page_uri(number: int) -> str:
            params = {**filters, "PageSize": page_size, "Page": number}
            if number:
                params["PageToken"] = f"PASM{number}"
            return f"{path}?{urlencode(params)}"

        has_next = (page + 1) * page_size < len(found)
        return self._json(
            200,
            {
                "end": page * page_size + max(len(chunk) - 1, 0),
                "first_page_uri": page_uri(0),
                "next_page_uri": page_uri(page + 1) if has_next else None,
                "page": page,
                "page_size": page_size,
                "previous_page_uri": page_uri(page - 1) if page > 0 else None,
                "start": page * page_size,
                "uri": page_uri(page),
                "messages": [self._resource(m) for m in chunk],
            },
        )

    @staticmethod
    def _matches(message: dict[str, Any], query: Any) -> bool:
        if "To" in query and message["to"] != query["To"]:
            return False
        if "From" in query and message["from"] != query["From"]:
            return False
        # Twilio compares DateSent as GMT dates (YYYY-MM-DD); a time part is ignored.
        sent_on = message["time"].date()
        if "DateSent" in query and sent_on != _gmt_date(query["DateSent"]):
            return False
        if "DateSent>" in query and sent_on < _gmt_date(query["DateSent>"]):
            return False
        if "DateSent<" in query and sent_on > _gmt_date(query["DateSent<"]):
            return False
        return True

    def _message_or_404(self, sid: str, path: str) -> dict[str, Any]:
        try:
            return self.message(sid)
        except KeyError:
            raise _TwilioError(404, 20404, f"The requested resource {path} was not found") from None

    def _resource(self, message: dict[str, Any]) -> dict[str, Any]:
        """A message as Twilio's Message JSON."""
        stamp = format_datetime(message["time"])
        uri = MESSAGE_PATH.format(AccountSid=self.account_sid, Sid=message["sid"])
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": message["body"],
            "date_created": stamp,
            "date_sent": stamp,
            "date_updated": stamp,
            "direction": "outbound-api",
            "error_code": message["error_code"],
            "error_message": None,
            "from": message["from"],
            "messaging_service_sid": message["messaging_service_sid"],
            "num_media": "0",
            "num_segments": str(segment_count(message["body"])),
            "price": None,
            "price_unit": "USD",
            "sid": message["sid"],
            "status": message["status"],
            "subresource_uris": {
                "media": uri.replace(".json", "/Media.json"),
                "feedback": uri.replace(".json", "/Feedback.json"),
            },
            "to": message["to"],
            "uri": uri,
        }

    def _take_rule(self, to: str, kind: str, consume: bool = True) -> _Rule | None:
        with self._lock:
            for rule in self._rules.get(to, []):
                if rule.kind != kind or rule.remaining == 0:
                    continue
                if consume and rule.remaining is not None:
                    rule.remaining -= 1
                return rule
        return None

    @staticmethod
    def _json(status: int, payload: dict[str, Any]) -> Response:
        return Response(json.dumps(payload), status=status, mimetype="application/json")

    def _error(self, error: _TwilioError) -> Response:
        return self._json(
            error.status,
            {
                "code": error.code,
                "message": error.message,
                "more_info": f"https://www.twilio.com/docs/errors/{error.code}",
                "status": error.status,
            },
        )


def via_test_client(client: Any) -> CallbackSink:
    """A ``callbacks_to`` sink that posts callbacks through a Flask test client.

    The request keeps the callback URL's scheme and host, so the app sees the
    same URL that was signed.
    """

    def post(url: str, params: dict[str, str], headers: dict[str, str]) -> None:
        parts = urlsplit(url)
        client.post(
            parts.path,
            base_url=f"{parts.scheme}://{parts.netloc}",
            query_string=parts.query,
            data=params,
            headers={k: v for k, v in headers.items() if k != "Content-Type"},
        )

    return post


def _gmt_date(value: str) -> date:
    return date.fromisoformat(value[:10])
