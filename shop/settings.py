"""Settings, all from environment variables.

Without any variable the shop runs embedded: SQLite file, local-memory cache,
tasks run in-process, e-mail to the console. With ``DEBUG`` off it refuses the
insecure development defaults instead of silently using them.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from stdnum.es import nif
from stdnum.exceptions import ValidationError as InvalidNif

from shop.storage import s3_storages

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, got {value!r}.")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    try:
        return int(value) if value else default
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}.") from exc


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    try:
        return float(value) if value else default
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, got {value!r}.") from exc


def env_required(name: str, demo: str) -> str:
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if not DEBUG:
        raise ImproperlyConfigured(f"{name} must be set when DEBUG is off.")
    return demo


def checked_text(name: str, value: str, max_length: int) -> str:
    if not 1 <= len(value) <= max_length:
        raise ImproperlyConfigured(
            f"{name} must be 1 to {max_length} characters, got {len(value)}."
        )
    return value


def checked_nif(name: str, value: str) -> str:
    try:
        return str(nif.validate(value))
    except InvalidNif as exc:
        raise ImproperlyConfigured(
            f"{name} must be a Spanish NIF with its check character, got {value!r}."
        ) from exc


def package_version() -> str:
    try:
        return version("water-shop")
    except PackageNotFoundError as exc:
        raise ImproperlyConfigured(
            "Install the shop (make install) or set VERIFACTU_SIF_VERSION."
        ) from exc


DEBUG = env_bool("DEBUG", False)

_DEV_SECRET_KEY = "development-only-insecure-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _DEV_SECRET_KEY
if not DEBUG and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY must be a random string of 50 characters or more.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")

INSTALLED_APPS = [
    # First, so its templates (admin/base_site.html: the narrow-screen styles) win
    # over django.contrib.admin's own, which ShopAdminConfig stands for.
    "admin_ui",
    "admin_ui.apps.ShopAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "corsheaders",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "import_export",
    "strawberry_django",
    "shop",
    "shop.accounts",
    "shop.content",
    "shop.outbox",
    "catalog",
    "orders",
    "billing_bridge",
    "invoicing",
    "discounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside whitenoise and the X-Frame-Options middleware, so it sees every response.
    "shop.framing.PortalFramingMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "shop.urls"
WSGI_APPLICATION = "shop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # A worker keeps its connection between requests: a new one costs the
        # connect and re-plans every statement (1-2 ms on the first ones); the
        # health check replaces a connection the server dropped.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's default random_page_cost (4) models spinning disks and makes it
    # scan the whole product table for common search words instead of using the
    # GIN index; 1.1 is the usual figure for SSDs (search p50 ~100 -> ~35 ms at
    # 100,000 products). Set PG_RANDOM_PAGE_COST="" to keep the server's own.
    _page_cost = os.environ.get("PG_RANDOM_PAGE_COST", "1.1")
    if _page_cost:
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
            f"-c random_page_cost={float(_page_cost)}"
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Staff sign in to the admin with a second factor (TOTP or a recovery code) after
# the password: every staff role, whenever this is on (by default without DEBUG).
ADMIN_REQUIRE_2FA = env_bool("ADMIN_REQUIRE_2FA", not DEBUG)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Tienda del Agua")
# How long an account deletion link stays valid (seconds).
ACCOUNT_DELETION_TIMEOUT = env_int("ACCOUNT_DELETION_TIMEOUT", 3600)
# Years a deleted account's orders keep their remaining personal data, counted
# from the end of the order's year (Código de Comercio art. 30; see
# shop.accounts.retention for why not the 4 years of the Ley General Tributaria).
SHOP_ORDER_RETENTION_YEARS = env_int("SHOP_ORDER_RETENTION_YEARS", 6)
AUTHENTICATION_BACKENDS = ["shop.accounts.backends.ThrottledModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
# The catalogues: locale/ in a checkout, shop/locale/ in an installed wheel
# (pyproject.toml ships them there).
_WHEEL_LOCALE = Path(__file__).resolve().parent / "locale"
LOCALE_PATHS = [_WHEEL_LOCALE if _WHEEL_LOCALE.is_dir() else BASE_DIR / "locale"]
TIME_ZONE = "Europe/Madrid"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
# gunicorn serves the admin's and storefront's static files itself (whitenoise):
# no CDN and no separate file server needed. No manifest: vendored files keep
# their references to source maps that are not shipped.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# Files only their owners and staff may see (claim photos): never under MEDIA_URL.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "var" / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Several instances share media through an S3-compatible bucket (shop.storage
# lists the S3_* variables); one instance may keep them on its own disk.
if os.environ.get("S3_BUCKET", "").strip():
    STORAGES.update(s3_storages(os.environ))
# With media on disk, the shop serves MEDIA_URL itself (shop.media) unless told
# that nginx or a CDN does (SERVE_MEDIA=0).
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)

REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "watershop"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            # Room for cached GraphQL responses besides throttling counters.
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }

# Celery: with no broker configured, tasks run eagerly in the calling process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # After-commit work (e-mails...) waiting for the broker or for a retry (shop.outbox).
    "relay-outbox": {
        "task": "shop.outbox.tasks.outbox_relay_due",
        "schedule": 30.0,
        "options": {"expires": 30.0},
    },
    "release-expired-reservations": {
        "task": "orders.tasks.reservations_release_expired",
        "schedule": 60.0,
    },
    # Payments no order will use whose give-back the provider did not answer.
    "retry-payment-give-backs": {
        "task": "orders.tasks.payments_give_back_retry_due",
        "schedule": 300.0,
        "options": {"expires": 300.0},
    },
    # Bills are cut off at the end of the day: export what is due every night.
    "export-due-bill-charges": {
        "task": "billing_bridge.tasks.bill_cycle_export_due",
        "schedule": crontab(hour=23, minute=30),
    },
    # Before it, the mirror learns from the billing system which contracts ended.
    "refresh-supply-contracts": {
        "task": "billing_bridge.tasks.contracts_refresh_all",
        "schedule": crontab(hour=22, minute=0),
    },
    # Deleted accounts' orders past retention lose what personal data they kept.
    "erase-orders-past-retention": {
        "task": "shop.accounts.tasks.orders_retention_erase_due",
        "schedule": crontab(hour=3, minute=15),
    },
    # VERI*FACTU: send the pending records (the service honours the AEAT's wait).
    "submit-verifactu-records": {
        "task": "invoicing.tasks.verifactu_submit_pending",
        "schedule": 60.0,
        "options": {"expires": 60.0},
    },
}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tienda@aguas.example")

# Security. Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER_ENABLED.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
if env_bool("SECURE_PROXY_SSL_HEADER_ENABLED", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# How many reverse proxies append to X-Forwarded-For in front of the shop (see shop.http).
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)

# The customer portal that embeds the shop (shop.accounts.portal, shop.framing).
# Its origins (scheme://host[:port]) may call the API cross-origin and frame the
# storefront. Its signed tokens are checked with RS256 and the keys its JWKS
# publishes, or with HS256 and a shared secret: set one of the two, and the issuer.
# Without either, portal sign-in is off -- except with DEBUG, where the demo
# portal (/portal-demo/, ``manage.py portal_token``) signs with a demo secret.
PORTAL_ORIGINS = env_list("PORTAL_ORIGINS")
for _origin in PORTAL_ORIGINS:
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?", _origin):
        raise ImproperlyConfigured(
            f"PORTAL_ORIGINS takes origins such as https://oficina.example, got {_origin!r}."
        )
PORTAL_JWKS_URL = os.environ.get("PORTAL_JWKS_URL", "")
PORTAL_JWT_SECRET = os.environ.get("PORTAL_JWT_SECRET", "")
PORTAL_JWT_ISSUER = os.environ.get("PORTAL_JWT_ISSUER", "")
PORTAL_JWT_AUDIENCE = os.environ.get("PORTAL_JWT_AUDIENCE", "water-shop")
if DEBUG and not PORTAL_JWKS_URL and not PORTAL_JWT_SECRET:
    PORTAL_JWT_SECRET = "demo-portal-secret-for-development-only"  # noqa: S105
    PORTAL_JWT_ISSUER = PORTAL_JWT_ISSUER or "oficina-virtual-demo"
if PORTAL_JWKS_URL and PORTAL_JWT_SECRET:
    raise ImproperlyConfigured(
        "Set PORTAL_JWKS_URL (RS256) or PORTAL_JWT_SECRET (HS256), not both."
    )
if (PORTAL_JWKS_URL or PORTAL_JWT_SECRET) and not PORTAL_JWT_ISSUER:
    raise ImproperlyConfigured("PORTAL_JWT_ISSUER must be set to enable portal sign-in.")
if PORTAL_JWT_SECRET and len(PORTAL_JWT_SECRET) < 32:
    raise ImproperlyConfigured("PORTAL_JWT_SECRET must be 32 characters or more.")
if PORTAL_JWKS_URL and not DEBUG and not PORTAL_JWKS_URL.startswith("https://"):
    raise ImproperlyConfigured("PORTAL_JWKS_URL must be an https:// URL when DEBUG is off.")
# Seconds: the longest a portal token may live (exp - iat), the clock skew
# forgiven, and the least time between two JWKS fetches forced by an unknown key id.
PORTAL_JWT_MAX_LIFETIME = env_int("PORTAL_JWT_MAX_LIFETIME", 300)
PORTAL_JWT_LEEWAY = env_int("PORTAL_JWT_LEEWAY", 30)
PORTAL_JWKS_COOLDOWN = env_int("PORTAL_JWKS_COOLDOWN", 30)
# CORS for the portal's origins, on the API only. Bearer tokens, no cookies:
# credentials stay off, so no browser ever sends the shop's cookies cross-origin.
CORS_ALLOWED_ORIGINS = PORTAL_ORIGINS
CORS_URLS_REGEX = r"^/graphql/$"
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ("OPTIONS", "POST")
CORS_ALLOW_HEADERS = ("accept", "accept-language", "authorization", "content-type")

# Stripe (used by the card payment work); without keys the card route is off.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
STRIPE_TIMEOUT_SECONDS = env_int("STRIPE_TIMEOUT_SECONDS", 20)
STRIPE_MAX_NETWORK_RETRIES = env_int("STRIPE_MAX_NETWORK_RETRIES", 2)

# Shop API.
SHOP_NAME = os.environ.get("SHOP_NAME", "Tienda del Agua")
SHOP_CURRENCY = "EUR"
# Where shoppers see their order; the guest link in e-mails appends the order token.
SHOP_STOREFRONT_URL = os.environ.get("SHOP_STOREFRONT_URL", "http://127.0.0.1:8000/storefront/")
# Files attached to the order e-mails: dotted paths of callables (order, kind) ->
# [(filename, content, mimetype)] (see orders.emails), so another app (invoicing:
# the invoice's PDF) adds its files without the orders app importing it.
ORDER_EMAIL_ATTACHMENTS: list[str] = ["invoicing.emails.order_email_attachments"]

# Checkout and payments. Payment methods: alias -> dotted path of a
# ``orders.payments.base.PaymentMethod``. Without Stripe keys, the development
# card method (no money moves; refused with DEBUG off) stands in for the demo.
SHOP_PAYMENT_METHODS: dict[str, str] = {
    "card": (
        "orders.payments.card.StripeCardPaymentMethod"
        if STRIPE_SECRET_KEY
        else "orders.payments.memory.DevelopmentCardPaymentMethod"
    ),
    "water_bill": "billing_bridge.payment.WaterBillPaymentMethod",
}
# Who issues invoices, told by the order services inside their transactions: the
# dotted path of an ``orders.invoicer.Invoicer`` (see there).
SHOP_INVOICER = "invoicing.services.ShopInvoicer"
SHOP_RESERVATION_MINUTES = env_int("SHOP_RESERVATION_MINUTES", 15)
# Giving back a payment no order will use: how many failed attempts (the provider
# not answering) before the retry task stops and leaves it to staff.
SHOP_GIVE_BACK_ATTEMPTS = env_int("SHOP_GIVE_BACK_ATTEMPTS", 8)
SHOP_MAX_LINE_QUANTITY = env_int("SHOP_MAX_LINE_QUANTITY", 50)
SHOP_MAX_CHECKOUT_LINES = env_int("SHOP_MAX_CHECKOUT_LINES", 50)
# The admin dashboard lists tracked variants with fewer free units than this.
SHOP_LOW_STOCK_THRESHOLD = env_int("SHOP_LOW_STOCK_THRESHOLD", 5)
# Claims: how long after shipping an order can be claimed; photos per message, size.
SHOP_CLAIM_WINDOW_DAYS = env_int("SHOP_CLAIM_WINDOW_DAYS", 30)
SHOP_CLAIM_MAX_PHOTOS = env_int("SHOP_CLAIM_MAX_PHOTOS", 5)
SHOP_CLAIM_MAX_PHOTO_BYTES = env_int("SHOP_CLAIM_MAX_PHOTO_BYTES", 5 * 1024 * 1024)
# Water-bill exchange with the billing system: adapter (dotted path of a
# ``billing_bridge.exchange.base.BillingExchange``) and the directory of batch files.
# With DEBUG (the demo) the billing-system simulator stands in, its contracts kept
# in BILLING_SIMULATOR_STATE (default: simulator.json in the exchange directory).
BILLING_EXCHANGE_DIR = Path(os.environ.get("BILLING_EXCHANGE_DIR", BASE_DIR / "var" / "billing"))
BILLING_SIMULATOR_STATE = os.environ.get("BILLING_SIMULATOR_STATE", "")
BILLING_EXCHANGE_ADAPTER = os.environ.get(
    "BILLING_EXCHANGE_ADAPTER",
    "billing_bridge.exchange.simulator.BillingSimulator"
    if DEBUG
    else "billing_bridge.exchange.file.FileExchange",
)
# The ``http`` adapter (billing_bridge.exchange.http): the billing system's REST
# API, requests signed with the shared secret, retried on timeouts, 429 and 5xx.
BILLING_HTTP_URL = os.environ.get("BILLING_HTTP_URL", "")
BILLING_HTTP_KEY_ID = os.environ.get("BILLING_HTTP_KEY_ID", "")
BILLING_HTTP_SECRET = os.environ.get("BILLING_HTTP_SECRET", "")
BILLING_HTTP_TIMEOUT = env_float("BILLING_HTTP_TIMEOUT", 10)  # seconds
BILLING_HTTP_ATTEMPTS = env_int("BILLING_HTTP_ATTEMPTS", 4)
BILLING_HTTP_BACKOFF = env_float("BILLING_HTTP_BACKOFF", 0.5)  # doubles each retry
# Answers name contract holders; requests carry the shop's signature.
if BILLING_HTTP_URL and not DEBUG and not BILLING_HTTP_URL.startswith("https://"):
    raise ImproperlyConfigured("BILLING_HTTP_URL must be an https:// URL when DEBUG is off.")
# Invoicing and VERI*FACTU (invoicing/). Who issues the invoices and which SIF
# generates their records go into every record and QR code: with DEBUG off the
# issuer and the AEAT environment must be set, and everything is checked here. The
# demo has a made-up issuer that develops its own SIF and speaks to the AEAT's test
# environment. The SIF's producer defaults to the issuer (software made in-house).
INVOICE_ISSUER_NIF = checked_nif(
    "INVOICE_ISSUER_NIF", env_required("INVOICE_ISSUER_NIF", "A99999997")
)
INVOICE_ISSUER_NAME = checked_text(
    "INVOICE_ISSUER_NAME", env_required("INVOICE_ISSUER_NAME", "Aguas de la Tienda Demo, S.A."), 120
)
# The issuer's fiscal address, printed on every invoice (art. 6.1.e RD 1619/2012):
# its lines separated by ";" ("Calle Torneo 121; 41002 Sevilla").
INVOICE_ISSUER_ADDRESS = [
    line.strip()
    for line in env_required("INVOICE_ISSUER_ADDRESS", "Calle Torneo 121; 41002 Sevilla").split(";")
    if line.strip()
]
# How long a signed link to an invoice's PDF (invoicing.selectors.invoice_pdf_url) works.
INVOICE_PDF_LINK_SECONDS = env_int("INVOICE_PDF_LINK_SECONDS", 3600)
VERIFACTU_ENVIRONMENT = env_required("VERIFACTU_ENVIRONMENT", "test")
if VERIFACTU_ENVIRONMENT not in {"test", "production"}:
    raise ImproperlyConfigured(
        f"VERIFACTU_ENVIRONMENT must be 'test' or 'production', got {VERIFACTU_ENVIRONMENT!r}."
    )
VERIFACTU_SIF_VENDOR_NIF = checked_nif(
    "VERIFACTU_SIF_VENDOR_NIF", os.environ.get("VERIFACTU_SIF_VENDOR_NIF") or INVOICE_ISSUER_NIF
)
VERIFACTU_SIF_VENDOR_NAME = checked_text(
    "VERIFACTU_SIF_VENDOR_NAME",
    os.environ.get("VERIFACTU_SIF_VENDOR_NAME") or INVOICE_ISSUER_NAME,
    120,
)
# NombreSistemaInformatico, IdSistemaInformatico, Version, NumeroInstalacion.
VERIFACTU_SIF_NAME = checked_text(
    "VERIFACTU_SIF_NAME", os.environ.get("VERIFACTU_SIF_NAME") or "Tienda del Agua", 30
)
VERIFACTU_SIF_ID = checked_text("VERIFACTU_SIF_ID", os.environ.get("VERIFACTU_SIF_ID") or "TA", 2)
VERIFACTU_SIF_VERSION = checked_text(
    "VERIFACTU_SIF_VERSION", os.environ.get("VERIFACTU_SIF_VERSION") or package_version(), 50
)
VERIFACTU_SIF_INSTALLATION_NUMBER = checked_text(
    "VERIFACTU_SIF_INSTALLATION_NUMBER",
    os.environ.get("VERIFACTU_SIF_INSTALLATION_NUMBER") or "1",
    100,
)
# TipoUsoPosibleSoloVerifactu, TipoUsoPosibleMultiOT, IndicadorMultiplesOT.
VERIFACTU_SIF_ONLY_VERIFACTU = env_bool("VERIFACTU_SIF_ONLY_VERIFACTU", True)
VERIFACTU_SIF_MULTI_TAXPAYER = env_bool("VERIFACTU_SIF_MULTI_TAXPAYER", False)
VERIFACTU_SIF_MULTIPLE_TAXPAYERS = env_bool("VERIFACTU_SIF_MULTIPLE_TAXPAYERS", False)
# Submission of the records (invoicing.submission): "aeat" (the web service, with the
# client certificate), "file" (written to VERIFACTU_FILE_DIR for another channel) or
# "simulator" (the service played in-process: the default with DEBUG, and in tests).
VERIFACTU_CHANNEL = os.environ.get("VERIFACTU_CHANNEL", "simulator" if DEBUG else "aeat")
# The address defaults to the WSDL's for VERIFACTU_ENVIRONMENT and the kind of certificate
# (an entity's seal certificate goes to www10/prewww10).
VERIFACTU_AEAT_URL = os.environ.get("VERIFACTU_AEAT_URL", "")
VERIFACTU_SEAL_CERTIFICATE = env_bool("VERIFACTU_SEAL_CERTIFICATE", False)
VERIFACTU_CERT_FILE = os.environ.get("VERIFACTU_CERT_FILE", "")  # PEM
VERIFACTU_KEY_FILE = os.environ.get("VERIFACTU_KEY_FILE", "")  # PEM
VERIFACTU_PKCS12_FILE = os.environ.get("VERIFACTU_PKCS12_FILE", "")  # or .p12/.pfx
VERIFACTU_PKCS12_PASSWORD = os.environ.get("VERIFACTU_PKCS12_PASSWORD", "")
VERIFACTU_TIMEOUT = env_float("VERIFACTU_TIMEOUT", 30)  # seconds for one submission
VERIFACTU_FILE_DIR = Path(os.environ.get("VERIFACTU_FILE_DIR", BASE_DIR / "var" / "verifactu"))
VERIFACTU_SIMULATOR_URL = os.environ.get("VERIFACTU_SIMULATOR_URL", "")  # empty: in-process
VERIFACTU_SIMULATOR_WAIT_SECONDS = env_int("VERIFACTU_SIMULATOR_WAIT_SECONDS", 60)
# Records per submission: the schema's 1000 at most.
VERIFACTU_BATCH_SIZE = env_int("VERIFACTU_BATCH_SIZE", 1000)
if not 1 <= VERIFACTU_BATCH_SIZE <= 1000:
    raise ImproperlyConfigured("VERIFACTU_BATCH_SIZE must be 1 to 1000.")
# A record the AEAT rejected goes again (flagged as such) after this many seconds, not
# on every run: a rejection for its content would come back each minute otherwise.
VERIFACTU_RETRY_REJECTED_AFTER = env_int("VERIFACTU_RETRY_REJECTED_AFTER", 3600)
# Records generated longer ago than this go as sent late (RemisionVoluntaria/Incidencia).
VERIFACTU_INCIDENT_AFTER = env_int("VERIFACTU_INCIDENT_AFTER", 240)

GRAPHQL_MAX_DEPTH = env_int("GRAPHQL_MAX_DEPTH", 12)
GRAPHQL_MAX_ALIASES = env_int("GRAPHQL_MAX_ALIASES", 15)
GRAPHQL_MAX_TOKENS = env_int("GRAPHQL_MAX_TOKENS", 2000)
GRAPHQL_MAX_PAGE_SIZE = 100
# Seconds a cached public response (shop.api.persisted) is kept. Catalogue writes
# invalidate at once; this bounds what no write announces (reservations expiring).
GRAPHQL_RESPONSE_CACHE_TIMEOUT = int(os.environ.get("GRAPHQL_RESPONSE_CACHE_TIMEOUT", "60"))

JWT_SIGNING_KEY = os.environ.get("JWT_SIGNING_KEY", SECRET_KEY)
JWT_ACCESS_TTL = timedelta(seconds=env_int("JWT_ACCESS_TTL_SECONDS", 5 * 60))
JWT_REFRESH_TTL = timedelta(seconds=env_int("JWT_REFRESH_TTL_SECONDS", 30 * 24 * 3600))
LOGIN_THROTTLE_MAX_FAILURES = env_int("LOGIN_THROTTLE_MAX_FAILURES", 5)
LOGIN_THROTTLE_IP_MAX_FAILURES = env_int("LOGIN_THROTTLE_IP_MAX_FAILURES", 20)
LOGIN_THROTTLE_WINDOW = timedelta(seconds=env_int("LOGIN_THROTTLE_WINDOW_SECONDS", 15 * 60))
# Account recovery (shop.accounts.recovery). Links in the e-mails expire after these
# many seconds; Django's PASSWORD_RESET_TIMEOUT is the reset link's.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3600)
ACCOUNT_CONFIRMATION_TIMEOUT = env_int("ACCOUNT_CONFIRMATION_TIMEOUT", 7 * 24 * 3600)
EMAIL_CHANGE_TIMEOUT = env_int("EMAIL_CHANGE_TIMEOUT", 24 * 3600)
# Reset and confirmation e-mails requested, per address and per client IP, in the window.
RECOVERY_THROTTLE_MAX_PER_ADDRESS = env_int("RECOVERY_THROTTLE_MAX_PER_ADDRESS", 3)
RECOVERY_THROTTLE_MAX_PER_IP = env_int("RECOVERY_THROTTLE_MAX_PER_IP", 20)
RECOVERY_THROTTLE_WINDOW = timedelta(seconds=env_int("RECOVERY_THROTTLE_WINDOW_SECONDS", 3600))
# Whether a customer who has not confirmed their e-mail address may pay and place orders.
ACCOUNT_UNCONFIRMED_MAY_BUY = env_bool("ACCOUNT_UNCONFIRMED_MAY_BUY", True)

DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Masked API errors are logged in full here, never sent to clients.
        "shop.api": {"level": "INFO"},
        "strawberry.execution": {"level": "ERROR"},
    },
}
CATALOG_MAX_IMAGE_BYTES = env_int("CATALOG_MAX_IMAGE_BYTES", 10 * 1024 * 1024)
