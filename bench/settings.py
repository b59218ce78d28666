"""Settings of the benchmarks: production settings plus a bench URLconf with a hello view.

Only the URLconf and the static root differ from ``config.settings``; everything else
(middleware, DEBUG, security settings) comes from the environment as in production.
``python -m bench`` sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS=127.0.0.1 and
SECURE_SSL_REDIRECT=0 for gunicorn and for its own process.
"""

from config.settings import *  # noqa: F403
from config.settings import BASE_DIR

ROOT_URLCONF = "bench.urls"

# The manifest of hashed static files (DEBUG off) is collected here, not into staticfiles/.
STATIC_ROOT = BASE_DIR / "bench" / "results" / "static"
