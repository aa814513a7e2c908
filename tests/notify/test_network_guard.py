"""The network guard: tests reach only this machine."""

import socket

import pytest
import requests

from tests.support.network_guard import is_local_address


def test_connecting_to_a_public_address_fails_the_test(network_guard):
    """Given the guard, when a test connects to 8.8.8.8:53, then it fails with a clear message."""
    with pytest.raises(pytest.fail.Exception, match="network access blocked in tests: connect to"):
        socket.create_connection(("8.8.8.8", 53), timeout=1)

    assert network_guard.blocked[0][1] == "connect to ('8.8.8.8', 53)"


def test_a_client_library_cannot_swallow_the_guard():
    """Given requests wrapping socket errors, when it tries a public address, then the test still fails."""
    with pytest.raises(pytest.fail.Exception, match="network access blocked"):
        requests.get("http://93.184.215.14/", timeout=1)


def test_name_lookups_of_public_hosts_are_blocked():
    """Given the guard, when a public host name is resolved, then the lookup fails the test."""
    with pytest.raises(pytest.fail.Exception, match="DNS lookup of 'api.twilio.com'"):
        socket.getaddrinfo("api.twilio.com", 443)


def test_loopback_connections_are_allowed():
    """Given a server on 127.0.0.1, when a test connects to it, then the connection works."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            pass
        with socket.create_connection(("localhost", port), timeout=1):
            pass


def test_unix_sockets_are_allowed(tmp_path):
    """Given a unix socket server, when a test connects to it, then the connection works."""
    path = str(tmp_path / "s")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(path)
        server.listen()
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(path)


@pytest.mark.parametrize(
    ("address", "local"),
    [
        (("127.0.0.1", 80), True),
        (("127.8.9.10", 80), True),
        (("::1", 80, 0, 0), True),
        (("::ffff:127.0.0.1", 80, 0, 0), True),
        (("localhost", 80), True),
        ("/tmp/app.sock", True),
        (("10.0.0.1", 80), False),
        (("8.8.8.8", 53), False),
        (("2001:4860:4860::8888", 53, 0, 0), False),
        (("api.twilio.com", 443), False),
    ],
)
def test_only_loopback_and_unix_addresses_count_as_local(address, local):
    """Given socket addresses, then only loopback, localhost and unix paths are local."""
    assert is_local_address(address) is local
