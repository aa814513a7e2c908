"""Jangbogi: online grocery ordering for Seoul's traditional markets."""
from __future__ import annotations

import logging
import os

from typing import TYPE_CHECKING

from flask import Flask

if TYPE_CHECKING:
    from config import Config


def create_app(config: type[Config] | None = None, **overrides) -> Flask:
    # Imported here: `market_app` is also loaded as a Flask CLI plugin before the project
    # directory is on sys.path (see pyproject.toml).
    from config import config_from_env

    app = Flask(__name__, template_folder="../templates", instance_relative_config=True)
    from .input_bounds import BoundedIntConverter
    app.url_map.converters["int"] = BoundedIntConverter  # before any route is added
    app.config.from_object(config or config_from_env())
    app.config.update(overrides)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is not set; production needs a long random SECRET_KEY")
    os.makedirs(app.instance_path, exist_ok=True)
    if app.config.get("PROXY_HOPS"):
        from werkzeug.middleware.proxy_fix import ProxyFix
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    app.json.ensure_ascii = False  # Korean stays readable in API responses
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("market_app").setLevel(os.environ.get("LOG_LEVEL", "INFO"))

    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    _register_template_helpers(app)

    from . import jobs
    jobs.init_app(app)
    return app


def _init_extensions(app: Flask) -> None:
    from .extensions import api, babel, csrf, db, limiter, login_manager, migrate
    from . import models  # noqa: F401  every model registered before Alembic looks

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "..", "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "로그인이 필요합니다."
    csrf.init_app(app)
    babel.init_app(app)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
    api.init_app(app)

    from .accounts.operations import load_user
    login_manager.user_loader(load_user)


def _register_blueprints(app: Flask) -> None:
    """One web blueprint per domain; API parts go through flask-smorest for the OpenAPI description."""
    from .extensions import api, csrf
    from .api_errors import register_api_errors
    from .health import bp as health_bp
    from .accounts.views import bp as accounts_bp
    from .catalog.views import bp as catalog_bp
    from .notify.views import bp as notify_bp
    from .catalog.api import blp as catalog_api
    from .delivery.views import bp as delivery_bp
    from .delivery.api import blp as delivery_api
    from .admin.views import bp as admin_bp
    from .ordering.views import bp as ordering_bp
    from .stalls.views import bp as stalls_bp
    from .ordering.api import blp as ordering_api
    from .stalls.api import blp as stalls_api
    from .accounts.api import blp as accounts_api

    app.register_blueprint(health_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(catalog_bp)
    app.register_blueprint(delivery_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(notify_bp)
    app.register_blueprint(ordering_bp)
    app.register_blueprint(stalls_bp)
    for api_blueprint in (catalog_api, accounts_api, ordering_api, stalls_api, delivery_api):
        api.register_blueprint(api_blueprint)
        csrf.exempt(api_blueprint)  # the API authenticates with bearer tokens, not cookies
    register_api_errors(app)


def _register_cli(app: Flask) -> None:
    from .cli import register_cli
    register_cli(app)


def _register_template_helpers(app: Flask) -> None:
    from .templating import register_template_helpers
    register_template_helpers(app)
