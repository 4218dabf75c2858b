"""Configuration read from the environment. SQLite under instance/ is the embedded default."""

import json
import os
import secrets
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("SALESFLOW_INSTANCE", BASE_DIR / "instance"))


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def normalize_database_url(url: str) -> str:
    """Accept the usual spellings of a PostgreSQL URL and point them at psycopg 3."""
    # Heroku-style URLs name the old driver; we run psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _database_url() -> str:
    return normalize_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'salesflow.db'}")
    )


def request_kinds(spec: str) -> tuple[dict[str, int] | None, dict[str, dict[str, str]]]:
    """REQUEST_KINDS from the environment: `kind=days` pairs, comma-separated, in the order the
    form lists them; a kind of your own adds its names, `site_survey=4:Site survey:现场勘查`
    (English, then Chinese). Empty: the built-in kinds. The lead times, and the names given."""
    lead: dict[str, int] = {}
    names: dict[str, dict[str, str]] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        key, _, rest = item.partition("=")
        days, *given = rest.split(":")
        key = key.strip()
        if not key.replace("_", "").isalnum() or not days.strip().isdigit():
            raise ValueError(f"REQUEST_KINDS: {item!r} is not kind=days[:English:中文]")
        lead[key] = int(days)
        if given:
            names[key] = dict(zip(("en", "zh"), (n.strip() for n in given), strict=False))
    return (lead or None), names


# The spend kinds a cap may name (salesflow/key_accounts/spend_kinds.py, checked by a test).
SPEND_CAP_KINDS = ("meal", "gift", "visit", "event", "travel", "other")


def spend_caps(spec: str) -> dict[str, Decimal]:
    """SPEND_CAPS from the environment: `kind=amount` pairs, comma-separated (`gift=500,meal=300`),
    the most one customer attendee's share of a contact's cost may be before it is flagged (never
    refused). Empty: no caps. A bad pair stops the start, naming it."""
    caps: dict[str, Decimal] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        key, sign, amount = (part.strip() for part in item.partition("="))
        try:
            cap = Decimal(amount)
        except ArithmeticError:
            cap = None
        if not sign or key not in SPEND_CAP_KINDS or cap is None or not cap.is_finite() or cap < 0:
            kinds = ", ".join(SPEND_CAP_KINDS)
            raise ValueError(f"SPEND_CAPS: {item!r} is not kind=amount (kinds: {kinds})")
        if key in caps:
            raise ValueError(f"SPEND_CAPS: {key!r} is given twice")
        caps[key] = cap
    return caps


def json_object(name: str, spec: str) -> dict:
    """A setting given as a JSON object in the environment (empty: {}); anything else stops the
    start with the setting's name."""
    if not spec.strip():
        return {}
    try:
        value = json.loads(spec)
    except ValueError as problem:
        raise ValueError(f"{name}: not JSON ({problem})") from None
    if not isinstance(value, dict):
        raise ValueError(f'{name}: a JSON object is needed, like {{"thresholds": {{"A": 0.7}}}}')
    return value


