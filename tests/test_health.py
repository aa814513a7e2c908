"""GET /healthz: 200 while the database answers, 503 when it cannot be reached."""
from __future__ import annotations

import socket

import pytest

from config import TestingConfig
from market_app import create_app


def _closed_local_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_healthy_database_is_200(client):
    """Given a reachable database, /healthz answers 200 with status ok."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize("url", [
    "sqlite:////nonexistent-directory/for-health-check/db.sqlite3",
    f"postgresql+psycopg://postgres@127.0.0.1:{_closed_local_port()}/nothing?connect_timeout=2",
], ids=["sqlite-missing-directory", "postgresql-closed-port"])
def test_unreachable_database_is_503(url):
    """Given a database that cannot be opened or connected to, /healthz answers 503 with the error kind."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)

    response = app.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "OperationalError"}
