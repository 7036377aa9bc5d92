"""Test settings: the production settings module, read with DEBUG off and a
test secret. A ``DATABASE_URL`` from the environment (CI's PostgreSQL run) is kept."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-" + "k" * 60)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("INVOICE_ISSUER_NIF", "A99999997")
os.environ.setdefault("INVOICE_ISSUER_NAME", "Aguas de la Tienda Demo, S.A.")
os.environ.setdefault("INVOICE_ISSUER_ADDRESS", "Calle Torneo 121; 41002 Sevilla")
os.environ.setdefault("VERIFACTU_ENVIRONMENT", "test")
os.environ.setdefault("VERIFACTU_CHANNEL", "simulator")
os.environ.pop("REDIS_URL", None)

from shop.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
# Tests run without collectstatic: serve from the apps' static folders, as in DEBUG.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# The checkout's tests pay through the in-memory method (steered by orders.payments.memory.gateway).
SHOP_PAYMENT_METHODS = {"card": "orders.payments.memory.InMemoryPaymentMethod"}
PRIVATE_MEDIA_ROOT = BASE_DIR / "var" / "test-private"  # noqa: F405
STORAGES["private"]["OPTIONS"]["location"] = PRIVATE_MEDIA_ROOT  # type: ignore[index]  # noqa: F405