def _bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = _secret_key()
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    MAX_CONTENT_LENGTH = 50 * 1024 * 1024  # uploads (imports) up to 50 MiB
    # Imports: rows per file (beyond: split it), and from how many rows a commit or an undo runs
    # in the background with its progress shown (0: always in the request).
    IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "200000"))
    IMPORT_BACKGROUND_ROWS = int(os.environ.get("IMPORT_BACKGROUND_ROWS", "5000"))
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 12 * 3600
    FORCE_HTTPS = _bool("FORCE_HTTPS", False)
    WTF_CSRF_TIME_LIMIT = None  # a phone form left open over lunch must still submit
    LANGUAGES = ["en", "zh"]
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("SALESFLOW_TIMEZONE", "Asia/Shanghai")
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "salesflow" / "translations")
    CURRENCY = os.environ.get("SALESFLOW_CURRENCY", "CNY")
    PAGE_SIZE = 50
    API_MAX_PAGE_SIZE = 200
    API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "90"))
    # Login throttling (auth/throttle.py; in the database so it holds across gunicorn workers).
    # An e-mail (known or not) with LOGIN_MAX_FAILURES failures within LOGIN_WINDOW_MINUTES is
    # locked for clients without its device cookie: LOGIN_LOCKOUT_MINUTES, doubling with each
    # further lockout up to LOGIN_LOCKOUT_MAX_MINUTES; a success or LOGIN_LOCKOUT_RESET_HOURS
    # without failures starts again from the first delay. A browser's device cookie
    # (DEVICE_COOKIE_DAYS) has its own count instead; an address has a much higher bar.
    LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
    LOGIN_WINDOW_MINUTES = int(os.environ.get("LOGIN_WINDOW_MINUTES", "15"))
    LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "1"))
    LOGIN_LOCKOUT_MAX_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MAX_MINUTES", "60"))
    LOGIN_LOCKOUT_RESET_HOURS = int(os.environ.get("LOGIN_LOCKOUT_RESET_HOURS", "24"))
    LOGIN_MAX_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_MAX_FAILURES_PER_ADDRESS", "100"))
    DEVICE_COOKIE_DAYS = int(os.environ.get("DEVICE_COOKIE_DAYS", "365"))
    # Reverse proxies in front of the app whose X-Forwarded-For / -Proto are believed (Werkzeug's
    # ProxyFix). 0 trusts nothing: the client address is the TCP peer's.
    TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
    # Dependency analytics (PRODUCT.md, "Dependency analytics — exact definitions").
    TIE_WINDOW_DAYS = int(os.environ.get("TIE_WINDOW_DAYS", "180"))
    TIE_HALF_LIFE_DAYS = int(os.environ.get("TIE_HALF_LIFE_DAYS", "90"))
    # Daily pipeline snapshots (week-over-week movement) are kept this many days.
    PIPELINE_SNAPSHOT_DAYS = int(os.environ.get("PIPELINE_SNAPSHOT_DAYS", "56"))
    # The scheduler (`flask --app wsgi scheduler`): daily jobs at this local time (company time
    # zone), weekly ones on this day too.
    SCHEDULER_DAILY_AT = os.environ.get("SCHEDULER_DAILY_AT", "06:30")
    SCHEDULER_WEEKLY_ON = os.environ.get("SCHEDULER_WEEKLY_ON", "mon")
    # Key contacts of A-tier accounts with no contact for this many days are flagged to the AR.
    KEY_CONTACT_IDLE_DAYS = int(os.environ.get("KEY_CONTACT_IDLE_DAYS", "60"))
    # Requests between our people: each kind's minimum lead time in working days (None: the
    # defaults of salesflow/requests/kinds.py) and the names of kinds of your own (request_kinds),
    # the company's holidays (ISO dates, comma-separated in SALESFLOW_HOLIDAYS; weekends are never
    # working days), and after how many working days a decision still waiting is escalated to
    # leadership in the weekly digest.
    REQUEST_KINDS, REQUEST_KIND_NAMES = request_kinds(os.environ.get("REQUEST_KINDS", ""))
    # Key accounts' tiering: weights, thresholds and rates over the defaults of
    # salesflow/key_accounts/tiering.py, key by key (a JSON object).
    TIERING = json_object("TIERING", os.environ.get("TIERING", ""))
    # Relationship spend: the per-person cap of each spend kind (spend_caps; empty: none).
    SPEND_CAPS = spend_caps(os.environ.get("SPEND_CAPS", ""))
    COMPANY_HOLIDAYS = [
        d.strip() for d in os.environ.get("SALESFLOW_HOLIDAYS", "").split(",") if d.strip()
    ]
    DECISION_WAIT_DAYS = int(os.environ.get("DECISION_WAIT_DAYS", "2"))
    # E-mail of the digest and urgent notifications: off while SMTP_HOST is empty.
    SMTP_HOST = os.environ.get("SMTP_HOST", "")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "25"))
    SMTP_USER = os.environ.get("SMTP_USER", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    SMTP_STARTTLS = _bool("SMTP_STARTTLS", False)
    MAIL_FROM = os.environ.get("MAIL_FROM", "salesflow@localhost")
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000")  # links in e-mails
    EMAIL_EVERY_MINUTES = int(os.environ.get("EMAIL_EVERY_MINUTES", "5"))
    EMAIL_MAX_ATTEMPTS = int(os.environ.get("EMAIL_MAX_ATTEMPTS", "6"))
    # APIFlask / OpenAPI
    OPENAPI_VERSION = "3.1.0"
    SYNC_LOCAL_SPEC = False
    AUTO_404_RESPONSE = False
    DOCS_PATH = "/api/v1/docs"
    SPEC_PATH = "/api/v1/openapi.json"
    DOCS_FAVICON = None


class TestConfig(Config):
    TESTING = True
    SQLALCHEMY_DATABASE_URI = normalize_database_url(
        os.environ.get("TEST_DATABASE_URL", "sqlite://")
    )
    LOGIN_MAX_FAILURES = 5
    IMPORT_BACKGROUND_ROWS = 0  # tests share one connection: no worker threads
