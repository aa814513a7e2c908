"""Configuration, every value from an environment variable (README lists them all)."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


class Config:
    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'jangbogi.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    TIMEZONE = os.environ.get("TIMEZONE", "Asia/Seoul")
    BABEL_DEFAULT_LOCALE = os.environ.get("DEFAULT_LOCALE", "ko")
    BABEL_DEFAULT_TIMEZONE = TIMEZONE
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")

    # Geography
    GEOCODER = os.environ.get("GEOCODER", "gazetteer")
    GEOCODER_URL = os.environ.get("GEOCODER_URL")
    ROAD_DETOUR_FACTOR = _float("ROAD_DETOUR_FACTOR", 1.3)

    # Scheduler: off in web workers; `flask scheduler run` or SCHEDULER_ENABLED=1 (dev) runs it.
    SCHEDULER_ENABLED = _bool("SCHEDULER_ENABLED", False)
    ROUTE_SOLVER_SECONDS = _float("ROUTE_SOLVER_SECONDS", 5.0)
    # Due waves planned at once (worker processes, PostgreSQL only); one per core by default.
    PLANNING_PROCESSES = _int("PLANNING_PROCESSES", os.cpu_count() or 1)
    ROUTE_LINK_MAX_AGE_HOURS = _int("ROUTE_LINK_MAX_AGE_HOURS", 18)

    # SMS
    SMS_BACKEND = os.environ.get("SMS_BACKEND", "log")
    SMS_MAX_ATTEMPTS = _int("SMS_MAX_ATTEMPTS", 6)
    SMS_BATCH_SIZE = _int("SMS_BATCH_SIZE", 50)
    TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID")
    TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN")
    TWILIO_FROM = os.environ.get("TWILIO_FROM")
    TWILIO_MESSAGING_SERVICE_SID = os.environ.get("TWILIO_MESSAGING_SERVICE_SID")
    TWILIO_TIMEOUT = _float("TWILIO_TIMEOUT", 10.0)
    TWILIO_API_BASE_URL = os.environ.get("TWILIO_API_BASE_URL")

    # Rate limits (Redis in production so every web worker shares the counts)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    # Reverse proxies in front of the app (nginx: 1). Their X-Forwarded-For/-Proto are trusted, so
    # rate limits count per client, not per proxy; 0 ignores the headers (they could be forged).
    PROXY_HOPS = _int("PROXY_HOPS", 0)

    WTF_CSRF_ENABLED = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    PER_PAGE = _int("PER_PAGE", 20)

    # API description (flask-smorest)
    API_TITLE = "Jangbogi API"
    API_VERSION = "1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-secret-change-me")
    SCHEDULER_ENABLED = _bool("SCHEDULER_ENABLED", True)


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    WTF_CSRF_ENABLED = False
    SCHEDULER_ENABLED = False
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    ROUTE_SOLVER_SECONDS = 1.0
    PLANNING_PROCESSES = 1
    PUBLIC_BASE_URL = "http://jangbogi.test"
    SMS_BACKEND = "log"
    GEOCODER = "gazetteer"


CONFIGS = {"production": Config, "development": DevelopmentConfig, "testing": TestingConfig}


def config_from_env() -> type[Config]:
    return CONFIGS[os.environ.get("APP_ENV", "production")]
