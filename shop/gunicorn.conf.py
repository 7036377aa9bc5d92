"""gunicorn settings for ``make serve``; workers from ``WEB_CONCURRENCY``."""

import os

from shop.warmup import collect_after_response

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
accesslog = "-"


def post_request(_worker: object, _req: object, _environ: object, _resp: object) -> None:
    # The response is sent: free the request's garbage before the next one comes.
    collect_after_response()
