"""Pytest plugin: a test that reaches beyond this machine fails.

Only loopback addresses (127.0.0.0/8, ::1, "localhost") and unix sockets may
be connected to, so SMS, geocoding or any other provider is never called by a
test by accident. Register it once in the root conftest::

    pytest_plugins = ["tests.support.network_guard"]

The guard raises pytest's own failure exception, which derives from
``BaseException``: client libraries that turn ``OSError`` into their own
errors (``requests``, ``urllib3``) cannot swallow it. An attempt made in
another thread fails the test at teardown.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

LOCAL_HOST_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


def is_local_address(address: Any) -> bool:
    """True for loopback IP addresses, local host names and unix socket paths."""
    if isinstance(address, (str, bytes)):  # AF_UNIX path (or abstract name)
        return True
    if not isinstance(address, tuple) or not address:
        return False
    host = address[0]
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    return is_local_host(str(host))


def is_local_host(host: str) -> bool:
    host = host.strip("[]").split("%", 1)[0].lower()
    if host in LOCAL_HOST_NAMES:
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


@dataclass
class NetworkGuard:
    """What the guard blocked during one test."""

    main_thread: threading.Thread
    blocked: list[tuple[str, str]] = field(default_factory=list)  # (thread name, target)

    def refuse(self, target: str) -> None:
        current = threading.current_thread()
        self.blocked.append((current.name, target))
        pytest.fail(
            f"network access blocked in tests: {target}. Tests may only reach 127.0.0.1, ::1, "
            "localhost or unix sockets; use a local stand-in (e.g. tests.support.twilio_standin).",
            pytrace=True,
        )

    def blocked_in_other_threads(self) -> list[tuple[str, str]]:
        return [entry for entry in self.blocked if entry[0] != self.main_thread.name]


@pytest.fixture(autouse=True)
def network_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[NetworkGuard]:
    """Autouse: any connection or name lookup beyond this machine fails the test."""
    guard = NetworkGuard(main_thread=threading.current_thread())
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex
    original_getaddrinfo = socket.getaddrinfo

    def guarded_connect(sock: socket.socket, address: Any) -> Any:
        if not is_local_address(address):
            guard.refuse(f"connect to {address!r}")
        return original_connect(sock, address)

    def guarded_connect_ex(sock: socket.socket, address: Any) -> Any:
        if not is_local_address(address):
            guard.refuse(f"connect_ex to {address!r}")
        return original_connect_ex(sock, address)

    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        # A name lookup is already network traffic (DNS); IP literals need none.
        if host:  # None or "" means this machine (e.g. binding a server)
            name = host.decode("ascii", "replace") if isinstance(host, bytes) else str(host)
            if not is_local_host(name) and not _is_ip_literal(name):
                guard.refuse(f"DNS lookup of {name!r}")
        return original_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    yield guard
    stray = guard.blocked_in_other_threads()
    if stray:
        details = "; ".join(f"{target} (thread {name})" for name, target in stray)
        pytest.fail(f"network access blocked in a background thread: {details}", pytrace=False)


def _is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    return True
