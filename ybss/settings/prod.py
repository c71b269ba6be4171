"""Production: PostgreSQL through DATABASE_URL, a real secret key, collected static files."""

import os

from .base import *  # noqa: F403

SECRET_KEY = os.environ["YBSS_SECRET_KEY"]
SESSION_COOKIE_SECURE = os.environ.get("YBSS_HTTPS", "1") == "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
WHITENOISE_USE_FINDERS = False
