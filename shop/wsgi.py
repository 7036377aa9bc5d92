import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")

application = get_wsgi_application()

from shop.warmup import warm_up  # noqa: E402 -- needs the configured Django

# gunicorn imports this module in each worker after the fork (no preload_app).
warm_up()
