"""Fixtures shared by every test: the app on SQLite and (when TEST_DATABASE_URL is set) again on
PostgreSQL, a test client, a CLI runner, a frozen `now`, and a guard against network access."""
from __future__ import annotations

import os
from datetime import datetime

import pytest
from sqlalchemy import text

from config import TestingConfig
from market_app import create_app
from market_app.clock import SEOUL
from market_app.extensions import db

pytest_plugins = ["tests.support.network_guard"]

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
DATABASES = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])

# A Tuesday before the 14:00 cut-off; tests that need another moment pass their own.
FROZEN_NOW = datetime(2026, 11, 24, 10, 0, tzinfo=SEOUL)


def _database_url(kind: str, tmp_path) -> str:
    if kind == "postgresql":
        return POSTGRES_URL
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


_postgres_schema_ready = False


def _reset_postgres(app) -> None:
    """Create the schema once per run, then empty every table between tests (much faster)."""
    global _postgres_schema_ready
    if not _postgres_schema_ready:
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.create_all()
        _postgres_schema_ready = True
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.session.commit()


@pytest.fixture(params=DATABASES)
def database_kind(request) -> str:
    return request.param


@pytest.fixture
def frozen_now(monkeypatch) -> datetime:
    """Freeze the one wall clock the app reads."""
    from market_app import clock
    monkeypatch.setattr(clock, "now", lambda: FROZEN_NOW)
    return FROZEN_NOW


@pytest.fixture
def app(database_kind, tmp_path, frozen_now):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=_database_url(database_kind, tmp_path))
    with app.app_context():
        if database_kind == "postgresql":
            _reset_postgres(app)
        else:
            db.create_all()
        yield app
        db.session.remove()
        if database_kind == "sqlite":
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def login(client):
    """Sign in through the real login form: login(user, password="secret-pass")."""
    def do_login(user, password: str = "secret-pass"):
        response = client.post("/login", data={"phone": user.phone, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response
    return do_login


def pytest_collection_modifyitems(config, items):
    """Tests marked postgres_only have nothing to prove on SQLite: with PostgreSQL configured their
    SQLite variants are deselected; without it they are skipped, saying why."""
    kept, deselected = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_sqlite = callspec is not None and callspec.params.get("database_kind") == "sqlite"
        if on_sqlite and item.get_closest_marker("postgres_only"):
            if POSTGRES_URL:
                deselected.append(item)
                continue
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set TEST_DATABASE_URL"))
        kept.append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept
