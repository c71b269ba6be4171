"""Local use: the embedded default, `ybss serve` on localhost."""

import os

from .base import *  # noqa: F403

DEBUG = os.environ.get("YBSS_DEBUG", "0") == "1"
ALLOWED_HOSTS = ["*"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
