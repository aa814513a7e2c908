"""`flask db upgrade` builds the whole schema on an empty SQLite file and an empty PostgreSQL
database, the migrations match the models (autogenerate finds nothing), and `downgrade base` works."""
from __future__ import annotations

import logging
import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from config import TestingConfig
from market_app import create_app
from market_app.extensions import db

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
SCRATCH_DATABASE = "jb_foundation_mig"


@pytest.fixture(autouse=True)
def keep_logging_config():
    """Alembic's env.py runs logging.fileConfig, which disables every logger that already exists
    (e.g. market_app.sms) and replaces the root handlers; put all of it back for the later tests."""
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)] + [logging.root]
    saved = [(logger, logger.disabled, logger.level, list(logger.handlers), logger.propagate) for logger in loggers]
    yield
    for logger, disabled, level, handlers, propagate in saved:
        logger.disabled, logger.level, logger.handlers, logger.propagate = disabled, level, handlers, propagate


@pytest.fixture
def scratch_postgres_url():
    """A freshly created, empty PostgreSQL database, dropped afterwards."""
    admin_url = make_url(POSTGRES_URL)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{SCRATCH_DATABASE}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{SCRATCH_DATABASE}"'))
    try:
        yield admin_url.set(database=SCRATCH_DATABASE).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{SCRATCH_DATABASE}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite"] + (["postgresql"] if POSTGRES_URL else []))
def empty_database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    return request.getfixturevalue("scratch_postgres_url")


def _flask_db(app, *args: str) -> None:
    result = app.test_cli_runner().invoke(args=["db", *args])
    assert result.exit_code == 0, result.output + repr(result.exception)


def _schema_differences(app) -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_on_empty_database_matches_the_models(empty_database_url):
    """Given an empty database, `flask db upgrade` creates every model's table and autogenerate
    finds no difference between the migrated schema and the models."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        _flask_db(app, "upgrade")

        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) | {"alembic_version"} == tables
        assert _schema_differences(app) == []
        db.engine.dispose()


def test_downgrade_to_base_removes_every_table(empty_database_url):
    """Given an upgraded database, `flask db downgrade base` leaves only alembic's own table, and
    upgrading again works."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        _flask_db(app, "upgrade")
        _flask_db(app, "downgrade", "base")

        assert set(inspect(db.engine).get_table_names()) == {"alembic_version"}
        _flask_db(app, "upgrade")
        assert set(db.metadata.tables) <= set(inspect(db.engine).get_table_names())
        db.engine.dispose()
