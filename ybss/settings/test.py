"""Tests: the same settings, fast password hashing, a throwaway data folder."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DATA_DIR = Path(tempfile.mkdtemp(prefix="ybss-test-"))
STATIC_ROOT = DATA_DIR / "static"
YBSS_JOBS_DIR = DATA_DIR / "jobs"
YBSS_PHOTOS_DIR = DATA_DIR / "photos"
YBSS_JOB_RUNNER = "inline"  # jobs run inside the request, in the test's transaction
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False
ALLOWED_HOSTS = ["*"]

# Django's test flush must empty every table; the trigger tests install the triggers themselves.
YBSS_AUDIT_DB_TRIGGERS = False
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
YBSS_QUALITY_SCAN_HOUR = "off"
YBSS_RATES_REFRESH_MINUTES = "off"
